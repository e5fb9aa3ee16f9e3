import SiyuCore

extension Wire {
    /// The body of `POST /api/v1/channels`.
    struct ChannelCreate: Decodable {
        var name: String
        var members: [String]
        var backupMembers: [String]?
        var strategy: RotationStrategy?
        var dailyCap: Int?
        var schedule: [String: [String]]?
        var autoTagIDs: [String]?
        var skipVerify: Bool?
        var welcome: WelcomeMessage?
        var followerTagIDs: [Int]?
        var followerWelcome: ReplyContent?

        enum CodingKeys: String, CodingKey {
            case name, members, backupMembers = "backup_members", strategy, dailyCap = "daily_cap", schedule
            case autoTagIDs = "auto_tag_ids", skipVerify = "skip_verify", welcome
            case followerTagIDs = "follower_tag_ids", followerWelcome = "follower_welcome"
        }
    }

    /// The body of `POST /api/v1/channels/{channel_id}/qrcode`: a permanent code unless `expire_seconds` is given.
    struct ChannelQRCodeRequest: Decodable {
        var appID: String
        var expireSeconds: Int?
        enum CodingKeys: String, CodingKey { case appID = "app_id", expireSeconds = "expire_seconds" }
    }

    /// The body of `PATCH /api/v1/channels/{channel_id}`: what is given changes.
    struct ChannelUpdate: Decodable {
        var name: String?
        var members: [String]?
        var backupMembers: [String]?
        var strategy: RotationStrategy?
        var dailyCap: Int?
        var clearDailyCap: Bool?
        var schedule: [String: [String]]?
        var autoTagIDs: [String]?
        var skipVerify: Bool?
        var welcome: WelcomeMessage?
        var clearWelcome: Bool?
        var followerTagIDs: [Int]?
        var followerWelcome: ReplyContent?
        var clearFollowerWelcome: Bool?

        enum CodingKeys: String, CodingKey {
            case name, members, backupMembers = "backup_members", strategy, dailyCap = "daily_cap", clearDailyCap = "clear_daily_cap", schedule
            case autoTagIDs = "auto_tag_ids", skipVerify = "skip_verify", welcome, clearWelcome = "clear_welcome"
            case followerTagIDs = "follower_tag_ids", followerWelcome = "follower_welcome", clearFollowerWelcome = "clear_follower_welcome"
        }
    }
}
