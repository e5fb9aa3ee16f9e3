import Foundation
import SiyuCore
import SiyuStore
import SiyuTestSupport
import Testing

@Suite("Audit log storage: addresses, the installation-wide page by cursor, filters")
struct AuditLogTests {
    @Test("entries carry the request's address; pages go newest first without repeats; filters narrow", arguments: TestDatabases.flavors)
    func paging(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            let audit = store.audit
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            for index in 0..<7 {
                try await audit.record(
                    corpID: index.isMultiple(of: 2) ? "wwA1" : "wwB2", actor: index < 3 ? "admin" : "console:lina",
                    action: "http POST /api/v1/tags", target: "t\(index)", detail: ["status": "201"],
                    address: "192.0.2.\(index)", now: start.addingTimeInterval(Double(index / 2))
                )
            }
            try await AuditLog.$requestAddress.withValue("198.51.100.1") {
                try await audit.record(corpID: "", actor: "admin", action: "corp.register", target: "wwC3", now: start.addingTimeInterval(10))
            }

            let all = try await audit.page(AuditLog.Filter(), limit: 1000)
            #expect(all.entries.count == 8 && all.nextCursor == nil)
            #expect(all.entries.first?.address == "198.51.100.1", "the task-local address fills entries written while serving a request")
            #expect(all.entries.map(\.at) == all.entries.map(\.at).sorted(by: >))
            var seen: [String] = []
            var cursor: AuditLog.Cursor?
            repeat {
                let page = try await audit.page(AuditLog.Filter(), after: cursor, limit: 3)
                seen += page.entries.map(\.entryID)
                cursor = page.nextCursor.flatMap { AuditLog.Cursor($0.text) }
            } while cursor != nil
            #expect(seen == all.entries.map(\.entryID))

            #expect(try await audit.page(AuditLog.Filter(corpID: "wwB2")).entries.map(\.target) == ["t5", "t3", "t1"])
            #expect(try await audit.page(AuditLog.Filter(actor: "console:lina")).entries.count == 4)
            #expect(try await audit.page(AuditLog.Filter(action: "corp.register")).entries.map(\.target) == ["wwC3"])
            let window = AuditLog.Filter(since: start.addingTimeInterval(1), until: start.addingTimeInterval(3))
            #expect(Set(try await audit.page(window).entries.map(\.target)) == ["t2", "t3", "t4", "t5"])
            #expect(try await audit.recent(corpID: "wwA1").map(\.address) == ["192.0.2.6", "192.0.2.4", "192.0.2.2", "192.0.2.0"])
            #expect(AuditLog.Cursor("nonsense") == nil)
        }
    }
}
