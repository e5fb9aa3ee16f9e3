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

        enum CodingKeys: String, CodingKey {
            case name, members, backupMembers = "backup_members", strategy, dailyCap = "daily_cap", schedule
            case autoTagIDs = "auto_tag_ids", skipVerify = "skip_verify", welcome
        }
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

        enum CodingKeys: String, CodingKey {
            case name, members, backupMembers = "backup_members", strategy, dailyCap = "daily_cap", clearDailyCap = "clear_daily_cap", schedule
            case autoTagIDs = "auto_tag_ids", skipVerify = "skip_verify", welcome, clearWelcome = "clear_welcome"
        }
    }
}
