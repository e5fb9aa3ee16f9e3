import Foundation
import Hummingbird
import HummingbirdTesting
import SiyuStore
import Testing

@testable import SiyuServer

@Suite("Corp registry over REST")
struct CorpAPITests {
    static let body = #"{"corp_id":"wwA1","name":"咖啡 A","secret":"sec-a","token":"QDG6eK","aes_key":"jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"}"#

    @Test("the admin registers and lists corps; secrets never come back")
    func registerAndList() async throws {
        try await TestServer.withClient { client, _, _ in
            let created = try await client.call(.post, "/api/v1/corps", json: Self.body)
            #expect(created.status == .created)
            let corp = try created.json()
            #expect(corp["corp_id"] as? String == "wwA1")
            #expect(corp["name"] as? String == "咖啡 A")
            #expect(!created.text.contains("sec-a"))
            #expect(!created.text.contains("jWmYm7qr"))

            let listed = try await client.call(.get, "/api/v1/corps")
            #expect(listed.status == .ok)
            let corps = try listed.json()["corps"] as? [[String: Any]]
            #expect(corps?.map { $0["corp_id"] as? String } == ["wwA1"])
            #expect(!listed.text.contains("sec-a"))
        }
    }

    @Test("listing pages with a cursor")
    func pagination() async throws {
        try await TestServer.withClient { client, store, _ in
            for id in ["wwA1", "wwB2", "wwC3"] { _ = try await store.corps.register(TestServer.registration(id), actor: "t", now: Date()) }
            let first = try await client.call(.get, "/api/v1/corps?limit=2").json()
            #expect((first["corps"] as? [[String: Any]])?.count == 2)
            let cursor = try #require(first["next_cursor"] as? String)
            let second = try await client.call(.get, "/api/v1/corps?limit=2&cursor=\(cursor)").json()
            #expect((second["corps"] as? [[String: Any]])?.map { $0["corp_id"] as? String } == ["wwC3"])
            #expect(second["next_cursor"] == nil)
            #expect(try await client.call(.get, "/api/v1/corps?limit=0").status == .badRequest)
        }
    }

