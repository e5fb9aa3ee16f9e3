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

/// Calendar days in the corp's time zone (China Standard Time unless configured).
public struct BusinessCalendar: Sendable {
    public var utcOffsetSeconds: Int

    public init(utcOffsetSeconds: Int = 8 * 3600) {
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    /// The day number (days since 1970-01-01 in local time) of an instant.
    public func dayNumber(_ date: Date) -> Int {
        Int(((date.timeIntervalSince1970 + Double(utcOffsetSeconds)) / 86400).rounded(.down))
    }

    public func startOfDay(_ date: Date) -> Date {
        Date(timeIntervalSince1970: Double(dayNumber(date) * 86400 - utcOffsetSeconds))
    }

    /// `YYYY-MM-DD` of a day number.
    public func label(dayNumber: Int) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(dayNumber * 86400)))
        return String(format: "%04d-%02d-%02d", components.year!, components.month!, components.day!)
    }

    /// ISO weekday (1 = Monday … 7 = Sunday) of an instant.
    public func weekday(_ date: Date) -> Int {
        // 1970-01-01 was a Thursday (4).
        (dayNumber(date) + 3) % 7 + 1
    }
}
