import Foundation

/// One person as an Official Account knows them: an openid, whether they follow now, how they
/// came, and the customer-service windows their last actions opened.
public struct OfficialAccountFollower: Codable, Sendable, Equatable {
    public var openID: String
    public var unionID: String?
    public var subscribed: Bool
    /// The last follow (the platform reports the last one, not the first).
    public var subscribeTime: Int
    public var unsubscribeTime: Int?
    /// `ADD_SCENE_SEARCH`, `ADD_SCENE_QR_CODE`, …
    public var subscribeScene: String
    public var qrScene: Int
    public var qrSceneStr: String
    public var remark: String
    public var language: String
    public var tagIDs: [Int]
    /// Customer-service messages sent to this person, oldest first.
    public var sent: [CustomMessageRecord]
    /// Opened by a message from the person: 5 sends within 48 h.
    var messageWindow: InteractionWindow?
    /// Opened by a follow, a scan or a click-type menu event: 3 sends within 1 min.
    var eventWindow: InteractionWindow?

    enum CodingKeys: String, CodingKey {
        case openID = "openid", unionID = "unionid", subscribed = "subscribe", subscribeTime = "subscribe_time"
        case unsubscribeTime = "unsubscribe_time", subscribeScene = "subscribe_scene", qrScene = "qr_scene"
        case qrSceneStr = "qr_scene_str", remark, language, tagIDs = "tagid_list", sent = "custom_messages"
        case messageWindow = "message_window", eventWindow = "event_window"
    }

    /// The QR scene the person came with, as the platform writes it in `EventKey` (empty: none).
    var scene: String { qrSceneStr.isEmpty ? (qrScene == 0 ? "" : String(qrScene)) : qrSceneStr }
}

/// A customer-service sending window: how many sends remain until when.
struct InteractionWindow: Codable, Sendable, Equatable {
    var closesAt: Int
    var remaining: Int

    enum CodingKeys: String, CodingKey { case closesAt = "closes_at", remaining }
}

/// A message sent through `message/custom/send`, kept so tests can read what a person received.
public struct CustomMessageRecord: Codable, Sendable, Equatable {
    public var msgType: String
    public var sentAt: Int
    /// The request body as the caller sent it.
    public var body: String

    enum CodingKeys: String, CodingKey { case msgType = "msgtype", sentAt = "sent_at", body }
}

/// A follower tag (`tags/*`).
struct FollowerTag: Sendable, Equatable {
    var id: Int
    var name: String
}

/// A parametric QR code (`qrcode/create`).
struct ParametricQRCode: Sendable, Equatable {
    var ticket: String
    var actionName: String
    var sceneID: Int?
    var sceneStr: String?
    /// Nil for permanent codes.
    var expiresAt: Int?
    var url: String

    /// `EventKey` after a scan by a follower; `qrscene_` + this for a new follower.
    var scene: String { sceneStr ?? String(sceneID ?? 0) }
}

/// Temporary media (`media/upload`), valid three days.
struct UploadedMedia: Sendable, Equatable {
    var mediaID: String
    var type: String
    var createdAt: Int
    var size: Int
}

/// Follows and unfollows on one China-time day, attributed to a QR scene ("" for none).
public struct FollowCounts: Codable, Sendable, Equatable {
    public var day: String
    public var scene: String
    public var subscribe: Int
    public var unsubscribe: Int
}

/// An access token and when it stops working.
struct TokenGrant: Sendable, Equatable {
    var appID: String
    var token: String
    var expiresAt: Int
}

/// Everything the sandbox keeps for one account.
struct OfficialAccountState: Sendable {
    var config: OfficialAccountConfig
    /// The key before the last change, kept so replies encrypted with it can still be read.
    var previousAESKey: String?
    var followers: [String: OfficialAccountFollower] = [:]
    /// Openids in the order they first followed (the order `user/get` lists them).
    var followOrder: [String] = []
    var tags: [Int: FollowerTag] = [:]
    var nextTagID = 100
    var qrCodes: [String: ParametricQRCode] = [:]
    var menu: [OfficialAccountMenuButton]?
    var media: [String: UploadedMedia] = [:]
    /// `token`: the newest grant; `stable_token`: the current one.
    var latestToken: TokenGrant?
    var stableToken: TokenGrant?
    /// `token` calls per China-time day (quota 2000).
    var tokenCalls: [String: Int] = [:]
    /// When `stable_token` force-refreshed, for the 20-a-day and 30-second limits.
    var forceRefreshes: [Int] = []
    var followCounts: [String: FollowCounts] = [:]
    var deliveries: [OfficialAccountDelivery] = []

    init(config: OfficialAccountConfig) {
        self.config = config
    }

    /// Counts a follow or unfollow under its day and scene.
    mutating func count(day: String, scene: String, subscribe: Bool) {
        let key = day + "\u{1F}" + scene
        var counts = followCounts[key] ?? FollowCounts(day: day, scene: scene, subscribe: 0, unsubscribe: 0)
        if subscribe { counts.subscribe += 1 } else { counts.unsubscribe += 1 }
        followCounts[key] = counts
    }
}
