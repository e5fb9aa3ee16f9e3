import Foundation
import Hummingbird
import HummingbirdTesting
import SiyuCore
import SiyuStore
import Testing

@testable import SiyuServer

/// Every operation of the OpenAPI document, tried as an attacker would: another corp's key on
/// this corp's ids, the admin token on routes that act for a key's corp, no token, a revoked key
/// and malformed credentials. Generated from the document, so a new route is covered the day it
/// is documented (and ``OpsTests`` fails a route that is not documented).
@Suite("Tenant isolation matrix from the OpenAPI document")
struct TenantMatrixTests {
    /// What only corp B's data contains: finding it in an answer to anyone else is a leak.
    static let secretMark = "乙方机密"

    /// Ids of corp B's things, by path parameter name.
    struct Seeded: Sendable {
        var parameters: [String: String]
        var keyB: String
        var keyA: String
        var revokedB: String
    }

    /// Two corps; B has one of everything a path can name, every name marked.
    static func seed(_ store: SiyuStore) async throws -> Seeded {
        let (keyA, keyB) = try await WebhookTests.twoCorps(store)
        for corpID in ["wwA1", "wwB2"] {
            // Any call that reaches for WeCom fails at once on loopback instead of leaving the machine.
            _ = try await store.corps.update(corpID, settings: [.wecomAPIBaseURL: "http://127.0.0.1:9"], actor: "t", now: Date())
        }
        let added = Date(timeIntervalSince1970: 1_709_222_400)
        _ = try await store.channels.create(corpID: "wwB2", Channel(
            channelID: "chn_b", name: "渠道\(secretMark)", state: "st_b", configID: "cfg_b", qrCode: nil,
            settings: ChannelSettings(members: ["mB"]), activeMembers: ["mB"], createdAt: added, updatedAt: added
        ), actor: "t")
        _ = try await store.customers.reconcile(corpID: "wwB2", ContactObservation(
            externalUserID: "wm_b", event: .added, userID: "mB", state: "st_b", at: added,
            customer: CustomerFacts(externalUserID: "wm_b", name: "客户\(secretMark)"),
            relations: [RelationFacts(userID: "mB", state: "st_b", addedAt: added)]
        ), now: Date())
        try await store.directory.upsertTagGroup(
            corpID: "wwB2", TagGroup(groupID: "etg_b", name: "组\(secretMark)", tags: [Tag(tagID: "et_b", name: "标签\(secretMark)")]), actor: "t", now: Date()
        )
        let segment = try await store.segments.save(corpID: "wwB2", name: "人群\(secretMark)", expression: "status = active", actor: "t", now: Date())
        let webhook = try await store.webhooks.register(
            corpID: "wwB2", url: "https://hooks.example.com/\(UUID().uuidString)", eventTypes: ["customer.added"], actor: "t", now: Date()
        )
        _ = try await store.serviceAccounts.register(
            ServiceAccountRegistration(corpID: "wwB2", appID: "wxb2b2b2b2b2b2b2b2", name: "服务号\(secretMark)", secret: "s", token: "tokenB", encodingAESKey: nil, mode: .plain),
            apiBaseURL: "http://127.0.0.1:9", actor: "t", now: Date()
        )
        try await store.followers.reconcile(
            corpID: "wwB2", appID: "wxb2b2b2b2b2b2b2b2", [FollowerProfile(openID: "o_b", subscribed: true, remark: "备注\(secretMark)")], syncedAt: added
        )
        let revoked = try await store.apiKeys.create(corpID: "wwB2", label: "old", actor: "t", now: Date())
        _ = try await store.apiKeys.revoke(corpID: "wwB2", keyID: revoked.info.keyID, actor: "t", now: Date())
        let keyBID = try #require(try await store.apiKeys.list(corpID: "wwB2").first { $0.revokedAt == nil }?.keyID)
        return Seeded(
            parameters: [
                "corp_id": "wwB2", "key_id": keyBID, "channel_id": "chn_b", "group_id": "etg_b", "tag_id": "et_b",
                "external_userid": "wm_b", "segment_id": segment.segmentID, "webhook_id": webhook.webhook.webhookID,
                "app_id": "wxb2b2b2b2b2b2b2b2", "openid": "o_b", "follower_tag_id": "100",
            ],
            keyB: keyB, keyA: keyA, revokedB: revoked.token
        )
    }

    /// One documented operation, its path filled with B's ids.
    struct Operation: CustomStringConvertible {
        var method: HTTPRequest.Method
        var template: String
        var uri: String
        /// The statuses the document lists for the operation.
        var documented: Set<Int>
        var description: String { "\(method) \(template)" }
        /// Whether the path names one of B's things (or B itself).
        var namesIDs: Bool { template.contains("{") }
        /// Routes under `/api/v1/corps` name the corp; the rest act for the key's corp.
        var namesCorp: Bool { template.hasPrefix("/api/v1/corps") }
    }

