import Foundation

// The Official Account server API (api.weixin.qq.com/cgi-bin) that Siyu calls, with the JSON
// shapes of the platform's documentation (§1.4–1.7 of the protocol notes). A `WeComClient`
// built with `TokenSource.officialAccount` talks to it.

/// `user/get`: one page of followers' openids.
public struct FollowerListPage: Decodable, Sendable, Equatable {
    public var total: Int
    public var count: Int
    public var openIDs: [String]
    /// Empty on the last page.
    public var nextOpenID: String

    enum CodingKeys: String, CodingKey { case total, count, data, nextOpenID = "next_openid" }
    struct Data: Decodable { var openid: [String]? }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        total = try container.decodeIfPresent(Int.self, forKey: .total) ?? 0
        count = try container.decodeIfPresent(Int.self, forKey: .count) ?? 0
        openIDs = try container.decodeIfPresent(Data.self, forKey: .data)?.openid ?? []
        nextOpenID = try container.decodeIfPresent(String.self, forKey: .nextOpenID) ?? ""
    }
}

/// One entry of `user/info` or `user/info/batchget`. `subscribe` 0 means the rest is absent.
public struct FollowerInfo: Decodable, Sendable, Equatable {
    public var subscribe: Int
    public var openID: String
    public var language: String?
    public var subscribeTime: Int64?
    public var unionID: String?
    public var remark: String?
    public var tagIDs: [Int]
    public var subscribeScene: String?
    public var qrScene: Int64?
    public var qrSceneString: String?

    enum CodingKeys: String, CodingKey {
        case subscribe, openID = "openid", language, subscribeTime = "subscribe_time", unionID = "unionid", remark, tagIDs = "tagid_list"
        case subscribeScene = "subscribe_scene", qrScene = "qr_scene", qrSceneString = "qr_scene_str"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        subscribe = try container.decodeIfPresent(Int.self, forKey: .subscribe) ?? 0
        openID = try container.decode(String.self, forKey: .openID)
        language = try container.decodeIfPresent(String.self, forKey: .language)
        subscribeTime = try container.decodeIfPresent(Int64.self, forKey: .subscribeTime)
        unionID = try container.decodeIfPresent(String.self, forKey: .unionID)
        remark = try container.decodeIfPresent(String.self, forKey: .remark)
        tagIDs = try container.decodeIfPresent([Int].self, forKey: .tagIDs) ?? []
        subscribeScene = try container.decodeIfPresent(String.self, forKey: .subscribeScene)
        qrScene = try container.decodeIfPresent(Int64.self, forKey: .qrScene)
        qrSceneString = try container.decodeIfPresent(String.self, forKey: .qrSceneString)
    }
}

/// A follower tag of the account (`tags/get`).
public struct FollowerTag: Codable, Sendable, Equatable {
    public var id: Int
    public var name: String
    public var count: Int?
}

/// What `qrcode/create` answers.
public struct ParametricQRCode: Decodable, Sendable, Equatable {
    public var ticket: String
    /// Absent for permanent codes.
    public var expireSeconds: Int?
    /// The URL the QR code encodes.
    public var url: String

    enum CodingKeys: String, CodingKey { case ticket, expireSeconds = "expire_seconds", url }
}

/// What `media/upload` answers.
public struct UploadedMedia: Codable, Sendable, Equatable {
    public var type: String
    public var mediaID: String
    public var createdAt: Int64

    enum CodingKeys: String, CodingKey { case type, mediaID = "media_id", createdAt = "created_at" }
}

/// `menu/get`'s `{"menu": …}`.
struct MenuAnswer<Menu: Decodable>: Decodable { var menu: Menu }

extension WeComClient {
    /// `GET user/get?next_openid=`: up to 10,000 openids after `after` (nil for the first page).
    public func followerPage(after: String?) async throws -> FollowerListPage {
        try await get("user/get", query: after.map { [("next_openid", $0)] } ?? [])
    }

