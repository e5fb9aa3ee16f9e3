import Foundation

/// A channel code (渠道活码): a WeCom contact way with its own `state`, so every customer who
/// adds through it is attributed to it.
public struct Channel: Codable, Sendable, Equatable {
    public var channelID: String
    public var name: String
    /// The contact way's `state` (≤ 30 characters), which the add callback carries back.
    public var state: String
    public var configID: String?
    public var qrCode: String?
    public var settings: ChannelSettings
    /// Members on the contact way right now (after rotation, caps and schedule).
    public var activeMembers: [String]
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case channelID = "channel_id", name, state, configID = "config_id", qrCode = "qr_code", settings
        case activeMembers = "active_members", createdAt = "created_at", updatedAt = "updated_at"
    }

    public init(channelID: String, name: String, state: String, configID: String?, qrCode: String?, settings: ChannelSettings, activeMembers: [String], createdAt: Date, updatedAt: Date) {
        self.channelID = channelID
        self.name = name
        self.state = state
        self.configID = configID
        self.qrCode = qrCode
        self.settings = settings
        self.activeMembers = activeMembers
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public static func validateName(_ name: String) throws(ValidationError) {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 30 else {
            throw ValidationError(field: "name", message: "a channel name is 1 to 30 characters")
        }
    }
}

/// One day of a channel's growth.
public struct ChannelDay: Encodable, Sendable, Equatable {
    /// `YYYY-MM-DD` in the corp's time zone.
    public var day: String
    public var adds: Int
    public var losses: Int
    public var net: Int { adds - losses }

    enum CodingKeys: String, CodingKey { case day, adds, losses, net }

    public init(day: String, adds: Int, losses: Int) {
        self.day = day
        self.adds = adds
        self.losses = losses
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(day, forKey: .day)
        try container.encode(adds, forKey: .adds)
        try container.encode(losses, forKey: .losses)
        try container.encode(net, forKey: .net)
    }
}
