import Foundation

/// `media/upload` and `message/custom/send` with the platform's interaction windows.
extension OfficialAccountWorld {
    /// Per media type: accepted file extensions, the size limit and the code for exceeding it.
    static let mediaRules: [String: (extensions: Set<String>, maxBytes: Int, tooLarge: SandboxError)] = [
        "image": (["png", "jpeg", "jpg", "gif", "bmp"], 10 << 20, SandboxError(40009, "invalid image size")),
        "voice": (["amr", "mp3"], 2 << 20, SandboxError(40010, "invalid voice size")),
        "video": (["mp4"], 10 << 20, SandboxError(40011, "invalid video size")),
        "thumb": (["jpg", "jpeg"], 64 << 10, SandboxError(40012, "invalid thumb size")),
    ]
    /// Temporary media lives three days.
    static let mediaLifetime = 3 * 86_400
    /// After a message from the person: 5 sends within 48 hours.
    static let messageWindow = (seconds: 48 * 3600, sends: 5)
    /// After a follow, a scan or a click-type menu event: 3 sends within a minute.
    static let eventWindow = (seconds: 60, sends: 3)

    func uploadMedia(_ appID: String, type: String?, file: MultipartForm.Part?) throws(SandboxError) -> MediaAnswer {
        guard let type, let rule = Self.mediaRules[type] else { throw SandboxError(40004, "invalid media type") }
        guard let file else { throw SandboxError(41005, "media data missing") }
        let ext = (file.filename ?? "").split(separator: ".").last.map { $0.lowercased() } ?? ""
        guard (file.filename ?? "").contains("."), rule.extensions.contains(ext) else { throw SandboxError(40005, "invalid file type") }
        guard !file.body.isEmpty else { throw SandboxError(40006, "invalid meida size") }
        guard file.body.count <= rule.maxBytes else { throw rule.tooLarge }
        return try mutate(appID) { account in
            let media = UploadedMedia(mediaID: ids.text("", length: 64), type: type, createdAt: now, size: file.body.count)
            account.media[media.mediaID] = media
            return MediaAnswer(type: type, mediaID: media.mediaID, createdAt: media.createdAt)
        }
    }

    /// `message/custom/send`: checks the body as the platform does, then spends one send of an
    /// open window (45015 when none is open or the person left, 45047 when it is used up).
    func sendCustomMessage(_ appID: String, body: Data) throws(SandboxError) {
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else { throw .dataFormat }
        try mutate(appID) { account throws(SandboxError) in
            guard let openID = object["touser"] as? String, let follower = account.followers[openID] else { throw .invalidOpenID }
            let msgType = object["msgtype"] as? String ?? ""
            try Self.checkCustomMessage(msgType: msgType, object[msgType] as? [String: Any], media: account.media, now: now)
            guard follower.subscribed else { throw .outOfTime }
            let open = [\OfficialAccountFollower.eventWindow, \.messageWindow].filter { (follower[keyPath: $0]?.closesAt ?? 0) > now }
            guard !open.isEmpty else { throw .outOfTime }
            guard let window = open.first(where: { follower[keyPath: $0]!.remaining > 0 }) else {
                throw SandboxError(45047, "out of response count limit")
            }
            account.followers[openID]![keyPath: window]!.remaining -= 1
            account.followers[openID]!.sent.append(
                CustomMessageRecord(msgType: msgType, sentAt: now, body: String(decoding: body, as: UTF8.self))
            )
        }
    }

    private static func checkCustomMessage(msgType: String, _ content: [String: Any]?, media: [String: UploadedMedia], now: Int) throws(SandboxError) {
        let text = { (field: String) in (content?[field] as? String).flatMap { $0.isEmpty ? nil : $0 } }
        let uploaded = { (field: String, types: Set<String>) throws(SandboxError) in
            guard let id = text(field), let item = media[id], types.contains(item.type), item.createdAt + mediaLifetime > now else {
                throw SandboxError(40007, "invalid media_id")
            }
        }
        let required = { (fields: [String]) throws(SandboxError) in
            for field in fields where text(field) == nil { throw SandboxError(40035, "invalid args, hint: [sandbox] \(msgType).\(field) missing") }
        }
        switch msgType {
        case "text":
            guard text("content") != nil else { throw SandboxError(44004, "empty content") }
        case "image": try uploaded("media_id", ["image"])
        case "voice": try uploaded("media_id", ["voice"])
        case "video": try uploaded("media_id", ["video"])
        case "music": try required(["musicurl", "hqmusicurl", "thumb_media_id"])
        case "news":
            let articles = content?["articles"] as? [Any] ?? []
            guard !articles.isEmpty else { throw SandboxError(44003, "empty news data") }
            guard articles.count == 1 else { throw SandboxError(45008, "article size out of limit") }
        case "mpnews": try required(["media_id"])
        case "mpnewsarticle": try required(["article_id"])
        case "msgmenu":
            guard !(content?["list"] as? [Any] ?? []).isEmpty else { throw SandboxError(40035, "invalid args, hint: [sandbox] msgmenu.list missing") }
        case "wxcard": try required(["card_id"])
        case "miniprogrampage": try required(["appid", "pagepath", "thumb_media_id"])
        default: throw SandboxError(40008, "invalid message type")
        }
    }

    /// What the person's action opens: a message opens the 48-hour window, a follow, scan or
    /// click-type menu event the one-minute window; each action starts its window afresh.
    func openWindow(_ account: inout OfficialAccountState, openID: String, byMessage: Bool) {
        if byMessage {
            account.followers[openID]?.messageWindow = InteractionWindow(closesAt: now + Self.messageWindow.seconds, remaining: Self.messageWindow.sends)
        } else {
            account.followers[openID]?.eventWindow = InteractionWindow(closesAt: now + Self.eventWindow.seconds, remaining: Self.eventWindow.sends)
        }
    }
}

extension SandboxError {
    static let outOfTime = SandboxError(45015, "response out of time limit or subscription is canceled")
}

/// `{type, media_id, created_at}`; a thumb answers `thumb_media_id`.
struct MediaAnswer: Encodable, Sendable {
    var type: String
    var mediaID: String
    var createdAt: Int
    enum CodingKeys: String, CodingKey { case type, mediaID = "media_id", thumbMediaID = "thumb_media_id", createdAt = "created_at" }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encode(mediaID, forKey: type == "thumb" ? .thumbMediaID : .mediaID)
        try container.encode(createdAt, forKey: .createdAt)
    }
}
