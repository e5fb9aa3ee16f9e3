import Foundation
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
}
