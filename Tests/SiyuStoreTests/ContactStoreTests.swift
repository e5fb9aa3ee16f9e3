import Foundation
import SiyuCore
import SiyuTestSupport
import Testing

@testable import SiyuStore

@Suite("Contact ledger and policy")
struct ContactStoreTests {
    @Test("touches persist and load into a ledger from a given time; the policy round-trips, its opt-out tags the corp's own", arguments: TestDatabases.flavors)
    func ledgerAndPolicy(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            _ = try await store.corps.register(MigrationAndCorpTests.registration, actor: "t", now: Date())
            let corpID = MigrationAndCorpTests.registration.corpID
            let t0 = Date(timeIntervalSince1970: 1_800_000_000)
            try await store.contacts.record(corpID: corpID, touches: [
                ("wm1", .massMessage, t0, "c1"), ("wm1", .moment, t0.addingTimeInterval(60), nil),
                ("wm2", .massMessage, t0.addingTimeInterval(-40 * 86400), "old"),
            ])
            let ledger = try await store.contacts.ledger(corpID: corpID, since: t0.addingTimeInterval(-86400))
            #expect(ledger.touches(of: "wm1").count == 2)
            #expect(ledger.touches(of: "wm2").isEmpty)

            #expect(try await store.contacts.policy(corpID: corpID) == ContactPolicy())
            _ = try await store.directory.replaceTags(corpID: corpID, groups: [TagGroup(groupID: "g1", name: "偏好", tags: [Tag(tagID: "etx", name: "勿扰")])], now: Date())
            let policy = ContactPolicy(platformRule: .onePerDay, brandCap: BrandCap(maxTouches: 2, days: 7), optOutTagIDs: ["etx"])
            try await store.contacts.setPolicy(corpID: corpID, policy, actor: "t", now: Date())
            #expect(try await store.contacts.policy(corpID: corpID) == policy)
            await #expect(throws: ValidationError.self) {
                try await store.contacts.setPolicy(corpID: corpID, ContactPolicy(brandCap: BrandCap(maxTouches: 0, days: 7)), actor: "t", now: Date())
            }
            await #expect(throws: ValidationError.self) {
                try await store.contacts.setPolicy(corpID: corpID, ContactPolicy(optOutTagIDs: ["etx", "etOTHERCORP"]), actor: "t", now: Date())
            }
            #expect(try await store.contacts.policy(corpID: corpID) == policy)
        }
    }
    @Test("the sender of a customer is the member who last interacted with them, among the members still their friends", arguments: TestDatabases.flavors)
    func senderIsTheLastMemberToInteract(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            try await WebhookStoreTests.registerCorps(store, CustomerFixtures.corpID)
            let corpID = CustomerFixtures.corpID
            let day1 = CustomerFixtures.at(day: 1), day2 = CustomerFixtures.at(day: 2)
            _ = try await store.customers.reconcile(corpID: corpID, CustomerFixtures.observation(
                "wm1", .added, user: "m2", at: day2,
                relations: [CustomerFixtures.relation("m1", at: day1), CustomerFixtures.relation("m2", at: day2)]
            ), now: Date())
            @Sendable func currentSender() async throws -> String? {
                let audience = try await store.contacts.audience(corpID: corpID, externalUserIDs: ["wm1"])
                return audience.first?.sender ?? nil
            }
            #expect(try await currentSender() == "m2")  // the most recent add
            try await store.customers.changeTags(corpID: corpID, externalUserID: "wm1", userID: "m1", add: ["etvip"], remove: [], actor: "t", now: CustomerFixtures.at(day: 3))
            #expect(try await currentSender() == "m1")  // m1 tagged them since
            try await store.customers.recordTimeline(corpID: corpID, externalUserID: "wm1", kind: "message", userID: "m2", at: CustomerFixtures.at(day: 4), detail: [:], now: Date())
            #expect(try await currentSender() == "m2")  // then m2 chatted
            // m2 is no longer a friend: m1 sends, whatever m2 did last.
            _ = try await CustomerFixtures.end(store, "wm1", member: "m2", .customerDeletedMember, at: CustomerFixtures.at(day: 5))
            _ = try await store.customers.reconcile(corpID: corpID, CustomerFixtures.observation(
                "wm1", .edited, user: "m1", at: CustomerFixtures.at(day: 5), relations: [CustomerFixtures.relation("m1", at: day1)]
            ), now: Date())
            #expect(try await currentSender() == "m1")
        }
    }
}
