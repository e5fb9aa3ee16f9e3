import Foundation
import Hummingbird
import HummingbirdTesting
import SiyuCore
import SiyuStore
import Testing

@testable import SiyuServer

@Suite("Segments over REST")
struct SegmentAPITests {
    static let now = Date()

    /// Six customers: tags, a channel, members, orders.
    static func seed(_ store: SiyuStore, corpID: String) async throws {
        try await store.directory.replaceTags(corpID: corpID, groups: [TagGroup(groupID: "g1", name: "等级", tags: [Tag(tagID: "etvip", name: "VIP"), Tag(tagID: "etnew", name: "新客")])], now: Date())
        _ = try await store.channels.create(corpID: corpID, Channel(
            channelID: "chn_store", name: "门店", state: "st1", configID: nil, qrCode: nil, settings: ChannelSettings(members: ["m1"]),
            activeMembers: ["m1"], createdAt: now, updatedAt: now
        ), actor: "t")
        for index in 1...6 {
            _ = try await store.customers.reconcile(corpID: corpID, ContactObservation(
                externalUserID: "wm\(index)", event: .added, userID: "m1", state: index <= 3 ? "st1" : nil, at: now,
                customer: CustomerFacts(externalUserID: "wm\(index)", name: "客户\(index)"),
                relations: [RelationFacts(userID: index % 2 == 0 ? "m2" : "m1", state: index <= 3 ? "st1" : nil, addedAt: now.addingTimeInterval(-Double(index) * 86400),
                                          tagIDs: index <= 2 ? ["etvip"] : (index == 3 ? ["etnew"] : []))]
            ), now: Date())
        }
        _ = try await store.orders.upsert(corpID: corpID, [
            Order(orderID: "o1", externalUserID: "wm4", amountFen: 50000, orderedAt: now),
            Order(orderID: "o2", externalUserID: "wm4", amountFen: 100, orderedAt: now),
            Order(orderID: "o3", externalUserID: "wm5", amountFen: 100, orderedAt: now),
        ], now: Date())
    }

