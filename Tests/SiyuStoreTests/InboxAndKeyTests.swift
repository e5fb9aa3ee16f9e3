import Foundation
import SQLKit
import SiyuCore
import SiyuTestSupport
import Testing

@testable import SiyuStore

@Suite("Callback inbox and API keys")
struct InboxAndKeyTests {
    let event = "<xml><ToUserName><![CDATA[ww1]]></ToUserName><Event><![CDATA[change_external_contact]]></Event><ExternalUserID><![CDATA[wo1]]></ExternalUserID><CreateTime>1403610513</CreateTime></xml>"

    @Test("a redelivered callback is stored once; distinct events in one second are both kept", arguments: TestDatabases.flavors)
    func inboxDedupe(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            #expect(try await store.inbox.record(corpID: "ww1", payload: event, now: Date()) == .stored)
            #expect(try await store.inbox.record(corpID: "ww1", payload: event, now: Date()) == .duplicate)
            let sameSecondOtherCustomer = event.replacingOccurrences(of: "wo1", with: "wo2")
            #expect(try await store.inbox.record(corpID: "ww1", payload: sameSecondOtherCustomer, now: Date()) == .stored)
            // The same bytes for another tenant are that tenant's own event.
            #expect(try await store.inbox.record(corpID: "ww2", payload: event, now: Date()) == .stored)
            #expect(try await store.inbox.backlog()["pending"] == 3)

            let pending = try await store.inbox.pending()
            #expect(pending.count == 3)
            let first = pending[0]
            try await store.inbox.markApplied(corpID: first.corpID, dedupeKey: first.dedupeKey)
            #expect(try await store.inbox.backlog() == ["pending": 2, "applied": 1, "failed": 0])
            // Applied events still absorb late redeliveries.
            #expect(try await store.inbox.record(corpID: first.corpID, payload: first.payload, now: Date()) == .duplicate)
        }
    }

    @Test("concurrent deliveries of one event store it exactly once", arguments: TestDatabases.flavors)
    func concurrentDelivery(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            let outcomes = try await withThrowingTaskGroup(of: CallbackInbox.RecordOutcome.self) { group in
                for _ in 0..<8 { group.addTask { try await store.inbox.record(corpID: "ww1", payload: event, now: Date()) } }
                var all: [CallbackInbox.RecordOutcome] = []
                for try await outcome in group { all.append(outcome) }
                return all
            }
            #expect(outcomes.filter { $0 == .stored }.count == 1)
            #expect(outcomes.filter { $0 == .duplicate }.count == 7)
        }
    }

    @Test("a batch stores each new event once, in one transaction, with one apply job each", arguments: TestDatabases.flavors)
    func batch(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            #expect(try await store.inbox.record(corpID: "ww1", payload: "<xml>old</xml>", now: Date()) == .stored)
            let batch = [
                CallbackInbox.Submission(corpID: "ww1", payload: "<xml>a</xml>"),
                CallbackInbox.Submission(corpID: "ww1", payload: "<xml>old</xml>"),
                CallbackInbox.Submission(corpID: "ww1", payload: "<xml>a</xml>"),
                CallbackInbox.Submission(corpID: "ww2", payload: "<xml>a</xml>"),
                CallbackInbox.Submission(corpID: "ww1", payload: "<xml>b</xml>"),
            ]
            let outcomes = try await store.inbox.recordBatch(batch, now: Date())
            #expect(outcomes == [.stored, .duplicate, .duplicate, .stored, .stored])
            #expect(try await store.inbox.backlog()["pending"] == 4)
            let jobs = try await store.jobs.claim(owner: "t", kinds: [CallbackInbox.applyJobKind], limit: 10, now: Date())
            #expect(jobs.count == 3, "one apply job per newly stored event (the single record() above enqueues none)")
            #expect(Set(jobs.map { "\($0.corpID)/\($0.payload)" }) == Set([
                "ww1/\(CallbackInbox.dedupeKey(for: "<xml>a</xml>"))", "ww2/\(CallbackInbox.dedupeKey(for: "<xml>a</xml>"))",
                "ww1/\(CallbackInbox.dedupeKey(for: "<xml>b</xml>"))",
            ]))
            #expect(try await store.inbox.recordBatch(batch, now: Date()) == [.duplicate, .duplicate, .duplicate, .duplicate, .duplicate])
            #expect(try await store.inbox.recordBatch([], now: Date()) == [])
        }
    }

    @Test("failed applications are retried then parked with their error", arguments: TestDatabases.flavors)
    func inboxFailures(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            _ = try await store.inbox.record(corpID: "ww1", payload: event, now: Date())
            let key = CallbackInbox.dedupeKey(for: event)
            try await store.inbox.markFailed(corpID: "ww1", dedupeKey: key, error: "first", maxAttempts: 2)
            #expect(try await store.inbox.find(corpID: "ww1", dedupeKey: key)?.state == "pending")
            try await store.inbox.markFailed(corpID: "ww1", dedupeKey: key, error: "second", maxAttempts: 2)
            let item = try #require(try await store.inbox.find(corpID: "ww1", dedupeKey: key))
            #expect(item.state == "failed")
            #expect(item.attempts == 2)
            #expect(item.lastError == "second")
        }
    }

    @Test("a key authenticates for its corp only, and not after revocation", arguments: TestDatabases.flavors)
    func apiKeys(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            _ = try await store.corps.register(MigrationAndCorpTests.registration, actor: "test", now: Date())
            let corpID = MigrationAndCorpTests.registration.corpID
            let created = try await store.apiKeys.create(corpID: corpID, label: "crm sync", actor: "admin", now: Date())
            #expect(created.token.hasPrefix("sk.\(corpID)."))
            #expect(try await store.apiKeys.authenticate(created.token)?.corpID == corpID)

            var tampered = created.token
            tampered.removeLast()
            tampered.append(created.token.hasSuffix("0") ? "1" : "0")
            #expect(try await store.apiKeys.authenticate(tampered) == nil)
            #expect(try await store.apiKeys.authenticate("sk.wwother.\(created.info.keyID).00") == nil)
            #expect(try await store.apiKeys.authenticate("garbage") == nil)

            let stored = try await store.database.read { sql in
                try await sql.raw("SELECT secret_hash FROM api_keys").first()!.decode(column: "secret_hash", as: String.self)
            }
            #expect(!created.token.contains(stored))
            #expect(!stored.contains(created.token.split(separator: ".").last!))

            #expect(try await store.apiKeys.revoke(corpID: corpID, keyID: created.info.keyID, actor: "admin", now: Date()))
            #expect(try await store.apiKeys.authenticate(created.token) == nil)
            #expect(try await store.apiKeys.revoke(corpID: corpID, keyID: created.info.keyID, actor: "admin", now: Date()) == false)

            await #expect(throws: StoreError.self) {
                try await store.apiKeys.create(corpID: "wwnosuch", label: "", actor: "admin", now: Date())
            }
        }
    }
}
