import Foundation
import Hummingbird
import SiyuCore

/// What creating a campaign would do, per recipient reason, before it is created: the summary
/// of the same ``CampaignPlan`` that creating persists, reserving nothing.
///
/// `POST /api/v1/campaigns/preview` and the console's compose page both answer it.
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