    /// `POST user/info/batchget` for up to 100 openids.
    public func followerInfo(_ openIDs: [String], language: String = "zh_CN") async throws -> [FollowerInfo] {
        struct Entry: Encodable { var openid: String; var lang: String }
        struct Body: Encodable { var user_list: [Entry] }
        struct Answer: Decodable { var user_info_list: [FollowerInfo]? }
        let answer: Answer = try await post("user/info/batchget", body: Body(user_list: openIDs.map { Entry(openid: $0, lang: language) }))
        return answer.user_info_list ?? []
    }

    /// `GET tags/get`: the account's follower tags.
    public func followerTags() async throws -> [FollowerTag] {
        struct Answer: Decodable { var tags: [FollowerTag]? }
        let answer: Answer = try await get("tags/get")
        return answer.tags ?? []
    }

    /// `POST tags/create`: a new follower tag (name ≤ 30 bytes, ≤ 100 tags an account).
    public func createFollowerTag(name: String) async throws -> FollowerTag {
        struct Name: Encodable { var name: String }
        struct Body: Encodable { var tag: Name }
        struct Created: Decodable { var id: Int; var name: String }
        struct Answer: Decodable { var tag: Created }
        let answer: Answer = try await post("tags/create", body: Body(tag: Name(name: name)))
        return FollowerTag(id: answer.tag.id, name: answer.tag.name, count: 0)
    }

    /// `POST tags/members/batchtagging` (or `batchuntagging`): at most 50 openids a call.
    public func setFollowerTag(_ tagID: Int, on openIDs: [String], tagged: Bool = true) async throws {
        struct Body: Encodable { var openid_list: [String]; var tagid: Int }
        let _: OK = try await post(tagged ? "tags/members/batchtagging" : "tags/members/batchuntagging", body: Body(openid_list: openIDs, tagid: tagID))
    }

    /// `POST qrcode/create`: a permanent `QR_LIMIT_STR_SCENE` code, or a temporary
    /// `QR_STR_SCENE` one valid `expireSeconds` (at most 30 days).
    public func createQRCode(scene: String, expireSeconds: Int?) async throws -> ParametricQRCode {
        struct Scene: Encodable { var scene_str: String }
        struct Info: Encodable { var scene: Scene }
        struct Body: Encodable {
            var expire_seconds: Int?
            var action_name: String
            var action_info: Info
        }
        return try await post("qrcode/create", body: Body(
            expire_seconds: expireSeconds, action_name: expireSeconds == nil ? "QR_LIMIT_STR_SCENE" : "QR_STR_SCENE", action_info: Info(scene: Scene(scene_str: scene))
        ))
    }

    /// `POST menu/create` with a menu in the platform's shape (`{"button":[…]}`).
    public func createMenu<Menu: Encodable>(_ menu: Menu) async throws {
        let _: OK = try await post("menu/create", body: menu)
    }

    /// `GET menu/get`: the menu the platform has, decoded as `Menu`; nil when there is none (46003).
    public func menu<Menu: Decodable>(as type: Menu.Type = Menu.self) async throws -> Menu? {
        do {
            let answer: MenuAnswer<Menu> = try await get("menu/get")
            return answer.menu
        } catch let error as WeComAPIError where error.errcode == 46003 {
            return nil
        }
    }

    /// `POST media/upload?type=`: temporary media (3 days) for replies and messages.
    public func uploadMedia(type: String, filename: String, contentType: String, data: Data) async throws -> UploadedMedia {
        try await upload("media/upload", query: [("type", type)], field: "media", filename: filename, contentType: contentType, data: data)
    }

    /// `POST message/custom/send` of a text (a customer-service message, within the windows the
    /// follower's own actions open).
    public func sendCustomText(to openID: String, _ content: String) async throws {
        struct Text: Encodable { var content: String }
        struct Body: Encodable { var touser: String; var msgtype = "text"; var text: Text }
        let _: OK = try await post("message/custom/send", body: Body(touser: openID, text: Text(content: content)))
    }
}