    @Test("counts are exact, follow changes at once, and errors point at the position")
    func counts() async throws {
        try await TestServer.withClient { client, store, _ in
            _ = try await store.corps.register(TestServer.registration("wwA1"), actor: "t", now: Date())
            let key = try await store.apiKeys.create(corpID: "wwA1", label: "", actor: "t", now: Date()).token
            try await Self.seed(store, corpID: "wwA1")
            func count(_ expression: String) async throws -> Int? {
                let body = String(decoding: try JSONSerialization.data(withJSONObject: ["expression": expression]), as: UTF8.self)
                return try await client.call(.post, "/api/v1/segments/count", token: key, json: body).json()["count"] as? Int
            }
            #expect(try await count(#"tag "VIP""#) == 2)
            #expect(try await count(#"tag any ("VIP", "新客")"#) == 3)
            #expect(try await count(#"channel = "门店" and not tag "VIP""#) == 1)
            #expect(try await count(#"member = "m2""#) == 3)
            #expect(try await count("orders count >= 2") == 1)
            #expect(try await count("orders amount >= 100.00") == 1)
            #expect(try await count("added within 4 days") == 3)
            #expect(try await count("status = active") == 6)

            // A tag added now is counted now.
            try await store.customers.changeTags(corpID: "wwA1", externalUserID: "wm6", userID: "m2", add: ["etvip"], remove: [], actor: "t", now: Date())
            #expect(try await count(#"tag "VIP""#) == 3)

            let bad = try await client.call(.post, "/api/v1/segments/count", token: key, json: #"{"expression":"tag \"VIP\" and (channel in (\"门店\")"}"#)
            #expect(bad.status == .unprocessableContent)
            let error = try #require(try bad.json()["error"] as? [String: Any])
            #expect(error["code"] as? String == "invalid_segment")
            #expect((error["position"] as? [String: Any])?["column"] as? Int != nil)
            let unknown = try await client.call(.post, "/api/v1/segments/count", token: key, json: #"{"expression":"tag \"不存在\""}"#)
            #expect(unknown.status == .unprocessableContent)
        }
    }

    @Test("segments are saved by name, counted when read, renamed, refused when invalid, and private to their corp")
    func saved() async throws {
        try await TestServer.withClient { client, store, _ in
            _ = try await store.corps.register(TestServer.registration("wwA1"), actor: "t", now: Date())
            _ = try await store.corps.register(TestServer.registration("wwB2"), actor: "t", now: Date())
            let keyA = try await store.apiKeys.create(corpID: "wwA1", label: "", actor: "t", now: Date()).token
            let keyB = try await store.apiKeys.create(corpID: "wwB2", label: "", actor: "t", now: Date()).token
            try await Self.seed(store, corpID: "wwA1")
            let created = try await client.call(.post, "/api/v1/segments", token: keyA, json: #"{"name":"高价值","expression":"tag \"VIP\" or orders amount >= 100"}"#)
            #expect(created.status == .created)
            let body = try created.json()
            #expect(body["count"] as? Int == 3)
            let id = try #require(body["segment_id"] as? String)
            #expect(try await client.call(.post, "/api/v1/segments", token: keyA, json: #"{"name":"高价值","expression":"tag \"VIP\""}"#).status == .conflict)
            #expect(try await client.call(.post, "/api/v1/segments", token: keyA, json: #"{"name":"坏的","expression":"tag and"}"#).status == .unprocessableContent)
            #expect(try await client.call(.get, "/api/v1/segments", token: keyA).json()["segments"].map { ($0 as? [Any])?.count } == 1)

            let renamed = try await client.call(.patch, "/api/v1/segments/\(id)", token: keyA, json: #"{"name":"VIP","expression":"tag \"VIP\""}"#).json()
            #expect(renamed["name"] as? String == "VIP")
            #expect(renamed["count"] as? Int == 2)
            #expect(try await client.call(.get, "/api/v1/segments/\(id)", token: keyB).status == .notFound)
            #expect(try await client.call(.delete, "/api/v1/segments/\(id)", token: keyB).status == .notFound)
            #expect(try await client.call(.delete, "/api/v1/segments/\(id)", token: keyA).status == .noContent)
            #expect(try await client.call(.get, "/api/v1/segments/\(id)", token: keyA).status == .notFound)
        }
    }
}

@Suite("Segment indexes catch up in place")
struct SegmentIndexRefreshTests {
    static let expressions = ["tag \"VIP\"", "member = \"m2\"", "orders count >= 1", "status = lost", "channel = \"门店\"", "tag none (\"VIP\", \"新客\")"]

    /// The counts of an index that followed the changes must equal a fresh build's.
    func expectSameAsFresh(_ indexes: SegmentIndexes, _ store: SiyuStore, corpID: String) async throws {
        let followed = try await indexes.index(for: corpID)
        let fresh = SegmentIndexes.build(try await store.segments.snapshot(corpID: corpID, now: Date()), calendar: .platform)
        for text in Self.expressions {
            let expression = try SegmentParser.parse(text)
            let a = Set(try followed.index.members(expression, now: Date()).map { followed.customers[Int($0)] })
            let b = Set(try fresh.index.members(expression, now: Date()).map { fresh.customers[Int($0)] })
            #expect(a == b, "\(text)")
        }
    }

    @Test("customer-level changes update the index in place; a change of names rebuilds it; the result always equals a fresh build")
    func inPlace() async throws {
        try await TestServer.withClient { _, store, _ in
            _ = try await store.corps.register(TestServer.registration("wwA1"), actor: "t", now: Date())
            try await SegmentAPITests.seed(store, corpID: "wwA1")
            let indexes = SegmentIndexes(store: store, time: .system)
            _ = try await indexes.index(for: "wwA1")
            #expect(await indexes.lastRefresh["wwA1"] == .rebuilt)

            // A tag edit, an order, a lost relation and a new customer: four customers, in place.
            try await store.customers.changeTags(corpID: "wwA1", externalUserID: "wm5", userID: "m1", add: ["etvip"], remove: [], actor: "t", now: Date())
            _ = try await store.orders.upsert(corpID: "wwA1", [Order(orderID: "o9", externalUserID: "wm6", amountFen: 900, orderedAt: SegmentAPITests.now)], now: Date())
            _ = try await store.customers.reconcile(corpID: "wwA1", ContactObservation(
                externalUserID: "wm1", event: .customerDeletedMember, userID: "m1", state: nil, at: SegmentAPITests.now,
                customer: CustomerFacts(externalUserID: "wm1", name: "客户1"), relations: []
            ), now: Date())
            _ = try await store.customers.reconcile(corpID: "wwA1", ContactObservation(
                externalUserID: "wm7", event: .added, userID: "m2", state: nil, at: SegmentAPITests.now,
                customer: CustomerFacts(externalUserID: "wm7", name: "客户7"),
                relations: [RelationFacts(userID: "m2", state: nil, addedAt: SegmentAPITests.now, tagIDs: ["etnew"])]
            ), now: Date())
            try await expectSameAsFresh(indexes, store, corpID: "wwA1")
            #expect(await indexes.lastRefresh["wwA1"] == .updated(customers: 4))
            let built = try await indexes.index(for: "wwA1")
            #expect(try built.index.count(SegmentParser.parse("tag \"VIP\""), now: Date()) == 3)

            // A new tag name: rebuilt, and still equal.
            try await store.directory.replaceTags(corpID: "wwA1", groups: [TagGroup(groupID: "g1", name: "等级", tags: [
                Tag(tagID: "etvip", name: "VIP"), Tag(tagID: "etnew", name: "新客"), Tag(tagID: "etgold", name: "金卡"),
            ])], now: Date())
            try await expectSameAsFresh(indexes, store, corpID: "wwA1")
            #expect(await indexes.lastRefresh["wwA1"] == .rebuilt)
        }
    }
}
