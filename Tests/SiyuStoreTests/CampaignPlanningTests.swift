import Foundation
import SQLKit
import SiyuCore
import SiyuTestSupport
import Testing

@testable import SiyuStore

/// Planning as a job over compact storage: restart-safe, cancellable while it runs, serialised
/// per corp so two large campaigns share one budget, and migration 13 moving old campaigns.
@Suite("Campaign planning: crash, cancel, concurrency, migration")
struct CampaignPlanningTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    /// `count` customers of `corpID`, each a friend of one of `members` since the day before
    /// `t0`, written in bulk (as a sync of a large corp leaves them).
    static func seedCustomers(_ store: SiyuStore, count: Int, members: Int = 5, prefix: String = "wmp") async throws -> [String] {
        let corpID = CustomerFixtures.corpID
        let added = StoredTime.millis(t0.addingTimeInterval(-86400))
        let ids = (0..<count).map { String(format: "\(prefix)%06d", $0) }
        try await store.database.write { sql in
            for start in stride(from: 0, to: count, by: 1000) {
                let part = ids[start..<min(start + 1000, count)].enumerated().map { ($0.offset + start, $0.element) }
                try await sql.raw("INSERT INTO customers (corp_id, external_userid, first_added_at, updated_at) VALUES " + part.map { _, id in
                    "(\(bind: corpID), \(bind: id), \(bind: added), \(bind: added))" as SQLQueryString
                }.joined(separator: ", ")).run()
                try await sql.raw("INSERT INTO follow_relations (corp_id, external_userid, userid, status, added_at, updated_at) VALUES " + part.map { n, id in
                    "(\(bind: corpID), \(bind: id), \(bind: "m\(n % members)"), 'active', \(bind: added), \(bind: added))" as SQLQueryString
                }.joined(separator: ", ")).run()
            }
        }
        return ids
    }

    static func accepted(_ store: SiyuStore, _ name: String) async throws -> Campaign {
        let campaign = try Campaign.fixture(name, sendAt: t0, deadlineHours: 1, now: t0)
        try await store.campaigns.accept(corpID: CustomerFixtures.corpID, campaign, now: t0)
        return campaign
    }

    static func touches(_ store: SiyuStore, of ids: [String]) async throws -> [Int] {
        let ledger = try await store.contacts.ledger(corpID: CustomerFixtures.corpID, since: t0.addingTimeInterval(-86400))
        return ids.map { ledger.touches(of: $0).count }
    }

    @Test("a crash in the middle of recording a plan leaves nothing behind; the retried plan reserves each recipient once", arguments: TestDatabases.flavors)
    func crashMidPlan(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            try await WebhookStoreTests.registerCorps(store, CustomerFixtures.corpID)
            let ids = try await Self.seedCustomers(store, count: 3_000)
            let campaign = try await Self.accepted(store, "A")
            // The database fails the transaction after the recipients and reservations are written,
            // when the dispatch job is queued: as if the process died before COMMIT.
            try await store.database.write { sql in
                for statement in Self.failDispatchTrigger(flavor) { try await sql.raw(SQLQueryString(statement)).run() }
            }
            let targets = ids.map { CampaignTarget($0, sender: nil) }
            await #expect(throws: (any Error).self) {
                _ = try await store.campaigns.record(corpID: CustomerFixtures.corpID, campaignID: campaign.campaignID, targets: targets, now: Self.t0)
            }
            #expect(try await store.campaigns.find(corpID: CustomerFixtures.corpID, campaignID: campaign.campaignID)?.state == .planning)
            #expect(try await store.campaigns.tally(corpID: CustomerFixtures.corpID, campaignID: campaign.campaignID).isEmpty)
            #expect(try await Self.touches(store, of: ids).allSatisfy { $0 == 0 })

            try await store.database.write { sql in try await sql.raw("DROP TRIGGER fail_dispatch\(unsafeRaw: flavor == .postgres ? " ON jobs" : "")").run() }
            let plan = try await store.campaigns.record(corpID: CustomerFixtures.corpID, campaignID: campaign.campaignID, targets: targets, now: Self.t0)
            #expect(plan?.send == 3_000)
            // A third attempt (the job ran again after its plan committed) does nothing.
            #expect(try await store.campaigns.record(corpID: CustomerFixtures.corpID, campaignID: campaign.campaignID, targets: targets, now: Self.t0) == nil)
            #expect(try await Self.touches(store, of: ids).allSatisfy { $0 == 1 })
            let results = CampaignResults(tally: try await store.campaigns.tally(corpID: CustomerFixtures.corpID, campaignID: campaign.campaignID))
            #expect(results.totals.recipients == 3_000 && results.totals.pending == 3_000)
            let found = try await store.campaigns.find(corpID: CustomerFixtures.corpID, campaignID: campaign.campaignID)
            #expect(found?.state == .scheduled)
            #expect(found?.planning == Campaign.Planning(progress: 1, recipients: 3_000))
            #expect(try await store.jobs.hasQueued(kind: CampaignStore.dispatchJobKind, corpID: CustomerFixtures.corpID, payload: campaign.campaignID))
        }
    }

    static func failDispatchTrigger(_ flavor: SQLFlavor) -> [String] {
        switch flavor {
        case .sqlite:
            ["CREATE TRIGGER fail_dispatch BEFORE INSERT ON jobs WHEN NEW.kind = 'campaign.dispatch' BEGIN SELECT RAISE(ABORT, 'injected crash'); END"]
        case .postgres:
            [
                """
                CREATE OR REPLACE FUNCTION fail_dispatch() RETURNS trigger AS $$
                BEGIN IF NEW.kind = 'campaign.dispatch' THEN RAISE EXCEPTION 'injected crash'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql
                """,
                "CREATE TRIGGER fail_dispatch BEFORE INSERT ON jobs FOR EACH ROW EXECUTE FUNCTION fail_dispatch()",
            ]
        }
    }

    @Test("a cancel while planning runs ends the campaign cancelled with nothing reserved, whichever finishes first", arguments: TestDatabases.flavors)
    func cancelWhilePlanning(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            try await WebhookStoreTests.registerCorps(store, CustomerFixtures.corpID)
            let ids = try await Self.seedCustomers(store, count: 8_000)
            let targets = ids.map { CampaignTarget($0, sender: nil) }
            // Before planning starts: the job finds it cancelled and plans nothing.
            let early = try await Self.accepted(store, "early")
            #expect(try await store.campaigns.cancelUnsent(corpID: CustomerFixtures.corpID, campaignID: early.campaignID, actor: "t", now: Self.t0))
            #expect(try await store.campaigns.record(corpID: CustomerFixtures.corpID, campaignID: early.campaignID, targets: targets, now: Self.t0) == nil)
            #expect(try await store.campaigns.tally(corpID: CustomerFixtures.corpID, campaignID: early.campaignID).isEmpty)
            // While it runs: either the plan never records, or it records and the cancel releases it all.
            let racing = try await Self.accepted(store, "racing")
            async let planned = store.campaigns.record(corpID: CustomerFixtures.corpID, campaignID: racing.campaignID, targets: targets, now: Self.t0)
            try await Task.sleep(for: .milliseconds(20))
            let cancelled = try await store.campaigns.cancelUnsent(corpID: CustomerFixtures.corpID, campaignID: racing.campaignID, actor: "t", now: Self.t0)
            _ = try await planned
            #expect(cancelled)
            #expect(try await store.campaigns.find(corpID: CustomerFixtures.corpID, campaignID: racing.campaignID)?.state == .cancelled)
            #expect(try await Self.touches(store, of: ids).allSatisfy { $0 == 0 })
            let results = CampaignResults(tally: try await store.campaigns.tally(corpID: CustomerFixtures.corpID, campaignID: racing.campaignID))
            #expect(results.totals.pending == 0 && results.totals.held == 0)
            #expect(results.totals.recipients == 0 || results.totals.cancelled == ids.count)
            #expect(try await store.campaigns.due(corpID: CustomerFixtures.corpID, campaignID: racing.campaignID, now: Self.t0).isEmpty)
        }
    }

    @Test("two large campaigns planned at once share one budget: with a cap of one a week, everyone is reserved once", arguments: TestDatabases.flavors)
    func twoLargeAtOnce(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            try await WebhookStoreTests.registerCorps(store, CustomerFixtures.corpID)
            let ids = try await Self.seedCustomers(store, count: 15_000, members: 1)
            try await store.contacts.setPolicy(
                corpID: CustomerFixtures.corpID, ContactPolicy(platformRule: .daysInMonth, brandCap: BrandCap(maxTouches: 1, days: 7)), actor: "t", now: Date()
            )
            let a = try await Self.accepted(store, "A"), b = try await Self.accepted(store, "B")
            // A to the first 11,000, B to the last 11,000: the middle 7,000 are wanted by both. One
            // member sends to everyone, so each campaign's part takes two tasks of at most 10,000.
            let targetsA = ids.prefix(11_000).map { CampaignTarget($0, sender: nil) }
            let targetsB = ids.suffix(11_000).map { CampaignTarget($0, sender: nil) }
            async let planA = store.campaigns.record(corpID: CustomerFixtures.corpID, campaignID: a.campaignID, targets: targetsA, now: Self.t0)
            async let planB = store.campaigns.record(corpID: CustomerFixtures.corpID, campaignID: b.campaignID, targets: targetsB, now: Self.t0)
            let (resultA, resultB) = (try await planA, try await planB)
            #expect(resultA != nil && resultB != nil)
            let totals = try await [a, b].asyncMap { CampaignResults(tally: try await store.campaigns.tally(corpID: CustomerFixtures.corpID, campaignID: $0.campaignID)).totals }
            #expect(totals.map(\.recipients) == [11_000, 11_000])
            #expect(totals[0].pending + totals[1].pending == 15_000)
            #expect(totals[0].skipped[.brandCap, default: 0] + totals[1].skipped[.brandCap, default: 0] == 7_000)
            #expect(try await Self.touches(store, of: ids).allSatisfy { $0 == 1 })
            // Each campaign's tasks: per sender, at most 10,000 each, covering its planned recipients once.
            var tasks = 0
            for (campaign, total) in zip([a, b], totals) {
                let due = try await store.campaigns.due(corpID: CustomerFixtures.corpID, campaignID: campaign.campaignID, now: Self.t0)
                #expect(due.allSatisfy { $0.recipients.count <= 10_000 })
                #expect(Set(due.flatMap(\.recipients)).count == total.pending)
                tasks += due.count
            }
            #expect(tasks == 3)  // whichever planned first has 11,000 (two tasks), the other 4,000
        }
    }

    @Test("migration 13 moves old campaigns: recipients with their states, tasks and reasons, and the ledger's touches", arguments: TestDatabases.flavors)
    func migratesRowPerRecipient(flavor: SQLFlavor) async throws {
        try await TestDatabases.withLocation(flavor) { location in
            try await SiyuDatabase.withDatabase(location, logger: TestDatabases.logger) { db in
                try await Migrator(database: db, migrations: Migrations.all.filter { $0.version <= 12 }).migrate()
                let corpID = CustomerFixtures.corpID
                let at = StoredTime.millis(Self.t0)
                try await db.write { sql in
                    try await sql.raw("""
                        INSERT INTO corps (corp_id, name, secret_enc, callback_token_enc, aes_key_enc, settings, created_at, updated_at)
                        VALUES (\(bind: corpID), 'old', 'x', 'x', 'x', '{}', 0, 0)
                        """).run()
                    for n in 0..<4 {
                        try await sql.raw("INSERT INTO customers (corp_id, external_userid, first_added_at, updated_at) VALUES (\(bind: corpID), \(bind: "wm\(n)"), 0, 0)").run()
                    }
                    try await sql.raw("""
                        INSERT INTO campaigns (corp_id, campaign_id, name, kind, audience, content, state, send_at, deadline_at, created_by, created_at, updated_at)
                        VALUES (\(bind: corpID), 'cmp_old', '老活动', 'message', '{"segment":"status = active"}', '{"attachments":[],"text":"hi"}', 'sending',
                                \(bind: at), \(bind: at + 3_600_000), 't', \(bind: at), \(bind: at))
                        """).run()
                    let rows: [(String, String?, String, String, String?)] = [
                        ("wm0", "m1", "delivered", "sent", "msg1"), ("wm1", "m1", "failed", "not_friend", "msg1"), ("wm2", "m2", "submitted", "sent", "msg2"),
                        ("wm3", "m2", "planned", "sent", nil), ("wmgone", nil, "skipped", "no_member", nil),
                    ]
                    for (recipient, sender, state, reason, msgID) in rows {
                        try await sql.raw("""
                            INSERT INTO campaign_recipients (corp_id, campaign_id, recipient, sender, state, reason, msgid, send_at, updated_at)
                            VALUES (\(bind: corpID), 'cmp_old', \(bind: recipient), \(bind: sender), \(bind: state), \(bind: reason), \(bind: msgID),
                                    \(bind: state == "skipped" ? nil : at), \(bind: at))
                            """).run()
                    }
                    try await sql.raw("""
                        INSERT INTO campaign_tasks (corp_id, campaign_id, msgid, sender, recipients, state, created_at, updated_at)
                        VALUES (\(bind: corpID), 'cmp_old', 'msg2', 'm2', 1, 'pending', \(bind: at), \(bind: at))
                        """).run()
                    for (id, touchAt, campaign) in [("wm0", at + 600_000, "cmp_old"), ("wm2", at, "cmp_old"), ("wm3", at, "cmp_old"), ("wm1", at - 86_400_000, nil)] {
                        try await sql.raw("""
                            INSERT INTO contact_touches (corp_id, touch_id, external_userid, channel, at, campaign_id)
                            VALUES (\(bind: corpID), \(bind: "t-\(id)"), \(bind: id), 'mass_message', \(bind: touchAt), \(bind: campaign))
                            """).run()
                    }
                }
                try await Migrator(database: db).migrate()
                let store = try await SiyuStore.open(database: db, masterKey: .generate())

                let results = CampaignResults(tally: try await store.campaigns.tally(corpID: corpID, campaignID: "cmp_old"))
                #expect(results.totals.recipients == 5 && results.totals.reached == 1 && results.totals.pending == 2)
                #expect(results.totals.failed == [.notFriend: 1] && results.totals.skipped == [.noMember: 1])
                let listed = try await store.campaigns.recipients(corpID: corpID, campaignID: "cmp_old", limit: 10)
                #expect(listed.map(\.recipient) == ["wm0", "wm1", "wm2", "wm3", "wmgone"])
                #expect(listed.map(\.msgID) == ["msg1", "msg1", "msg2", nil, nil] as [String?])
                #expect(try await store.campaigns.recipients(corpID: corpID, campaignID: "cmp_old", state: .submitted, limit: 10).map(\.recipient) == ["wm2"])
                #expect(try await store.campaigns.due(corpID: corpID, campaignID: "cmp_old", now: Self.t0) == [CampaignStore.DueTask(sender: "m2", recipients: ["wm3"])])
                let campaign = try #require(try await store.campaigns.find(corpID: corpID, campaignID: "cmp_old"))
                #expect(campaign.state == .sending && campaign.planning == Campaign.Planning(progress: 1, recipients: 5))

                let ledger = try await store.contacts.ledger(corpID: corpID, since: Self.t0.addingTimeInterval(-2 * 86400))
                #expect(ledger.touches(of: "wm0").map(\.date) == [Self.t0.addingTimeInterval(600)])
                #expect(ledger.touches(of: "wm1").map(\.campaignID) == [nil])
                #expect(ledger.touches(of: "wm2").count == 1)
                #expect(ledger.touches(of: "wm3").count == 1)
                // The task still out closes as before: its recipient fails and the reservation is released.
                try await store.campaigns.closeTask(corpID: corpID, campaignID: "cmp_old", msgID: "msg2", taskState: .expired, state: .failed, reason: .senderDidNotSend, now: Self.t0)
                #expect(try await store.contacts.ledger(corpID: corpID, since: Self.t0.addingTimeInterval(-86400)).touches(of: "wm2").isEmpty)
                // Customers added after the migration are numbered too.
                try await db.write { sql in
                    try await sql.raw("INSERT INTO customers (corp_id, external_userid, first_added_at, updated_at) VALUES (\(bind: corpID), 'wmnew', 0, 0)").run()
                }
                #expect(try await db.read { sql in try await SubjectOrdinals.known(on: sql, corpID: corpID, ids: ["wmnew", "wm0"]) }.count == 2)
            }
        }
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var mapped: [T] = []
        for element in self { mapped.append(try await transform(element)) }
        return mapped
    }
}
