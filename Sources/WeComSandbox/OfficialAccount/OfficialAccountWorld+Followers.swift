import Foundation

/// `user/*` and `tags/*`: follower lists and info, remarks, tags.
extension OfficialAccountWorld {
    static let pageSize = 10_000
    static let maxTags = 100
    static let maxTagsPerFollower = 20
    static let maxTaggedAtOnce = 50
    /// Tags 0 (未分组), 1 (黑名单) and 2 (星标组) belong to the platform.
    static let reservedTagIDs: Set<Int> = [0, 1, 2]

    /// Following openids from `openids` after `next` (an openid), one page; `next_openid` is
    /// empty when nothing follows the page.
    private func page(_ account: OfficialAccountState, after next: String?, where include: (OfficialAccountFollower) -> Bool) throws(SandboxError) -> FollowerPage {
        var start = account.followOrder.startIndex
        if let next, !next.isEmpty {
            guard let index = account.followOrder.firstIndex(of: next) else { throw .invalidOpenID }
            start = index + 1
        }
        let matching = account.followOrder[start...].filter { openID in account.followers[openID].map { $0.subscribed && include($0) } ?? false }
        let openIDs = Array(matching.prefix(Self.pageSize))
        let more = matching.count > openIDs.count
        return FollowerPage(
            total: account.followers.values.filter(\.subscribed).count, count: openIDs.count,
            data: openIDs.isEmpty ? nil : .init(openid: openIDs), nextOpenID: more ? openIDs.last ?? "" : ""
        )
    }

    func followerList(_ appID: String, next: String?) throws(SandboxError) -> FollowerPage {
        try read(appID) { account throws(SandboxError) in try page(account, after: next) { _ in true } }
    }

    func userInfo(_ appID: String, openID: String?) throws(SandboxError) -> FollowerInfo {
        try read(appID) { account throws(SandboxError) in
            guard let openID, let follower = account.followers[openID] else { throw .invalidOpenID }
            return FollowerInfo(follower)
        }
    }

    func userInfoBatch(_ appID: String, _ body: BatchUserInfoRequest) throws(SandboxError) -> BatchUserInfo {
        guard (1...100).contains(body.userList.count) else { throw .invalidOpenIDListSize }
        return try read(appID) { account throws(SandboxError) in
            var infos: [FollowerInfo] = []
            for entry in body.userList {
                guard let follower = account.followers[entry.openid] else { throw .invalidOpenID }
                infos.append(FollowerInfo(follower))
            }
            return BatchUserInfo(userInfoList: infos)
        }
    }

    func updateRemark(_ appID: String, _ body: RemarkBody) throws(SandboxError) {
        guard body.remark.count <= 30 else { throw SandboxError(40035, "invalid args, hint: [sandbox] remark is longer than 30 characters") }
        try mutate(appID) { account throws(SandboxError) in
            guard account.followers[body.openid] != nil else { throw .invalidOpenID }
            account.followers[body.openid]!.remark = body.remark
        }
    }

    // MARK: Tags

    func createTag(_ appID: String, _ body: TagBody) throws(SandboxError) -> TagBody {
        try mutate(appID) { account throws(SandboxError) in
            let name = try Self.checkedTagName(body.tag.name, in: account, excluding: nil)
            guard account.tags.count < Self.maxTags else { throw SandboxError(45056, "too many tags now, no need to add new") }
            let tag = FollowerTag(id: account.nextTagID, name: name)
            account.nextTagID += 1
            account.tags[tag.id] = tag
            return TagBody(tag: .init(id: LenientInt(tag.id), name: tag.name))
        }
    }

    func tagList(_ appID: String) throws(SandboxError) -> TagList {
        try read(appID) { account in
            TagList(tags: account.tags.values.sorted { $0.id < $1.id }.map { tag in
                TagList.Entry(id: tag.id, name: tag.name, count: account.followers.values.filter { $0.subscribed && $0.tagIDs.contains(tag.id) }.count)
            })
        }
    }

