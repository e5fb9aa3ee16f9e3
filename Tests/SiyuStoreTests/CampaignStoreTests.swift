import Foundation
import SiyuCore
import SiyuTestSupport
import Testing

@testable import SiyuStore

@Suite("Campaign store: budget reservations")
struct CampaignStoreTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static func campaign(_ name: String, now: Date = t0) throws -> Campaign {
        try Campaign.fixture(name, sendAt: t0, deadlineHours: 1, now: now)
    }

    @Test("campaigns planned at once by two processes never reserve more than the cap for anyone", arguments: TestDatabases.flavors)
    func concurrentPlansRespectTheCap(flavor: SQLFlavor) async throws {
        try await TestDatabases.withLocation(flavor) { location in
            let logger = TestDatabases.logger
            let key = MasterKey.generate()
            let customers = (0..<200).map { "wmc\($0)" }
            try await SiyuDatabase.withDatabase(location, logger: logger) { db in
                try await Migrator(database: db).migrate()
                let store = try await SiyuStore.open(database: db, masterKey: key)
                try await WebhookStoreTests.registerCorps(store, CustomerFixtures.corpID)
                for id in customers { try await CustomerFixtures.add(store, id, member: "m1", at: Self.t0.addingTimeInterval(-86400)) }
                try await store.contacts.setPolicy(corpID: CustomerFixtures.corpID, ContactPolicy(platformRule: .daysInMonth, brandCap: BrandCap(maxTouches: 1, days: 7)), actor: "t", now: Date())
            }
            // Two database handles, as two `siyu serve` processes; four campaigns each, all at once.
            let planned = try await withThrowingTaskGroup(of: Int.self) { group in
                for process in 0..<2 {
                    group.addTask {
                        try await SiyuDatabase.withDatabase(location, logger: logger) { db in
                            let store = try await SiyuStore.open(database: db, masterKey: key)
                            return try await withThrowingTaskGroup(of: Int.self) { inner in
                                for n in 0..<4 {
                                    inner.addTask {
                                        let campaign = try await store.campaigns.create(
                                            corpID: CustomerFixtures.corpID, try Self.campaign("p\(process)-\(n)"),
                                            recipients: customers, now: Self.t0
                                        )
                                        return try await store.campaigns.tally(corpID: CustomerFixtures.corpID, campaignID: campaign.campaignID)
                                            .filter { $0.state == .planned }.reduce(0) { $0 + $1.count }
                                    }
                                }
                                return try await inner.reduce(0, +)
                            }
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(planned == customers.count)
            try await SiyuDatabase.withDatabase(location, logger: logger) { db in
                let store = try await SiyuStore.open(database: db, masterKey: key)
                let ledger = try await store.contacts.ledger(corpID: CustomerFixtures.corpID, since: Self.t0.addingTimeInterval(-86400))
                #expect(customers.allSatisfy { ledger.touches(of: $0).count == 1 })
            }
        }
    }

    @Test("results release what was not delivered, cancel releases what had not gone out, and a task's recipients are tracked", arguments: TestDatabases.flavors)
    func releaseOnFailureAndCancel(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            try await WebhookStoreTests.registerCorps(store, CustomerFixtures.corpID)
            let corpID = CustomerFixtures.corpID
            for n in 0..<6 { try await CustomerFixtures.add(store, "wm\(n)", member: n < 3 ? "m1" : "m2", at: Self.t0.addingTimeInterval(-86400)) }
            let campaign = try await store.campaigns.create(
                corpID: corpID, try Self.campaign("A"), recipients: (0..<6).map { "wm\($0)" } + ["wm0", "wmghost"], now: Self.t0
            )
            let id = campaign.campaignID
            let due = try await store.campaigns.due(corpID: corpID, campaignID: id, now: Self.t0)
            #expect(Dictionary(due.map { ($0.sender, $0.recipients) }, uniquingKeysWith: +) == ["m1": ["wm0", "wm1", "wm2"], "m2": ["wm3", "wm4", "wm5"]])
            try await store.campaigns.recordTask(corpID: corpID, campaignID: id, msgID: "msg1", sender: "m1", recipients: ["wm0", "wm1", "wm2"], failList: ["wm2"], now: Self.t0)
            try await store.campaigns.recordResults(
                corpID: corpID, campaignID: id, msgID: "msg1",
                outcomes: [("wm0", .delivered, .sent, Self.t0.addingTimeInterval(600)), ("wm1", .failed, .notFriend, nil)],
                taskState: .sent, now: Self.t0
            )
            #expect(try await store.campaigns.cancelUnsent(corpID: corpID, campaignID: id, actor: "t", now: Self.t0))
            #expect(try await store.campaigns.cancelUnsent(corpID: corpID, campaignID: id, actor: "t", now: Self.t0) == false)
            let results = CampaignResults(tally: try await store.campaigns.tally(corpID: corpID, campaignID: id))
            #expect(results.totals.recipients == 7)
            #expect(results.totals.reached == 1)
            #expect(results.totals.failed == [.rejected: 1, .notFriend: 1])
            #expect(results.totals.cancelled == 3)
            #expect(results.totals.skipped == [.noMember: 1])
            #expect(results.final)
            // Only the delivery keeps its reservation, moved to the real send time.
            let ledger = try await store.contacts.ledger(corpID: corpID, since: Self.t0.addingTimeInterval(-86400))
            #expect((0..<6).map { ledger.touches(of: "wm\($0)").count } == [1, 0, 0, 0, 0, 0])
            #expect(ledger.touches(of: "wm0").first?.date == Self.t0.addingTimeInterval(600))
            #expect(try await store.campaigns.find(corpID: corpID, campaignID: id)?.state == .cancelled)
            #expect(try await store.campaigns.find(corpID: corpID, campaignID: "cmp_none") == nil)
        }
    }

    @Test("the dashboard's recent reach and a member's unsent tasks come from the campaigns", arguments: TestDatabases.flavors)
    func reachAndMemberTasks(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            try await WebhookStoreTests.registerCorps(store, CustomerFixtures.corpID)
            let corpID = CustomerFixtures.corpID
            #expect(try await store.campaigns.recentReach(corpID: corpID).isEmpty)
            for n in 0..<4 { try await CustomerFixtures.add(store, "wm\(n)", member: n < 2 ? "m1" : "m2", at: Self.t0.addingTimeInterval(-86400)) }
            let first = try await store.campaigns.create(
                corpID: corpID, try Self.campaign("A"), recipients: (0..<4).map { "wm\($0)" }, now: Self.t0
            )
            try await store.campaigns.recordTask(corpID: corpID, campaignID: first.campaignID, msgID: "msg1", sender: "m1", recipients: ["wm0", "wm1"], failList: [], now: Self.t0)
            try await store.campaigns.recordTask(corpID: corpID, campaignID: first.campaignID, msgID: "msg2", sender: "m2", recipients: ["wm2", "wm3"], failList: [], now: Self.t0)
            try await store.campaigns.recordResults(
                corpID: corpID, campaignID: first.campaignID, msgID: "msg1",
                outcomes: [("wm0", .delivered, .sent, Self.t0), ("wm1", .delivered, .sent, Self.t0)], taskState: .sent, now: Self.t0
            )
            let second = try await store.campaigns.create(corpID: corpID, try Self.campaign("B", now: Self.t0.addingTimeInterval(60)), recipients: [], now: Self.t0.addingTimeInterval(60))
            let reach = try await store.campaigns.recentReach(corpID: corpID)
            #expect(reach.map(\.campaignID) == [second.campaignID, first.campaignID])
            #expect(reach.map(\.name) == ["B", "A"])
            #expect(reach.map(\.recipients) == [0, 4])
            #expect(reach.map(\.reached) == [0, 2])
            #expect(try await store.campaigns.recentReach(corpID: corpID, limit: 1).count == 1)

            #expect(try await store.campaigns.pendingTasks(corpID: corpID, sender: "m1").isEmpty)
            let tasks = try await store.campaigns.pendingTasks(corpID: corpID, sender: "m2")
            #expect(tasks.map(\.msgID) == ["msg2"])
            #expect(tasks.first?.campaignName == "A")
            #expect(tasks.first?.recipients == 2)
        }
    }

    @Test("a stored state or reason this build does not know fails loudly as corrupt_row, never as a default", arguments: TestDatabases.flavors)
    func unknownStoredValuesFailLoudly(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            try await WebhookStoreTests.registerCorps(store, CustomerFixtures.corpID)
            let corpID = CustomerFixtures.corpID
            try await CustomerFixtures.add(store, "wm0", member: "m1", at: Self.t0.addingTimeInterval(-86400))
            let campaign = try await store.campaigns.create(corpID: corpID, try Self.campaign("A"), recipients: ["wm0"], now: Self.t0)
            try await store.campaigns.recordTask(corpID: corpID, campaignID: campaign.campaignID, msgID: "msg1", sender: "m1", recipients: ["wm0"], failList: [], now: Self.t0)
            #expect(try await store.campaigns.find(corpID: corpID, campaignID: campaign.campaignID)?.state == .sending)

            // States have CHECK constraints; reasons (a longer, growing list) do not.
            try await store.database.write { sql in
                // Recipients are packed two bytes each (state, reason): 200 is no reason's code.
                try await sql.raw("UPDATE campaign_chunks SET states = \(bind: Data([RecipientState.submitted.code, 200])) WHERE campaign_id = \(bind: campaign.campaignID)").run()
            }
            var failures: [(String, StoreError?)] = []
            failures.append(("reason", await Self.storeError { _ = try await store.campaigns.recipients(corpID: corpID, campaignID: campaign.campaignID, limit: 10) }))
            failures.append(("reason", await Self.storeError { _ = try await store.campaigns.tally(corpID: corpID, campaignID: campaign.campaignID) }))
            // Every store decodes its enums through the same helper, states included.
            failures += try await store.database.read { sql in
                let row = try #require(try await sql.raw("SELECT 'paused' AS state, 'lost' AS task_state").first())
                return [
                    ("state", await Self.storeError { _ = try row.decodeStored(column: "state", as: CampaignState.self) }),
                    ("task_state", await Self.storeError { _ = try row.decodeStored(column: "task_state", as: CampaignTaskState.self) }),
                ]
            }
            for (column, error) in failures {
                #expect(error?.code == .corruptRow, "\(column): \(String(describing: error))")
                #expect(error?.message.contains(column) == true, "\(column): \(String(describing: error))")
            }
        }
    }

    /// The store error `body` throws, or nil when it succeeds (or throws something else).
    static func storeError(_ body: () async throws -> Void) async -> StoreError? {
        do {
            try await body()
            return nil
        } catch {
            return error as? StoreError
        }
    }

    @Test("bind chunks stay under each database's parameter limit and cover every item once, in order", arguments: TestDatabases.flavors)
    func bindChunksRespectTheLimit(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            let items = Array(0..<100_000)
            try await store.database.read { sql in
                for bindsPerItem in [1, 6, 8] {
                    let chunks = sql.bindChunks(items, bindsPerItem: bindsPerItem)
                    #expect(chunks.allSatisfy { $0.count * bindsPerItem + 16 <= flavor.maxBindParameters && !$0.isEmpty })
                    #expect(chunks.flatMap { $0 } == items)
                    #expect(chunks.count == (items.count + (flavor.maxBindParameters - 16) / bindsPerItem - 1) / ((flavor.maxBindParameters - 16) / bindsPerItem))
                }
                #expect(sql.bindChunks([Int]()).isEmpty)
            }
        }
    }
}
