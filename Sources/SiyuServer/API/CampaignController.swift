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

    typealias Preview = CampaignPreview

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
        return try await CampaignPreview.compute(
            store: store, indexes: indexes, corpID: corpID, audience: body.audience, channel: body.channel ?? .massMessage, sendAt: body.sendAt ?? Date()
        )
    }
}
