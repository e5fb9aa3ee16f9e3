import Foundation
import Hummingbird
import SiyuCore

extension Wire {
    /// The body of `POST /api/v1/campaigns` and of `POST /api/v1/campaigns/preview` (schema
    /// `CampaignBody`): one shape, so the preview of a body answers what creating it would do.
    /// Public: the demo's client sends it as any integration would.
    public struct CampaignBody: Codable, Sendable, Equatable {
        public var name: String
        public var kind: CampaignKind?
        public var audience: CampaignAudience?
        /// A saved segment instead of `audience.segment`.
        public var segmentID: String?
        public var text: String?
        public var attachments: [CampaignAttachment]?
        public var sendAt: Date?
        public var deadlineHours: Int?

        public init(
            name: String, kind: CampaignKind? = nil, audience: CampaignAudience? = nil, segmentID: String? = nil, text: String? = nil,
            attachments: [CampaignAttachment]? = nil, sendAt: Date? = nil, deadlineHours: Int? = nil
        ) {
            self.name = name
            self.kind = kind
            self.audience = audience
            self.segmentID = segmentID
            self.text = text
            self.attachments = attachments
            self.sendAt = sendAt
            self.deadlineHours = deadlineHours
        }

        enum CodingKeys: String, CodingKey {
            case name, kind, audience, segmentID = "segment_id", text, attachments, sendAt = "send_at", deadlineHours = "deadline_hours"
        }
    }

    /// Deprecated preview body (schema `AudiencePreview`): a segment expression as `audience`,
    /// no name or content; it previews that audience alone.
    struct AudiencePreview: Decodable {
        var audience: String
        var channel: TouchChannel?
        var sendAt: Date?
        enum CodingKeys: String, CodingKey { case audience, channel, sendAt = "send_at" }
    }

    /// A campaign with its results so far, and its platform tasks (schema `Campaign`).
    struct CampaignDetail: ResponseEncodable, Listed {
        static var listName: String { "items" }
        var campaign: Campaign
        var results: CampaignResults
        var tasks: [CampaignTask]?

        func encode(to encoder: any Encoder) throws {
            try campaign.encode(to: encoder)
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(results, forKey: .results)
            try c.encodeIfPresent(tasks, forKey: .tasks)
        }
        enum Keys: String, CodingKey { case results, tasks }
    }

    /// What cancel and remind did.
    struct CampaignOutcome: ResponseEncodable {
        var campaignID: String
        var cancelled: Bool?
        var reminders: [String: String]?
        enum CodingKeys: String, CodingKey { case campaignID = "campaign_id", cancelled, reminders }
    }

    /// What creating a campaign would do, per recipient reason, before it is created: the summary
    /// of the same ``CampaignPlan`` that creating persists, reserving nothing.
    struct CampaignPreview: ResponseEncodable, Sendable, Equatable {
        var summary: CampaignPlan.Summary
        /// The segment expression as parsed (message campaigns).
        var expression: String?

        func encode(to encoder: any Encoder) throws {
            try summary.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeIfPresent(expression, forKey: .expression)
        }

        enum CodingKeys: String, CodingKey { case expression }
    }

    /// The corp's contact policy as the API shows it.
    struct ContactPolicyView: ResponseEncodable {
        var policy: ContactPolicy
        func encode(to encoder: any Encoder) throws { try policy.encode(to: encoder) }
    }
}

extension CampaignRecipient: Wire.Listed { static var listName: String { "items" } }
