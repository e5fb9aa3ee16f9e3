import Foundation
import Hummingbird
import SiyuCore
import SiyuStore

/// `/api/v1/contact_policy` and `/api/v1/campaigns/preview`: the contact budget before anything is sent.
struct CampaignController: Sendable {
    let store: SiyuStore
    let indexes: SegmentIndexes

    struct PreviewRequest: Decodable {
        var audience: String
        var channel: TouchChannel?
        var sendAt: Date?
        enum CodingKeys: String, CodingKey { case audience, channel, sendAt = "send_at" }
    }

    /// What a campaign would do, per recipient reason, before it is created.
    struct Preview: ResponseEncodable {
        var audience: Int
        var send: Int
        var hold: [String: Int]
        var skip: [String: Int]
        /// Recipients per sending member (each member's part goes out in calls of up to 10,000).
        var senders: [String: Int]
        var calls: Int
        var sendAt: Date
        var expression: String

        enum CodingKeys: String, CodingKey { case audience, send, hold, skip, senders, calls, sendAt = "send_at", expression }
    }

    struct PolicyView: ResponseEncodable {
        var policy: ContactPolicy
        func encode(to encoder: any Encoder) throws { try policy.encode(to: encoder) }
    }

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.get("contact_policy", use: policy)
        group.put("contact_policy", use: setPolicy)
        group.post("campaigns/preview", use: preview)
    }

    @Sendable func policy(_ request: Request, context: AuthenticatedContext) async throws -> PolicyView {
        PolicyView(policy: try await store.contacts.policy(corpID: try context.actingCorp()))
    }

    @Sendable func setPolicy(_ request: Request, context: AuthenticatedContext) async throws -> PolicyView {
        let corpID = try context.actingCorp()
        let policy = try await request.decode(as: ContactPolicy.self, context: context)
        try await store.contacts.setPolicy(corpID: corpID, policy, actor: context.principal.actor)
        return PolicyView(policy: policy)
    }

    /// Segment → sender of each recipient → contact budget, without reserving anything.
    @Sendable func preview(_ request: Request, context: AuthenticatedContext) async throws -> Preview {
        let corpID = try context.actingCorp()
        let body = try await request.decode(as: PreviewRequest.self, context: context)
        let expression = try SegmentController.checked { try SegmentParser.parse(body.audience) }
        let built = try await indexes.index(for: corpID)
        let members = try SegmentController.checked { try built.index.members(expression) }
        let ids = members.map { built.customers[Int($0)] }
        let policy = try await store.contacts.policy(corpID: corpID)
        let sendAt = body.sendAt ?? Date()
        var ledger = try await store.contacts.ledger(corpID: corpID, since: sendAt.addingTimeInterval(-Double(max(62, 2 * (policy.brandCap?.days ?? 0))) * 86400))
        let audience = try await store.contacts.audience(corpID: corpID, externalUserIDs: ids)
        let reachable = audience.filter { $0.sender != nil }
        let decisions = ContactBudget.plan(
            recipients: reachable.map(\.recipient), channel: body.channel ?? .massMessage, at: sendAt, policy: policy, ledger: &ledger, campaignID: "preview"
        )
        let summary = ContactBudget.PlanSummary(decisions)
        var senders: [String: Int] = [:]
        for (entry, decision) in zip(reachable, decisions) {
            if case .skip = decision { continue }
            senders[entry.sender!, default: 0] += 1
        }
        var skip = Dictionary(uniqueKeysWithValues: summary.skip.map { ($0.key.rawValue, $0.value) })
        if audience.count > reachable.count { skip["no_member"] = audience.count - reachable.count }
        return Preview(
            audience: ids.count, send: summary.send, hold: Dictionary(uniqueKeysWithValues: summary.hold.map { ($0.key.rawValue, $0.value) }),
            skip: skip, senders: senders, calls: senders.values.reduce(0) { $0 + ($1 + 9_999) / 10_000 }, sendAt: sendAt,
            expression: expression.description
        )
    }
}
