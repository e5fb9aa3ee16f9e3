import Foundation
import SiyuCore
import Testing

@testable import SiyuStore

@Suite("Contact ledger and policy")
struct ContactStoreTests {
    @Test("touches persist and load into a ledger from a given time; the policy round-trips through corp settings", arguments: TestDatabases.flavors)
    func ledgerAndPolicy(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            _ = try await store.corps.register(MigrationAndCorpTests.registration, actor: "t")
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
            let policy = ContactPolicy(platformRule: .onePerDay, brandCap: BrandCap(maxTouches: 2, days: 7), optOutTagIDs: ["etx"])
            try await store.contacts.setPolicy(corpID: corpID, policy, actor: "t")
            #expect(try await store.contacts.policy(corpID: corpID) == policy)
            await #expect(throws: ValidationError.self) {
                try await store.contacts.setPolicy(corpID: corpID, ContactPolicy(brandCap: BrandCap(maxTouches: 0, days: 7)), actor: "t")
            }
        }
    }
}
