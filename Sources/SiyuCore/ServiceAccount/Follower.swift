import Foundation

/// Something a follower did that the account was told about, as Siyu records it.
public struct FollowerEvent: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// `subscribe`; `scene` is the parametric QR code's scene without `qrscene_`.
        case follow(scene: String?)
        case unfollow
        /// `SCAN`: a follower scanned a parametric QR code.
        case scan(scene: String)
        /// `LOCATION`: the position the follower's WeChat reported.
        case location(latitude: Double, longitude: Double, precision: Double)
        /// `CLICK`: a menu button with this key.
        case click(key: String)
        /// `VIEW`: a menu link.
        case view(url: String)
        /// A message: its `MsgType` and what the timeline shows of it (text, a picture's URL, a
        /// link's title, a position's label).
        case message(type: String, detail: [String: String])
    }

    public var openID: String
    /// `CreateTime` of the push.
    public var at: Date
    public var kind: Kind

    public init(openID: String, at: Date, kind: Kind) {
        self.openID = openID
        self.at = at
        self.kind = kind
    }

    /// The timeline's name of the event (`follow`, `scan`, `location`, `click`, `view`, `message`).
    public var timelineKind: String {
        switch kind {
        case .follow: "follow"
        case .unfollow: "unfollow"
        case .scan: "scan"
        case .location: "location"
        case .click: "click"
        case .view: "view"
        case .message: "message"
        }
    }

    /// What the timeline keeps of the event.
    public var timelineDetail: [String: String] {
        switch kind {
        case .follow(let scene): scene.map { ["scene": $0] } ?? [:]
        case .unfollow: [:]
        case .scan(let scene): ["scene": scene]
        case .location(let latitude, let longitude, let precision):
            ["latitude": String(latitude), "longitude": String(longitude), "precision": String(precision)]
        case .click(let key): ["key": key]
        case .view(let url): ["url": url]
        case .message(let type, let detail): detail.merging(["type": type]) { _, type in type }
        }
    }
}

/// A follower of a service account as Siyu keeps it. Since 2021-12-27 the platform no longer
/// returns nicknames or avatars, so the openid, the remark and the unionid identify a follower.
public struct Follower: Sendable, Equatable, Codable {
    public var appID: String
    public var openID: String
    public var subscribed: Bool
    /// The last follow (nil when only an unfollow or a message has been seen).
    public var subscribedAt: Date?
    public var unsubscribedAt: Date?
    public var unionID: String?
    public var remark: String
    public var language: String
    /// `subscribe_scene` as the platform reports it (`ADD_SCENE_QR_CODE`, …).
    public var subscribeScene: String
    /// The QR scene the follower came through.
    public var qrScene: String
    /// The QR channel the follower came through.
    public var channelID: String?
    /// The account's tag ids on the follower.
    public var tagIDs: [Int]
    public var lastSeenAt: Date?

    public init(
        appID: String, openID: String, subscribed: Bool, subscribedAt: Date? = nil, unsubscribedAt: Date? = nil, unionID: String? = nil,
        remark: String = "", language: String = "", subscribeScene: String = "", qrScene: String = "", channelID: String? = nil,
        tagIDs: [Int] = [], lastSeenAt: Date? = nil
    ) {
        self.appID = appID
        self.openID = openID
        self.subscribed = subscribed
        self.subscribedAt = subscribedAt
        self.unsubscribedAt = unsubscribedAt
        self.unionID = unionID
        self.remark = remark
        self.language = language
        self.subscribeScene = subscribeScene
        self.qrScene = qrScene
        self.channelID = channelID
        self.tagIDs = tagIDs
        self.lastSeenAt = lastSeenAt
    }

    enum CodingKeys: String, CodingKey {
        case appID = "app_id", openID = "openid", subscribed, subscribedAt = "subscribed_at", unsubscribedAt = "unsubscribed_at"
        case unionID = "unionid", remark, language, subscribeScene = "subscribe_scene", qrScene = "qr_scene", channelID = "channel_id"
        case tagIDs = "tag_ids", lastSeenAt = "last_seen_at"
    }
}

/// What `user/info` (or `user/info/batchget`) reported of one openid, for a sync.
public struct FollowerProfile: Sendable, Equatable {
    public var openID: String
    public var subscribed: Bool
    public var subscribedAt: Date?
    public var unionID: String?
    public var remark: String
    public var language: String
    public var subscribeScene: String
    public var qrScene: String
    public var tagIDs: [Int]

    public init(openID: String, subscribed: Bool, subscribedAt: Date? = nil, unionID: String? = nil, remark: String = "", language: String = "", subscribeScene: String = "", qrScene: String = "", tagIDs: [Int] = []) {
        self.openID = openID
        self.subscribed = subscribed
        self.subscribedAt = subscribedAt
        self.unionID = unionID
        self.remark = remark
        self.language = language
        self.subscribeScene = subscribeScene
        self.qrScene = qrScene
        self.tagIDs = tagIDs
    }
}
