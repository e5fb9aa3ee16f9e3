import Foundation
import Hummingbird
import SiyuCore
import SiyuStore

/// What a campaign would do, per recipient reason, before it is created: segment → the member
/// who sends to each recipient → the contact budget, without reserving anything.
///
/// `POST /api/v1/campaigns/preview` and the console's compose page both compute it here.
struct CampaignPreview: ResponseEncodable, Sendable {
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

    static func compute(
        store: SiyuStore, indexes: SegmentIndexes, corpID: String, audience text: String, channel: TouchChannel = .massMessage, sendAt: Date = Date()
    ) async throws -> CampaignPreview {
        guard text.utf8.count <= 10_000 else { throw ValidationError(field: "audience", message: "an expression is at most 10,000 bytes") }
        let expression = try SegmentController.checked { try SegmentParser.parse(text) }
        let built = try await indexes.index(for: corpID)
        let members = try SegmentController.checked { try built.index.members(expression) }
        let ids = members.map { built.customers[Int($0)] }
        let policy = try await store.contacts.policy(corpID: corpID)
        var ledger = try await store.contacts.ledger(corpID: corpID, since: CampaignStore.ledgerStart(for: policy, at: sendAt))
        let audience = try await store.contacts.audience(corpID: corpID, externalUserIDs: ids)
        let reachable = audience.filter { $0.sender != nil }
        let decisions = ContactBudget.plan(
            recipients: reachable.map(\.recipient), channel: channel, at: sendAt, policy: policy, ledger: &ledger, campaignID: "preview"
        )
        let summary = ContactBudget.PlanSummary(decisions)
        var senders: [String: Int] = [:]
        for (entry, decision) in zip(reachable, decisions) {
            if case .skip = decision { continue }
            senders[entry.sender!, default: 0] += 1
        }
        var skip = Dictionary(uniqueKeysWithValues: summary.skip.map { ($0.key.rawValue, $0.value) })
        if audience.count > reachable.count { skip["no_member"] = audience.count - reachable.count }
        return CampaignPreview(
            audience: ids.count, send: summary.send, hold: Dictionary(uniqueKeysWithValues: summary.hold.map { ($0.key.rawValue, $0.value) }),
            skip: skip, senders: senders, calls: senders.values.reduce(0) { $0 + ($1 + 9_999) / 10_000 }, sendAt: sendAt,
            expression: expression.description
        )
    }
}
