import Foundation
import Hummingbird
import SiyuCore
import SiyuStore
import WeCom

extension ServiceAccountSummary: Wire.Listed, ResponseEncodable { static var listName: String { "accounts" } }
extension Follower: Wire.Listed, ResponseEncodable { static var listName: String { "followers" } }
extension ReplyRulesDocument: ResponseEncodable {}
extension FollowerTag: Wire.Listed, ResponseEncodable { static var listName: String { "tags" } }
extension UploadedMedia: ResponseEncodable {}

extension Wire {
    /// `#/components/schemas/ServiceAccountRegistration` (admin only).
    struct ServiceAccountRegistration: Decodable {
        var appID: String
        var name: String?
        var secret: String
        var token: String
        var aesKey: String?
        var mode: CallbackMode?
        var apiBaseURL: String?
        enum CodingKeys: String, CodingKey { case appID = "app_id", name, secret, token, aesKey = "aes_key", mode, apiBaseURL = "api_base_url" }
    }

    /// `#/components/schemas/ServiceAccountUpdate` (admin only); `api_base_url: null` goes back to the platform.
    struct ServiceAccountUpdate: Decodable {
        var name: String?
        var mode: CallbackMode?
        var secret: String?
        var token: String?
        var apiBaseURL: String??
        enum CodingKeys: String, CodingKey { case name, mode, secret, token, apiBaseURL = "api_base_url" }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decodeIfPresent(String.self, forKey: .name)
            mode = try container.decodeIfPresent(CallbackMode.self, forKey: .mode)
            secret = try container.decodeIfPresent(String.self, forKey: .secret)
            token = try container.decodeIfPresent(String.self, forKey: .token)
            apiBaseURL = container.contains(.apiBaseURL) ? .some(try container.decodeIfPresent(String.self, forKey: .apiBaseURL)) : nil
        }
    }

    struct KeyRotation: Decodable {
        var aesKey: String
        enum CodingKeys: String, CodingKey { case aesKey = "aes_key" }
    }

    /// `#/components/schemas/FollowerProfile`: a follower and the newest entries of their timeline.
    struct FollowerProfile: ResponseEncodable {
        var follower: Follower
        var timeline: [TimelineEntry]

        struct TimelineEntry: Encodable {
            var at: Date
            var kind: String
            var detail: [String: String]
        }
    }

    /// `#/components/schemas/FollowerGrowth`.
    struct FollowerGrowth: ResponseEncodable {
        var days: [Day]

        struct Day: Encodable {
            var day: String
            var new: Int
            var lost: Int
            var net: Int
            var total: Int
        }

        init(_ days: [GrowthDay]) {
            self.days = days.map { Day(day: $0.day, new: $0.new, lost: $0.lost, net: $0.net, total: $0.total) }
        }
    }

    /// `#/components/schemas/AccountMenuState`: the menu last published.
    struct AccountMenuState: ResponseEncodable {
        var menu: AccountMenu?
        var publishedAt: Date?
        enum CodingKeys: String, CodingKey { case menu, publishedAt = "published_at" }
    }

    struct FollowerTagCreate: Decodable {
        var name: String
    }

    /// `#/components/schemas/FollowerTagging`: openids to tag (or untag with `tagged: false`).
    struct FollowerTagging: Decodable {
        var openIDs: [String]
        var tagged: Bool?
        enum CodingKeys: String, CodingKey { case openIDs = "openids", tagged }
    }

    struct FollowerTagged: ResponseEncodable {
        var tagID: Int
        var openIDs: [String]
        var tagged: Bool
        enum CodingKeys: String, CodingKey { case tagID = "tag_id", openIDs = "openids", tagged }
    }
}