    @Test("bad input gets a clear error and stores nothing")
    func badInput() async throws {
        try await TestServer.withClient { client, store, _ in
            #expect(try await client.call(.post, "/api/v1/corps", json: Self.body).status == .created)

            let duplicate = try await client.call(.post, "/api/v1/corps", json: Self.body)
            #expect(duplicate.status == .conflict)
            #expect(duplicate.errorCode == "duplicate")

            let invalid = try await client.call(.post, "/api/v1/corps", json: Self.body.replacingOccurrences(of: "wwA1", with: "wwB2").replacingOccurrences(of: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", with: "short"))
            #expect(invalid.status == .unprocessableContent)
            #expect(try (invalid.json()["error"] as? [String: Any])?["field"] as? String == "aes_key")

            let malformed = try await client.call(.post, "/api/v1/corps", json: "{\"corp_id\": ")
            #expect(malformed.status == .badRequest)
            #expect(malformed.errorCode == "bad_request")

            let missingField = try await client.call(.post, "/api/v1/corps", json: #"{"corp_id":"wwC3"}"#)
            #expect(missingField.status == .badRequest)

            let huge = "{\"corp_id\":\"wwD4\",\"name\":\"" + String(repeating: "x", count: 2 << 20) + "\"}"
            let oversize = try await client.call(.post, "/api/v1/corps", json: huge)
            #expect(oversize.status == .contentTooLarge)

            #expect(try await store.corps.list().map(\.corpID) == ["wwA1"])
        }
    }

    @Test("no credential, a wrong one, or a revoked key is refused")
    func authentication() async throws {
        try await TestServer.withClient { client, store, _ in
            _ = try await store.corps.register(TestServer.registration("wwA1"), actor: "t", now: Date())
            let missing = try await client.call(.get, "/api/v1/corps", token: nil)
            #expect(missing.status == .unauthorized)
            #expect(missing.errorCode == "unauthorized")
            #expect(try await client.call(.get, "/api/v1/corps", token: "adm.wrong").status == .unauthorized)

            let key = try await store.apiKeys.create(corpID: "wwA1", label: "", actor: "t", now: Date())
            #expect(try await client.call(.get, "/api/v1/corps/wwA1", token: key.token).status == .ok)
            _ = try await store.apiKeys.revoke(corpID: "wwA1", keyID: key.info.keyID, actor: "t", now: Date())
            #expect(try await client.call(.get, "/api/v1/corps/wwA1", token: key.token).status == .unauthorized)
        }
    }

    @Test("a key of corp A can neither read nor write corp B")
    func tenantIsolation() async throws {
        try await TestServer.withClient { client, store, _ in
            _ = try await store.corps.register(TestServer.registration("wwA1", name: "A"), actor: "t", now: Date())
            _ = try await store.corps.register(TestServer.registration("wwB2", name: "B"), actor: "t", now: Date())
            let created = try await client.call(.post, "/api/v1/corps/wwA1/keys", json: #"{"label":"crm"}"#)
            #expect(created.status == .created)
            let keyA = try #require(try created.json()["key"] as? String)

            // Its own corp: yes.
            #expect(try await client.call(.get, "/api/v1/corps/wwA1", token: keyA).status == .ok)
            #expect(try await client.call(.patch, "/api/v1/corps/wwA1", token: keyA, json: #"{"name":"A 新名"}"#).status == .ok)
            #expect(try await client.call(.get, "/api/v1/corps/wwA1/keys", token: keyA).status == .ok)
            #expect(try await client.call(.get, "/api/v1/corps/wwA1/audit", token: keyA).status == .ok)

            // Corp B: as if it did not exist.
            for (method, path, body) in [
                (HTTPRequest.Method.get, "/api/v1/corps/wwB2", nil),
                (.patch, "/api/v1/corps/wwB2", #"{"name":"hijacked"}"#),
                (.get, "/api/v1/corps/wwB2/keys", nil),
                (.get, "/api/v1/corps/wwB2/audit", nil),
            ] as [(HTTPRequest.Method, String, String?)] {
                let response = try await client.call(method, path, token: keyA, json: body)
                #expect(response.status == .notFound, "\(method) \(path)")
                #expect(!response.text.contains("\"B\""))
            }
            // Admin-only routes: no.
            #expect(try await client.call(.get, "/api/v1/corps", token: keyA).status == .forbidden)
            #expect(try await client.call(.post, "/api/v1/corps/wwB2/keys", token: keyA, json: "{}").status == .forbidden)
            #expect(try await client.call(.post, "/api/v1/corps/wwA1/keys", token: keyA, json: "{}").status == .forbidden)
            #expect(try await client.call(.post, "/api/v1/corps", token: keyA, json: CorpAPITests.body.replacingOccurrences(of: "wwA1", with: "wwZ9")).status == .forbidden)

            #expect(try await store.corps.find("wwB2")?.name == "B")
            #expect(try await store.apiKeys.list(corpID: "wwB2").isEmpty)
            #expect(try await store.corps.find("wwA1")?.name == "A 新名")
        }
    }

    @Test("keys are created, listed without secrets and revoked")
    func keyLifecycle() async throws {
        try await TestServer.withClient { client, store, _ in
            _ = try await store.corps.register(TestServer.registration("wwA1"), actor: "t", now: Date())
            let created = try await client.call(.post, "/api/v1/corps/wwA1/keys")
            #expect(created.status == .created)
            let body = try created.json()
            let token = try #require(body["key"] as? String)
            let keyID = try #require(body["key_id"] as? String)
            let listed = try await client.call(.get, "/api/v1/corps/wwA1/keys")
            #expect(!listed.text.contains(token))
            #expect(listed.text.contains(keyID))
            #expect(try await client.call(.delete, "/api/v1/corps/wwA1/keys/\(keyID)").status == .noContent)
            #expect(try await client.call(.delete, "/api/v1/corps/wwA1/keys/\(keyID)").status == .notFound)
            #expect(try await client.call(.post, "/api/v1/corps/wwNOPE/keys").status == .notFound)
            let audit = try await client.call(.get, "/api/v1/corps/wwA1/audit").json()["entries"] as? [[String: Any]]
            let actions = Set(audit?.compactMap { $0["action"] as? String } ?? [])
            #expect(Set(actions.filter { !$0.hasPrefix("http ") }) == ["corp.register", "api_key.create", "api_key.revoke"])
            #expect(actions.contains("http DELETE /api/v1/corps/{corp_id}/keys/{key_id}"), "each request leaves its own entry too")
        }
    }
}
