import Foundation
import Hummingbird
import SiyuCore
import SiyuStore

/// `/api/v1/contact_policy` and `/api/v1/campaigns/preview`: the contact budget before anything is sent.
struct CampaignController: Sendable {
    let campaignStore: CampaignStore
    let segments: SegmentStore
    let contacts: ContactStore
    let campaigns: CampaignService
    let time: TimeSource

    func addRoutes(to group: RouterGroup<CorpContext>) {
        group.get("contact_policy", use: policy)
        group.put("contact_policy", use: setPolicy)
        group.post("campaigns/preview", use: preview)
        group.post("campaigns", use: create)
        group.get("campaigns", use: list)
        group.get("campaigns/{id}", use: show)
        group.get("campaigns/{id}/recipients", use: recipients)
        group.post("campaigns/{id}/cancel", use: cancel)
        group.post("campaigns/{id}/remind", use: remind)
    }

    @Sendable func create(_ request: Request, context: CorpContext) async throws -> EditedResponse<Wire.CampaignDetail> {
        let corpID = context.corpID
        let draft = try await draft(try await request.decode(as: Wire.CampaignBody.self, context: context), corpID: corpID)
        let campaign = try await campaigns.create(corpID: corpID, draft, actor: context.principal.actor)
        return EditedResponse(status: .accepted, response: try await detail(corpID: corpID, campaign, tasks: false))
    }

    /// The draft a body asks for; `segment_id` names a saved segment instead of `audience.segment`.
    private func draft(_ body: Wire.CampaignBody, corpID: String) async throws -> CampaignDraft {
        var audience = body.audience ?? CampaignAudience()
        if let segmentID = body.segmentID {
            guard let saved = try await segments.find(corpID: corpID, segmentID: segmentID) else {
                throw APIError(.unprocessableContent, code: "invalid", "no saved segment \(segmentID)", field: "segment_id")
            }
            audience.segment = saved.expression
        }
        return CampaignDraft(
            name: body.name, kind: body.kind ?? .message, audience: audience,
            content: CampaignContent(text: body.text, attachments: body.attachments ?? []), sendAt: body.sendAt, deadlineHours: body.deadlineHours
        )
    }

    @Sendable func list(_ request: Request, context: CorpContext) async throws -> Wire.Page<Wire.CampaignDetail> {
        let corpID = context.corpID
        let limit = try Pagination.limit(request, default: 20, maximum: 100)
        let cursor = request.uri.queryParameters.get("cursor").map { String($0) }
        let page: (items: [CampaignService.Summary], next: String?)
        do {
            page = try await campaigns.page(corpID: corpID, limit: limit, cursor: cursor)
        } catch let error as ValidationError {
            throw APIError(.badRequest, code: "bad_request", error.message, field: error.field)
        }
        return Wire.Page(page.items.map { Wire.CampaignDetail(campaign: $0.campaign, results: $0.results, tasks: nil) }, nextCursor: page.next)
    }

    @Sendable func show(_ request: Request, context: CorpContext) async throws -> Wire.CampaignDetail {
        let corpID = context.corpID
        return try await detail(corpID: corpID, try await find(corpID: corpID, context: context), tasks: true)
    }

    @Sendable func recipients(_ request: Request, context: CorpContext) async throws -> Wire.Page<CampaignRecipient> {
        let corpID = context.corpID
        let campaign = try await find(corpID: corpID, context: context)
        let limit = try Pagination.limit(request, default: 100)
        let state = try request.uri.queryParameters.get("state").map { text -> RecipientState in
            guard let state = RecipientState(rawValue: text) else {
                throw APIError(.badRequest, code: "bad_request", "state is one of \(RecipientState.allCases.map(\.rawValue).joined(separator: ", "))", field: "state")
            }
            return state
        }
        let reason = try request.uri.queryParameters.get("reason").map { text -> RecipientReason in
            guard let reason = RecipientReason(rawValue: text) else {
                throw APIError(.badRequest, code: "bad_request", "reason is one of \(RecipientReason.allCases.map(\.rawValue).joined(separator: ", "))", field: "reason")
            }
            return reason
        }
        let items = try await campaignStore.recipients(
            corpID: corpID, campaignID: campaign.campaignID, state: state, reason: reason, after: request.uri.queryParameters.get("cursor"), limit: limit
        )
        return Wire.Page(items, nextCursor: items.count == limit ? items.last?.recipient : nil)
    }