    func updateTag(_ appID: String, _ body: TagBody) throws(SandboxError) {
        try mutate(appID) { account throws(SandboxError) in
            let id = try Self.checkedTagID(body.tag.id?.value, in: account)
            account.tags[id]!.name = try Self.checkedTagName(body.tag.name, in: account, excluding: id)
        }
    }

    func deleteTag(_ appID: String, _ body: TagBody) throws(SandboxError) {
        try mutate(appID) { account throws(SandboxError) in
            let id = try Self.checkedTagID(body.tag.id?.value, in: account)
            guard account.followers.values.filter({ $0.tagIDs.contains(id) }).count <= 100_000 else {
                throw SandboxError(45057, "can't delete the tag that has too much fans")
            }
            account.tags[id] = nil
            for openID in account.followOrder { account.followers[openID]!.tagIDs.removeAll { $0 == id } }
        }
    }

    /// `tags/members/batchtagging` (`adding`) and `batchuntagging`: all or nothing.
    func tagMembers(_ appID: String, _ body: TagMembersBody, adding: Bool) throws(SandboxError) {
        guard (1...Self.maxTaggedAtOnce).contains(body.openidList.count) else { throw .invalidOpenIDListSize }
        try mutate(appID) { account throws(SandboxError) in
            let id = try Self.checkedTagID(body.tagid.value, in: account)
            for openID in body.openidList {
                guard let follower = account.followers[openID] else { throw .invalidOpenID }
                if adding, !follower.tagIDs.contains(id), follower.tagIDs.count >= Self.maxTagsPerFollower {
                    throw SandboxError(45059, "has fans tagged too many tags")
                }
            }
            for openID in body.openidList {
                if adding {
                    if !account.followers[openID]!.tagIDs.contains(id) { account.followers[openID]!.tagIDs.append(id) }
                } else {
                    account.followers[openID]!.tagIDs.removeAll { $0 == id }
                }
            }
        }
    }

    func tagsOfFollower(_ appID: String, openID: String) throws(SandboxError) -> TagIDList {
        try read(appID) { account throws(SandboxError) in
            guard let follower = account.followers[openID] else { throw .invalidOpenID }
            return TagIDList(tagidList: follower.tagIDs)
        }
    }

    func followersWithTag(_ appID: String, _ body: TagFollowersRequest) throws(SandboxError) -> TagFollowerPage {
        try read(appID) { account throws(SandboxError) in
            let id = try Self.checkedTagID(body.tagid.value, in: account, allowReserved: true)
            let page = try page(account, after: body.nextOpenID) { $0.tagIDs.contains(id) }
            return TagFollowerPage(count: page.count, data: page.data, nextOpenID: page.nextOpenID)
        }
    }

    private static func checkedTagName(_ name: String?, in account: OfficialAccountState, excluding id: Int?) throws(SandboxError) -> String {
        guard let name, !name.isEmpty else { throw SandboxError(45157, "invalid tag name") }
        guard name.utf8.count <= 30 else { throw SandboxError(45158, "tag name too long") }
        guard !account.tags.values.contains(where: { $0.name == name && $0.id != id }) else { throw SandboxError(45157, "invalid tag name") }
        return name
    }

    private static func checkedTagID(_ id: Int?, in account: OfficialAccountState, allowReserved: Bool = false) throws(SandboxError) -> Int {
        guard let id else { throw SandboxError(45159, "invalid tag id") }
        if reservedTagIDs.contains(id), !allowReserved { throw SandboxError(45058, "can't modify sys tag") }
        guard account.tags[id] != nil || (allowReserved && reservedTagIDs.contains(id)) else { throw SandboxError(45159, "invalid tag id") }
        return id
    }
}

extension SandboxError {
    static let invalidOpenIDListSize = SandboxError(40032, "invalid openid list size")
}

