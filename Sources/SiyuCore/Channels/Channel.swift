import Foundation

/// A channel code (渠道活码): a WeCom contact way with its own `state`, so every customer who
/// adds through it is attributed to it; and, when it has one, a service account's parametric QR
/// code whose scene is the same `state`, so followers who come through it are attributed too.
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
    /// The service account's QR code of this channel, when it has one.
    public var officialAccountQR: ChannelQRCode?
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case channelID = "channel_id", name, state, configID = "config_id", qrCode = "qr_code", settings
        case activeMembers = "active_members", officialAccountQR = "mp_qr_code", createdAt = "created_at", updatedAt = "updated_at"
    }

    public init(
        channelID: String, name: String, state: String, configID: String?, qrCode: String?, settings: ChannelSettings, activeMembers: [String],
        officialAccountQR: ChannelQRCode? = nil, createdAt: Date, updatedAt: Date
    ) {
        self.channelID = channelID
        self.name = name
        self.state = state
        self.configID = configID
        self.qrCode = qrCode
        self.settings = settings
        self.activeMembers = activeMembers
        self.officialAccountQR = officialAccountQR
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

/// A service account's parametric QR code on a channel: `QR_LIMIT_STR_SCENE` (permanent, one of
/// the account's 100,000) or `QR_STR_SCENE` (temporary, at most 30 days). A new follower's
/// `subscribe` carries `qrscene_<scene>`, an existing follower's `SCAN` the bare scene.
public struct ChannelQRCode: Codable, Sendable, Equatable {
    public var appID: String
    public var scene: String
    public var ticket: String
    /// What the QR code encodes; the image is `showqrcode?ticket=`.
    public var url: String
    /// Nil for a permanent code.
    public var expiresAt: Date?

    public init(appID: String, scene: String, ticket: String, url: String, expiresAt: Date?) {
        self.appID = appID
        self.scene = scene
        self.ticket = ticket
        self.url = url
        self.expiresAt = expiresAt
    }

    enum CodingKeys: String, CodingKey { case appID = "app_id", scene, ticket, url, expiresAt = "expires_at" }

    /// A temporary code lives at most 30 days (2,592,000 s).
    public static let maximumLifetime = 2_592_000

    public static func validateLifetime(_ seconds: Int?) throws(ValidationError) {
        if let seconds, !(60...maximumLifetime).contains(seconds) {
            throw ValidationError(field: "expire_seconds", message: "a temporary QR code lives 60 s to 30 days (2592000 s); leave it out for a permanent one")
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
