import Foundation
import SiyuCore
import SiyuStore

extension Campaign {
    /// A message campaign to `segment` created at `now`, through the same draft rules as the API.
    public static func fixture(
        _ name: String, segment: String = "status = active", text: String = "hi", sendAt: Date, deadlineHours: Int = 72, now: Date
    ) throws -> Campaign {
        let draft = CampaignDraft(
            name: name, kind: .message, audience: CampaignAudience(segment: segment), content: CampaignContent(text: text),
            sendAt: sendAt, deadlineHours: deadlineHours
        )
        return Campaign(id: "cmp_" + Hex.random(bytes: 8), try draft.validate(now: min(now, sendAt)), createdBy: "t", now: now)
    }
}

extension CampaignStore {
    /// Creates `campaign` for customers by id (the store finds each one's sender) and returns it.
    @discardableResult
    public func create(corpID: String, _ campaign: Campaign, recipients: [String], now: Date) async throws -> Campaign {
        _ = try await create(corpID: corpID, campaign, targets: recipients.map { CampaignTarget($0, sender: nil) }, now: now)
        return campaign
    }
}
