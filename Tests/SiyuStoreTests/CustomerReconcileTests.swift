import Foundation
import SiyuCore
import SiyuStore
import SiyuTestSupport
import Testing

/// Callbacks can be lost, repeated or reordered; the store reconciles each event with the
/// platform's present view and converges on it.
@Suite("Customers: reconcile")
struct CustomerReconcileTests {
    typealias F = CustomerFixtures

    @Test("an add makes an active relation, attributed to the channel of its state, with one timeline entry; the same observation again changes nothing", arguments: TestDatabases.flavors)
    func addThenRepeat(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            try await F.channel(store, "chn_store", state: "st_store")
            let first = try await F.add(store, "wmA", member: "m1", state: "st_store", at: F.at(day: 0, hour: 9), name: "小王", remark: "门店", tags: ["tagVIP"])
            #expect(first == ReconcileOutcome(newlyActive: ["m1"], ended: [:], channels: ["m1": "chn_store"]))

            let profile = try #require(try await store.customers.profile(corpID: F.corpID, externalUserID: "wmA"))
            #expect(profile.name == "小王")
            #expect(profile.firstAddedAt == F.at(day: 0, hour: 9))
            #expect(profile.relations.count == 1)
            let relation = try #require(profile.relations.first)
            #expect(relation.userID == "m1")
            #expect(relation.status == .active)
            #expect(relation.channelID == "chn_store")
            #expect(relation.state == "st_store")
            #expect(relation.remark == "门店")
            #expect(relation.tagIDs == ["tagVIP"])
            #expect(relation.endedAt == nil)
            #expect(profile.timeline.map(\.kind) == ["added"])
            #expect(profile.timeline.first?.userID == "m1")
            #expect(profile.timeline.first?.detail == ["state": "st_store", "channel_id": "chn_store"])
            #expect(try await store.customers.activeMembers(corpID: F.corpID, externalUserID: "wmA") == ["m1"])

            let again = try await F.add(store, "wmA", member: "m1", state: "st_store", at: F.at(day: 0, hour: 9), name: "小王", remark: "门店", tags: ["tagVIP"])
            #expect(again.newlyActive.isEmpty)
            #expect(again.ended.isEmpty)
            let after = try #require(try await store.customers.profile(corpID: F.corpID, externalUserID: "wmA"))
            #expect(after.timeline.count == 1, "no second 'added'")
            #expect(after.relations == profile.relations)
        }
    }

    @Test("del_follow_user seen before the add records the relation lost; the late add, with nothing on the platform, keeps it lost", arguments: TestDatabases.flavors)
    func lostBeforeAdd(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            try await F.channel(store, "chn_card", state: "st_card")
            let lost = try await F.end(store, "wmB", member: "m1", .customerDeletedMember, at: F.at(day: 1, hour: 10))
            #expect(lost.newlyActive.isEmpty)
            #expect(lost.ended == ["m1": .lost])

            // The add callback arrives late; the platform already shows no relation.
            let late = try await store.customers.reconcile(corpID: F.corpID, F.observation(
                "wmB", .added, user: "m1", state: "st_card", at: F.at(day: 1, hour: 9), relations: []
            ), now: Date())
            #expect(late.newlyActive.isEmpty)
            #expect(late.ended.isEmpty)

            let profile = try #require(try await store.customers.profile(corpID: F.corpID, externalUserID: "wmB"))
            #expect(profile.relations.map(\.status) == [.lost])
            #expect(profile.relations.first?.endedAt == F.at(day: 1, hour: 10))
            #expect(profile.timeline.map(\.kind) == ["lost"])
            let counts = try await store.customers.counts(corpID: F.corpID)
            #expect(counts["relations_active"] == 0)
            #expect(counts["relations_lost"] == 1)
            #expect(counts["customers"] == 1)
            #expect(counts["customers_active"] == 0)
            #expect(F.ids(try await store.customers.list(corpID: F.corpID, F.query { $0.status = .lost })) == ["wmB"])
        }
    }

    @Test("a member deleting the customer ends that relation as deleted and leaves the other member's", arguments: TestDatabases.flavors)
    func memberDeletes(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            let m1 = F.relation("m1", at: F.at(day: 0, hour: 1))
            let m2 = F.relation("m2", at: F.at(day: 0, hour: 2))
            let both = try await store.customers.reconcile(corpID: F.corpID, F.observation("wmC", .added, user: "m2", at: F.at(day: 0, hour: 2), relations: [m1, m2]), now: Date())
            #expect(Set(both.newlyActive) == ["m1", "m2"], "a relation the missed callback was about is picked up too")

            let deleted = try await store.customers.reconcile(corpID: F.corpID, F.observation(
                "wmC", .memberDeletedCustomer, user: "m2", at: F.at(day: 2), relations: [m1]
            ), now: Date())
            #expect(deleted.ended == ["m2": .deleted])
            #expect(deleted.newlyActive.isEmpty)

            let profile = try #require(try await store.customers.profile(corpID: F.corpID, externalUserID: "wmC"))
            #expect(Dictionary(uniqueKeysWithValues: profile.relations.map { ($0.userID, $0.status) }) == ["m1": .active, "m2": .deleted])
            #expect(profile.timeline.map(\.kind) == ["deleted", "added", "added"])

            let last = try await F.end(store, "wmC", member: "m1", .memberDeletedCustomer, at: F.at(day: 3))
            #expect(last.ended == ["m1": .deleted])
            #expect(F.ids(try await store.customers.list(corpID: F.corpID, F.query { $0.status = .deleted })) == ["wmC"])
            #expect(try await store.customers.lostRelations(corpID: F.corpID, since: nil).isEmpty, "deleted is not lost")
        }
    }

    @Test("a sync ends the active relations the platform no longer shows, and revives one it shows again", arguments: TestDatabases.flavors)
    func syncEndsAndRevives(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            let m1 = F.relation("m1", at: F.at(day: 0, hour: 1))
            let m2 = F.relation("m2", at: F.at(day: 0, hour: 2))
            _ = try await store.customers.reconcile(corpID: F.corpID, F.observation("wmD", .added, user: "m1", at: F.at(day: 0, hour: 1), relations: [m1, m2]), now: Date())

            let sync = try await store.customers.reconcile(corpID: F.corpID, F.observation("wmD", .sync, user: nil, at: F.at(day: 5), relations: [m1]), now: Date())
            #expect(sync.ended == ["m2": .lost])
            #expect(sync.newlyActive.isEmpty)
            #expect(try await store.customers.activeMembers(corpID: F.corpID, externalUserID: "wmD") == ["m1"])

            let quiet = try await store.customers.reconcile(corpID: F.corpID, F.observation("wmD", .sync, user: nil, at: F.at(day: 6), relations: [m1]), now: Date())
            #expect(quiet == ReconcileOutcome())

            // The customer adds m2 again: the platform shows the relation with a new add time.
            let readded = F.relation("m2", at: F.at(day: 7))
            let revived = try await store.customers.reconcile(corpID: F.corpID, F.observation("wmD", .sync, user: nil, at: F.at(day: 7), relations: [m1, readded]), now: Date())
            #expect(revived.newlyActive == ["m2"])
            let profile = try #require(try await store.customers.profile(corpID: F.corpID, externalUserID: "wmD"))
            let relation = try #require(profile.relations.first { $0.userID == "m2" })
            #expect(relation.status == .active)
            #expect(relation.endedAt == nil)
            #expect(relation.addedAt == F.at(day: 7))
            #expect(profile.timeline.filter { $0.kind == "added" }.count == 3)
            #expect(profile.timeline.filter { $0.kind == "lost" }.count == 1)
            #expect(profile.firstAddedAt == F.at(day: 0, hour: 1), "the first add stays the first")
        }
    }

    @Test("each observation makes a relation's tags exactly the platform's", arguments: TestDatabases.flavors)
    func tagsReplacedExactly(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            try await F.add(store, "wmE", member: "m1", at: F.at(day: 0), tags: ["t1", "t2"])
            try await store.customers.changeTags(corpID: F.corpID, externalUserID: "wmE", userID: "m1", add: ["t9"], remove: ["t1"], actor: "test", now: F.at(day: 1))
            var profile = try #require(try await store.customers.profile(corpID: F.corpID, externalUserID: "wmE"))
            #expect(Set(profile.relations[0].tagIDs) == ["t2", "t9"])
            #expect(profile.timeline.map(\.kind) == ["tagged", "untagged", "added"] || profile.timeline.map(\.kind) == ["untagged", "tagged", "added"])

            try await F.add(store, "wmE", member: "m1", at: F.at(day: 0), tags: ["t2", "t3"])
            profile = try #require(try await store.customers.profile(corpID: F.corpID, externalUserID: "wmE"))
            #expect(Set(profile.relations[0].tagIDs) == ["t2", "t3"])

            try await F.add(store, "wmE", member: "m1", at: F.at(day: 0), tags: [])
            profile = try #require(try await store.customers.profile(corpID: F.corpID, externalUserID: "wmE"))
            #expect(profile.relations[0].tagIDs.isEmpty)
            #expect(try await store.customers.list(corpID: F.corpID, F.query { $0.tagIDs = ["t2"] }).isEmpty)
        }
    }

    @Test("custom fields merge, and an empty value removes a field; an unknown customer reports false", arguments: TestDatabases.flavors)
    func customFields(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            try await F.add(store, "wmF", member: "m1", at: F.at(day: 0))
            #expect(try await store.customers.setCustomFields(corpID: F.corpID, externalUserID: "wmF", fields: ["生日": "05-01", "城市": "上海"], now: Date()))
            #expect(try await store.customers.setCustomFields(corpID: F.corpID, externalUserID: "wmF", fields: ["城市": "", "会员": "金卡"], now: Date()))
            #expect(try await store.customers.profile(corpID: F.corpID, externalUserID: "wmF")?.customFields == ["生日": "05-01", "会员": "金卡"])
            #expect(try await store.customers.list(corpID: F.corpID, CustomerQuery()).first?.customFields == ["生日": "05-01", "会员": "金卡"], "the list carries them too (CSV export reads them from it)")
            #expect(try await store.customers.setCustomFields(corpID: F.corpID, externalUserID: "wmNone", fields: ["a": "b"], now: Date()) == false)
            #expect(try await store.customers.setCustomFields(corpID: "wwOther", externalUserID: "wmF", fields: ["a": "b"], now: Date()) == false)
        }
    }
}