    static func operations(_ parameters: [String: String], campaignID: String) throws -> [Operation] {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var operations: [Operation] = []
        for (template, item) in paths.sorted(by: { $0.key < $1.key }) where template.hasPrefix("/api/v1/") {
            for (name, value) in item.sorted(by: { $0.key < $1.key }) {
                guard let method = HTTPRequest.Method(name.uppercased()), let operation = value as? [String: Any] else { continue }
                if let security = operation["security"] as? [Any], security.isEmpty { continue }
                var uri = template
                for (parameter, id) in parameters.merging(["id": campaignID], uniquingKeysWith: { $1 }) {
                    uri = uri.replacingOccurrences(of: "{\(parameter)}", with: id)
                }
                #expect(!uri.contains("{"), "\(template) has a path parameter the matrix cannot fill")
                let documented = Set(((operation["responses"] as? [String: Any]) ?? [:]).keys.compactMap { Int($0) })
                operations.append(Operation(method: method, template: template, uri: uri, documented: documented))
            }
        }
        return operations
    }

    /// A body that gets past decoding where the operation takes one, so the id check is what answers.
    static func body(for operation: Operation) -> String? {
        switch operation.method {
        case .get, .delete: nil
        default: #"{"name":"被改了","custom_fields":{"城市":"上海"},"tags":["x"],"label":"x","expression":"status = active"}"#
        }
    }

    @Test("every operation refuses another corp's key on this corp's ids, and every credential that is not one")
    func matrix() async throws {
        try await TestServer.withClient { client, store, _ in
            let seeded = try await Self.seed(store)
            let campaign = try await client.call(
                .post, "/api/v1/campaigns", token: seeded.keyB, json: #"{"name":"活动\#(Self.secretMark)","kind":"moment","text":"\#(Self.secretMark)"}"#
            )
            try #require(campaign.status == .created || campaign.status == .accepted, "\(campaign.text)")
            let campaignID = try #require(try campaign.json()["campaign_id"] as? String)
            let operations = try Self.operations(seeded.parameters, campaignID: campaignID)
            #expect(operations.count >= 40, "the document lists \(operations.count) operations")
            let before = try await Self.snapshot(client, seeded)

            var requests = 0
            func attempt(_ operation: Operation, authorization: String?, expect allowed: Set<Int>, _ label: String) async throws {
                var headers: HTTPFields = [:]
                if let authorization { headers[.authorization] = authorization }
                let body = Self.body(for: operation)
                if body != nil { headers[.contentType] = "application/json" }
                let response = try await client.execute(uri: operation.uri, method: operation.method, headers: headers, body: body.map { ByteBuffer(string: $0) })
                requests += 1
                #expect(allowed.contains(Int(response.status.code)), "\(label): \(operation) answered \(response.status.code) \(String(response.text.prefix(200)))")
                #expect(operation.documented.contains(Int(response.status.code)), "\(label): \(operation) answered \(response.status.code), which its document does not list")
                #expect(!response.text.contains(Self.secretMark), "\(label): \(operation) leaked corp B's data")
            }

            var crossCorp = 0
            for operation in operations {
                // Corp A's key on B's ids: B's things do not exist for A (404), admin-only routes say so (403).
                if operation.namesIDs {
                    crossCorp += 1
                    try await attempt(operation, authorization: "Bearer \(seeded.keyA)", expect: [403, 404], "A's key on B's ids")
                }
                // The admin token has no corp: routes that act for a key's corp refuse it.
                if !operation.namesCorp, operation.template != "/api/v1/audit" {
                    try await attempt(operation, authorization: "Bearer \(TestServer.adminToken)", expect: [403], "admin token on a corp route")
                }
                try await attempt(operation, authorization: nil, expect: [401], "no credential")
                try await attempt(operation, authorization: "Bearer \(seeded.revokedB)", expect: [401], "revoked key")
                for malformed in [
                    "Bearer", "Bearer ", "Basic d3dCMjpzZWNyZXQ=", "Bearer sk.wwB2.nokey.nosecret", "Bearer sk.wwB2",
                    "Bearer " + String(repeating: "a", count: 4000), "bearer\t\(seeded.keyB)x", "Token \(seeded.keyB)",
                    "Bearer \(seeded.keyB.dropLast())",
                ] {
                    try await attempt(operation, authorization: malformed, expect: [401], "malformed credential")
                }
            }
            let after = try await Self.snapshot(client, seeded)
            #expect(after == before, "corp B's data changed")
            let audit = try await store.audit.recent(corpID: "wwB2", limit: 1000)
            #expect(!audit.contains { $0.actor.hasPrefix("key:wwA1") }, "A's key wrote to B's audit log")
            print("tenant matrix: \(operations.count) operations, \(crossCorp) with corp ids tried by another corp's key, \(requests) requests, all refused")
        }
    }

    /// Everything corp B can read about itself, as its own key sees it.
    static func snapshot(_ client: some TestClientProtocol, _ seeded: Seeded) async throws -> [String] {
        var texts: [String] = []
        for uri in [
            "/api/v1/corps/wwB2", "/api/v1/corps/wwB2/keys", "/api/v1/channels", "/api/v1/customers", "/api/v1/customers/wm_b",
            "/api/v1/tag_groups", "/api/v1/segments", "/api/v1/webhooks", "/api/v1/campaigns", "/api/v1/contact_policy",
            "/api/v1/accounts", "/api/v1/accounts/wxb2b2b2b2b2b2b2b2/followers", "/api/v1/accounts/wxb2b2b2b2b2b2b2b2/replies",
        ] {
            let response = try await client.call(.get, uri, token: seeded.keyB)
            texts.append("\(uri) \(response.status.code) \(response.text)")
        }
        return texts
    }
}
