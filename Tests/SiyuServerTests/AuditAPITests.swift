import Foundation
import Hummingbird
import HummingbirdTesting
import SiyuCore
import SiyuStore
import Testing

@testable import SiyuServer

@Suite("Audit log: every state-changing request leaves an entry; GET /api/v1/audit pages through them")
struct AuditAPITests {
    static let register = #"{"corp_id":"wwA1","name":"甲","secret":"s","token":"QDG6eK","aes_key":"jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"}"#

    static func entries(_ response: TestResponse) throws -> [[String: Any]] {
        try response.json()["entries"] as? [[String: Any]] ?? []
    }

    @Test("a mutating request leaves its actor, route, ids, status and address; reads and refusals leave nothing; corp keys get 403")
    func requestsAreRecorded() async throws {
        try await TestServer.withClient { client, _, _ in
            #expect(try await client.call(.post, "/api/v1/corps", json: Self.register, from: "203.0.113.7").status == .created)
            let created = try await client.call(.post, "/api/v1/corps/wwA1/keys", json: #"{"label":"crm"}"#, from: "203.0.113.7")
            let key = try #require(try created.json()["key"] as? String)
            let keyID = try #require(try created.json()["key_id"] as? String)
            _ = try await client.call(.get, "/api/v1/corps", from: "203.0.113.7")
            #expect(try await client.call(.patch, "/api/v1/corps/wwNO", json: #"{"name":"x"}"#).status == .notFound)
            #expect(try await client.call(.patch, "/api/v1/corps/wwA1", token: key, json: #"{"name":"乙"}"#, from: "198.51.100.2").status == .ok)
            #expect(try await client.call(.get, "/api/v1/audit", token: key).status == .forbidden)

            let entries = try Self.entries(try await client.call(.get, "/api/v1/audit"))
            let requests = entries.filter { ($0["action"] as? String)?.hasPrefix("http ") == true }
            #expect(requests.map { $0["action"] as? String } == [
                "http PATCH /api/v1/corps/{corp_id}", "http POST /api/v1/corps/{corp_id}/keys", "http POST /api/v1/corps",
            ])
            let patch = try #require(requests.first)
            #expect(patch["actor"] as? String == "key:wwA1/\(keyID)")
            #expect(patch["corp_id"] as? String == "wwA1")
            #expect(patch["address"] as? String == "198.51.100.2")
            #expect((patch["detail"] as? [String: String])?["status"] == "200")
            let keys = requests[1]
            #expect(keys["actor"] as? String == "admin")
            #expect(keys["address"] as? String == "203.0.113.7")
            #expect(keys["corp_id"] as? String == "wwA1")
            #expect(keys["target"] as? String == "wwA1")
            // The corp's own key sees its corp's audit log, but not where the installation's admin works from.
            let tenantView = try Self.entries(try await client.call(.get, "/api/v1/corps/wwA1/audit", token: key))
            #expect(tenantView.contains { $0["actor"] as? String == "admin" })
            #expect(!tenantView.contains { $0["actor"] as? String == "admin" && $0["address"] != nil })
            #expect(tenantView.contains { $0["address"] as? String == "198.51.100.2" }, "its own key's address it may see")
            // The stores' own entries carry the address too.
            let register = try #require(entries.first { $0["action"] as? String == "corp.register" })
            #expect(register["address"] as? String == "203.0.113.7")
            #expect(entries.contains { $0["action"] as? String == "api_key.create" && $0["address"] as? String == "203.0.113.7" })
        }
    }

    @Test("pages newest first by cursor, and filters by corp, actor, action and time")
    func paging() async throws {
        try await TestServer.withClient { client, _, _ in
            let start = Date().addingTimeInterval(-1)
            #expect(try await client.call(.post, "/api/v1/corps", json: Self.register).status == .created)
            #expect(try await client.call(.post, "/api/v1/corps", json: Self.register.replacingOccurrences(of: "wwA1", with: "wwB2")).status == .created)
            for _ in 0..<3 { #expect(try await client.call(.post, "/api/v1/corps/wwB2/keys").status == .created) }
            let all = try Self.entries(try await client.call(.get, "/api/v1/audit?limit=1000"))
            #expect(all.count >= 10)

            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await client.call(.get, "/api/v1/audit?limit=3" + (cursor.map { "&cursor=" + $0 } ?? ""))
                #expect(page.status == .ok)
                let entries = try Self.entries(page)
                #expect(entries.count <= 3)
                seen += entries.compactMap { $0["entry_id"] as? String }
                cursor = try page.json()["next_cursor"] as? String
            } while cursor != nil
            #expect(seen == all.compactMap { $0["entry_id"] as? String }, "pages add up to the whole log, in order, without repeats")
            let times = all.compactMap { $0["at"] as? String }
            #expect(times == times.sorted(by: >), "newest first")

            let b2 = try Self.entries(try await client.call(.get, "/api/v1/audit?corp_id=wwB2"))
            #expect(!b2.isEmpty && b2.allSatisfy { $0["corp_id"] as? String == "wwB2" })
            let keys = try Self.entries(try await client.call(.get, "/api/v1/audit?action=api_key.create"))
            #expect(keys.count == 3)
            #expect(try Self.entries(try await client.call(.get, "/api/v1/audit?actor=admin")).count == all.filter { $0["actor"] as? String == "admin" }.count)
            let future = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
            #expect(try Self.entries(try await client.call(.get, "/api/v1/audit?since=\(future)")).isEmpty)
            let since = ISO8601DateFormatter().string(from: start)
            #expect(try Self.entries(try await client.call(.get, "/api/v1/audit?since=\(since)&until=\(future)&limit=1000")).count == all.count)
            #expect(try await client.call(.get, "/api/v1/audit?limit=1001").status == .badRequest)
            #expect(try await client.call(.get, "/api/v1/audit?cursor=nonsense").status == .badRequest)
            #expect(try await client.call(.get, "/api/v1/audit?since=yesterday").status == .badRequest)
        }
    }

    @Test("console sign-in, sign-out and console actions leave entries with the user and address")
    func consoleActions() async throws {
        try await ConsoleTestServer.run { fixture in
            _ = try await fixture.store.corps.register(TestServer.registration("wwA1"), actor: "t", now: Date())
            try await fixture.user("root", .admin)
            let browser = fixture.browser()
            await browser.move(to: "192.0.2.44")
            #expect(try await browser.signIn("root", ConsoleTestServer.password).status == .seeOther)
            try await browser.get("/console/dashboard")
            #expect(try await browser.post("/console/corp", [("corp_id", "wwA1")]).status == .seeOther)
            #expect(try await browser.post("/console/logout").status == .seeOther)
            let mine = try Self.entries(try await fixture.client.call(.get, "/api/v1/audit?actor=console:root"))
            #expect(mine.map { $0["action"] as? String } == ["http POST /console/logout", "http POST /console/corp", "console.sign_in"])
            #expect(mine.allSatisfy { $0["address"] as? String == "192.0.2.44" })
        }
    }
}
