import Foundation
import Hummingbird
import HummingbirdTesting
import SiyuCore
import SiyuStore
import Testing

@testable import SiyuServer

/// A key of one corp learns nothing about another corp's channels and customers: 404, never 403.
@Suite("Tenant isolation: channels and customers")
struct TenantIsolationTests {
    static let added = Date(timeIntervalSince1970: 1_709_222_400)

    /// Stores a channel and a lost and an active customer for `corpID`, straight through the stores.
    static func seed(_ store: SiyuStore, corpID: String, prefix: String, sharedName: String) async throws {
        _ = try await store.channels.create(corpID: corpID, Channel(
            channelID: "chn_\(prefix)", name: "渠道\(prefix)", state: "st_\(prefix)", configID: "cfg_\(prefix)", qrCode: nil,
            settings: ChannelSettings(members: ["m1"]), activeMembers: ["m1"], createdAt: added, updatedAt: added
        ), actor: "test")
        for (customer, name) in [("wm_\(prefix)", "客户\(prefix)"), ("wm_shared", sharedName)] {
            _ = try await store.customers.reconcile(corpID: corpID, ContactObservation(
                externalUserID: customer, event: .added, userID: "m1", state: "st_\(prefix)", at: added,
                customer: CustomerFacts(externalUserID: customer, name: name),
                relations: [RelationFacts(userID: "m1", state: "st_\(prefix)", addedAt: added)]
            ), now: Date())
        }
        _ = try await store.customers.reconcile(corpID: corpID, ContactObservation(
            externalUserID: "wm_\(prefix)_lost", event: .customerDeletedMember, userID: "m1", state: nil, at: added, customer: nil, relations: []
        ), now: Date())
    }

    @Test("corp A's key gets 404 for corp B's channel and customer, and never sees B's customers in lists, counts or exports")
    func isolation() async throws {
        try await TestServer.withClient { client, store, _ in
            let (keyA, _) = try await WebhookTests.twoCorps(store)
            try await Self.seed(store, corpID: "wwA1", prefix: "a", sharedName: "甲方的客户")
            try await Self.seed(store, corpID: "wwB2", prefix: "b", sharedName: "乙方的客户")

            #expect(try await client.call(.get, "/api/v1/channels/chn_a", token: keyA).status == .ok)
            for (method, uri, json) in [
                (HTTPRequest.Method.get, "/api/v1/channels/chn_b", nil as String?),
                (.get, "/api/v1/channels/chn_b/stats", nil),
                (.patch, "/api/v1/channels/chn_b", #"{"name":"改名"}"#),
                (.delete, "/api/v1/channels/chn_b", nil),
                (.get, "/api/v1/customers/wm_b", nil),
                (.patch, "/api/v1/customers/wm_b", #"{"custom_fields":{"城市":"上海"}}"#),
            ] {
                let response = try await client.call(method, uri, token: keyA, json: json)
                #expect(response.status == .notFound, "\(method) \(uri)")
                #expect(response.errorCode == "not_found")
                #expect(!response.text.contains("渠道b") && !response.text.contains("客户b"))
            }
            #expect(try await store.channels.find(corpID: "wwB2", channelID: "chn_b")?.name == "渠道b", "B's channel is untouched")
            #expect(try await store.customers.profile(corpID: "wwB2", externalUserID: "wm_b")?.customFields == [:])

            let channels = try await client.call(.get, "/api/v1/channels", token: keyA).json()["channels"] as? [[String: Any]]
            #expect(channels?.compactMap { $0["channel_id"] as? String } == ["chn_a"])

            let list = try await client.call(.get, "/api/v1/customers?limit=1000", token: keyA)
            let customers = try #require(try list.json()["customers"] as? [[String: Any]])
            #expect(Set(customers.compactMap { $0["external_userid"] as? String }) == ["wm_a", "wm_a_lost", "wm_shared"])
            #expect(!list.text.contains("乙方的客户"))
            let byChannel = try await client.call(.get, "/api/v1/customers?channel=chn_b", token: keyA).json()["customers"] as? [Any]
            #expect(byChannel?.isEmpty == true)
            let shared = try await client.call(.get, "/api/v1/customers/wm_shared", token: keyA).json()
            #expect(shared["name"] as? String == "甲方的客户")

            let lost = try await client.call(.get, "/api/v1/lost_customers", token: keyA).json()["lost"] as? [[String: Any]]
            #expect(lost?.compactMap { $0["external_userid"] as? String } == ["wm_a_lost"])
            let counts = try await client.call(.get, "/api/v1/customer_counts", token: keyA).json()["counts"] as? [String: Int]
            #expect(counts?["customers"] == 3)
            #expect(counts?["relations_lost"] == 1)

            let export = try await client.call(.get, "/api/v1/exports/customers.csv", token: keyA)
            #expect(export.status == .ok)
            #expect(export.text.contains("wm_a"))
            #expect(!export.text.contains("wm_b"))
            #expect(!export.text.contains("乙方的客户"))
        }
    }
}