/// An integer the platform also accepts as a string of digits (`"tagid": "100"`).
struct LenientInt: Codable, Sendable, Equatable {
    var value: Int

    init(_ value: Int) {
        self.value = value
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) {
            value = number
        } else if let text = try? container.decode(String.self), let number = Int(text) {
            value = number
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an integer")
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

struct OpenIDList: Codable, Sendable, Equatable { var openid: [String] }

/// `user/get`.
struct FollowerPage: Encodable, Sendable {
    var total: Int
    var count: Int
    var data: OpenIDList?
    var nextOpenID: String
    enum CodingKeys: String, CodingKey { case total, count, data, nextOpenID = "next_openid" }
}

/// `user/tag/get`.
struct TagFollowerPage: Encodable, Sendable {
    var count: Int
    var data: OpenIDList?
    var nextOpenID: String
    enum CodingKeys: String, CodingKey { case count, data, nextOpenID = "next_openid" }
}

/// `user/info`: everything for a follower; only `subscribe`, `openid` (and `unionid`) otherwise.
struct FollowerInfo: Encodable, Sendable {
    var follower: OfficialAccountFollower

    init(_ follower: OfficialAccountFollower) {
        self.follower = follower
    }

    enum CodingKeys: String, CodingKey {
        case subscribe, openid, language, subscribeTime = "subscribe_time", unionid, remark, groupid, tagidList = "tagid_list"
        case subscribeScene = "subscribe_scene", qrScene = "qr_scene", qrSceneStr = "qr_scene_str"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(follower.subscribed ? 1 : 0, forKey: .subscribe)
        try container.encode(follower.openID, forKey: .openid)
        if follower.subscribed {
            try container.encode(follower.language, forKey: .language)
            try container.encode(follower.subscribeTime, forKey: .subscribeTime)
        }
        try container.encodeIfPresent(follower.unionID, forKey: .unionid)
        guard follower.subscribed else { return }
        try container.encode(follower.remark, forKey: .remark)
        try container.encode(0, forKey: .groupid)
        try container.encode(follower.tagIDs, forKey: .tagidList)
        try container.encode(follower.subscribeScene, forKey: .subscribeScene)
        try container.encode(follower.qrScene, forKey: .qrScene)
        try container.encode(follower.qrSceneStr, forKey: .qrSceneStr)
    }
}

struct BatchUserInfoRequest: Decodable, Sendable {
    struct Entry: Decodable, Sendable { var openid: String; var lang: String? }
    var userList: [Entry]
    enum CodingKeys: String, CodingKey { case userList = "user_list" }
}

struct BatchUserInfo: Encodable, Sendable {
    var userInfoList: [FollowerInfo]
    enum CodingKeys: String, CodingKey { case userInfoList = "user_info_list" }
}

struct RemarkBody: Decodable, Sendable { var openid: String; var remark: String }

/// `{tag:{id?, name?}}`, in and out.
struct TagBody: Codable, Sendable {
    struct Tag: Codable, Sendable { var id: LenientInt?; var name: String? }
    var tag: Tag
}

struct TagList: Encodable, Sendable {
    struct Entry: Encodable, Sendable { var id: Int; var name: String; var count: Int }
    var tags: [Entry]
}

struct TagMembersBody: Decodable, Sendable {
    var openidList: [String]
    var tagid: LenientInt
    enum CodingKeys: String, CodingKey { case openidList = "openid_list", tagid }
}

struct TagFollowersRequest: Decodable, Sendable {
    var tagid: LenientInt
    var nextOpenID: String?
    enum CodingKeys: String, CodingKey { case tagid, nextOpenID = "next_openid" }
}

struct OpenIDBody: Decodable, Sendable { var openid: String }

struct TagIDList: Encodable, Sendable {
    var tagidList: [Int]
    enum CodingKeys: String, CodingKey { case tagidList = "tagid_list" }
}
