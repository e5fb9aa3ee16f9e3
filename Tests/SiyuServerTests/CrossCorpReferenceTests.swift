import Foundation
import Hummingbird
import HummingbirdTesting
import SiyuCore
import SiyuStore
import Testing
import WeCom

@testable import SiyuServer

/// A corp's requests may name only its own members, groups and tags: another corp's ids are
/// refused with 422 naming the field, and nothing is created.
@Suite("Ids of another corp inside a corp's requests")
struct CrossCorpReferenceTests {
    /// Members, a group and a tag for each corp, with ids that say whose they are.
    static func seedDirectories(_ store: SiyuStore) async throws {
        for (corpID, suffix) in [("wwA1", "A"), ("wwB2", "B")] {
            _ = try await store.directory.replaceMembers(
                corpID: corpID, departments: [], members: [MemberRecord(userID: "m\(suffix)", name: "成员\(suffix)", departments: [1])], now: Date()
            )
            try await store.directory.upsertTagGroup(
                corpID: corpID, TagGroup(groupID: "etg\(suffix)", name: "组\(suffix)", tags: [Tag(tagID: "et\(suffix)", name: "标签\(suffix)")]), actor: "t", now: Date()
            )
            try await store.groups.upsert(
                corpID: corpID, chatID: "wr\(suffix)", name: "群\(suffix)", owner: "m\(suffix)", notice: nil, createdAt: Date(), members: [], now: Date()
            )
        }
    }

    @Test("campaigns naming another corp's members, groups or tags are refused with the field; none is created")
    func campaigns() async throws {
        try await TestServer.withClient { client, store, _ in
            let (keyA, _) = try await WebhookTests.twoCorps(store)
            try await Self.seedDirectories(store)
            for (json, field) in [
                (#"{"name":"m","kind":"moment","audience":{"members":["mB"]},"text":"hi"}"#, "audience.members"),
                (#"{"name":"m","kind":"moment","audience":{"members":["mA"],"tag_ids":["etB"]},"text":"hi"}"#, "audience.tag_ids"),
                (#"{"name":"g","kind":"group_message","audience":{"chat_ids":["wrB"]},"text":"hi"}"#, "audience.chat_ids"),
                (#"{"name":"g","kind":"group_message","audience":{"members":["mB"]},"text":"hi"}"#, "audience.members"),
                (#"{"name":"g","kind":"group_message","audience":{"members":[""]},"text":"hi"}"#, "audience.members"),
            ] {
                let refused = try await client.call(.post, "/api/v1/campaigns", token: keyA, json: json)
                #expect(refused.status == .unprocessableContent, "\(json): \(refused.text)")
                #expect(try (refused.json()["error"] as? [String: Any])?["field"] as? String == field, "\(json)")
            }
            #expect(try await store.campaigns.list(corpID: "wwA1", limit: 10).isEmpty)
        }
    }

    @Test("an opt-out tag of another corp is refused; the corp's own is saved")
    func contactPolicy() async throws {
        try await TestServer.withClient { client, store, _ in
            let (keyA, _) = try await WebhookTests.twoCorps(store)
            try await Self.seedDirectories(store)
            let refused = try await client.call(.put, "/api/v1/contact_policy", token: keyA, json: #"{"opt_out_tag_ids":["etA","etB"]}"#)
            #expect(refused.status == .unprocessableContent)
            #expect(try (refused.json()["error"] as? [String: Any])?["field"] as? String == "opt_out_tag_ids")
            #expect(try await store.contacts.policy(corpID: "wwA1").optOutTagIDs.isEmpty)
            let saved = try await client.call(.put, "/api/v1/contact_policy", token: keyA, json: #"{"opt_out_tag_ids":["etA"]}"#)
            #expect(saved.status == .ok)
            #expect(try await store.contacts.policy(corpID: "wwA1").optOutTagIDs == ["etA"])
        }
    }

    @Test("bulk tagging with another corp's tag is refused with the field")
    func tagging() async throws {
        try await TestServer.withClient { client, store, _ in
            let (keyA, _) = try await WebhookTests.twoCorps(store)
            try await Self.seedDirectories(store)
            let refused = try await client.call(.post, "/api/v1/customer_tags", token: keyA, json: #"{"external_userids":["wmX"],"add":["etB"]}"#)
            #expect(refused.status == .unprocessableContent, "\(refused.text)")
            #expect(try (refused.json()["error"] as? [String: Any])?["field"] as? String == "add")
        }
    }

    @Test("a WeCom refusal caused by the caller's input is a 422 that says what to fix; other refusals stay 502")
    func callerInputRefusals() {
        let input = APIError.from(WeComAPIError(errcode: 60111, errmsg: "userid not found", path: "/cgi-bin/externalcontact/add_contact_way"))
        #expect(input.status == .unprocessableContent)
        #expect(input.code == "rejected_by_wecom")
        #expect(input.message.contains("does not exist"))
        let platform = APIError.from(WeComAPIError(errcode: 48002, errmsg: "api forbidden", path: "/cgi-bin/externalcontact/add_contact_way"))
        #expect(platform.status == .badGateway)
    }

    @Test("limit above the maximum is refused on campaign lists and recipients, not silently clamped")
    func limits() async throws {
        try await TestServer.withClient { client, store, _ in
            let (keyA, _) = try await WebhookTests.twoCorps(store)
            let list = try await client.call(.get, "/api/v1/campaigns?limit=101", token: keyA)
            #expect(list.status == .badRequest)
            #expect(try (list.json()["error"] as? [String: Any])?["field"] as? String == "limit")
            #expect(try await client.call(.get, "/api/v1/campaigns?limit=abc", token: keyA).status == .badRequest)
            #expect(try await client.call(.get, "/api/v1/campaigns?limit=100", token: keyA).status == .ok)
        }
    }
}