    @Sendable func cancel(_ request: Request, context: CorpContext) async throws -> Wire.CampaignOutcome {
        let corpID = context.corpID
        let campaign = try await find(corpID: corpID, context: context)
        guard try await campaigns.cancel(corpID: corpID, campaignID: campaign.campaignID, actor: context.principal.actor) else {
            throw APIError(.conflict, code: "conflict", "the campaign is already \(campaign.state.rawValue)")
        }
        return Wire.CampaignOutcome(campaignID: campaign.campaignID, cancelled: true)
    }

    @Sendable func remind(_ request: Request, context: CorpContext) async throws -> Wire.CampaignOutcome {
        let corpID = context.corpID
        let campaign = try await find(corpID: corpID, context: context)
        let reminders = try await campaigns.remind(corpID: corpID, campaignID: campaign.campaignID)
        guard !reminders.nothingPending else { throw APIError(.conflict, code: "conflict", "no member has an unsent task in this campaign") }
        guard !reminders.limitReached else {
            throw APIError(
                .tooManyRequests, code: "remind_limit",
                "every unsent task was reminded \(CampaignTask.remindersPerWindow) times in the last \(Int(CampaignTask.reminderWindow / 3600)) hours"
            )
        }
        return Wire.CampaignOutcome(campaignID: campaign.campaignID, reminders: reminders.outcomes.mapValues(\.text))
    }

    private func find(corpID: String, context: CorpContext) async throws -> Campaign {
        let id = try context.parameters.require("id")
        guard let campaign = try await campaignStore.find(corpID: corpID, campaignID: id) else {
            throw APIError(.notFound, code: "not_found", "no campaign \(id)")
        }
        return campaign
    }

    private func detail(corpID: String, _ campaign: Campaign, tasks: Bool) async throws -> Wire.CampaignDetail {
        Wire.CampaignDetail(
            campaign: campaign, results: try await campaigns.results(corpID: corpID, campaignID: campaign.campaignID),
            tasks: tasks ? try await campaignStore.tasks(corpID: corpID, campaignID: campaign.campaignID) : nil
        )
    }

    @Sendable func policy(_ request: Request, context: CorpContext) async throws -> Wire.ContactPolicyView {
        Wire.ContactPolicyView(policy: try await contacts.policy(corpID: context.corpID))
    }

    @Sendable func setPolicy(_ request: Request, context: CorpContext) async throws -> Wire.ContactPolicyView {
        let corpID = context.corpID
        let policy = try await request.decode(as: ContactPolicy.self, context: context)
        try await contacts.setPolicy(corpID: corpID, policy, actor: context.principal.actor, now: time())
        return Wire.ContactPolicyView(policy: policy)
    }

    /// What creating the body would do, reserving nothing. The deprecated form, a segment
    /// expression as `audience` (with an optional `channel`), previews that audience alone.
    @Sendable func preview(_ request: Request, context: CorpContext) async throws -> Wire.CampaignPreview {
        let corpID = context.corpID
        var request = request
        let buffer = try await request.collectBody(limit: context.maxUploadSize)
        let object = try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any]
        if object?["audience"] is String {
            let body = try await request.decode(as: Wire.AudiencePreview.self, context: context)
            return try await campaigns.previewAudience(corpID: corpID, segment: body.audience, channel: body.channel, sendAt: body.sendAt)
        }
        let draft = try await draft(try await request.decode(as: Wire.CampaignBody.self, context: context), corpID: corpID)
        return try await campaigns.preview(corpID: corpID, draft)
    }
}
