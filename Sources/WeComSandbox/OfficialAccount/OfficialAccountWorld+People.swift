import Foundation
import WeCom

/// What a person can do to an Official Account in the sandbox.
public enum PersonActionKind: String, Sendable, CaseIterable {
    case follow, unfollow, scan, text, image, voice, location
    /// The `LOCATION` event (reporting position on entering the chat), not a location message.
    case locationEvent = "location_event"
    case click, view
}

/// The details of a person's action; each kind reads the fields it needs.
public struct PersonAction: Codable, Sendable, Equatable {
    public var openID: String?
    public var unionID: String?
    public var ticket: String?
    public var scene: String?
    public var subscribeScene: String?
    public var content: String?
    public var picURL: String?
    public var mediaID: String?
    public var format: String?
    public var recognition: String?
    public var latitude: Double?
    public var longitude: Double?
    public var precision: Double?
    public var scale: Int?
    public var label: String?
    public var key: String?
    public var url: String?
    public var menuID: String?

    public init(openID: String? = nil) {
        self.openID = openID
    }

    enum CodingKeys: String, CodingKey {
        case openID = "openid", unionID = "unionid", ticket, scene, subscribeScene = "subscribe_scene", content, picURL = "pic_url"
        case mediaID = "media_id", format, recognition, latitude, longitude, precision, scale, label, key, url, menuID = "menu_id"
    }
}

/// One push the platform sends to the account's server, before any crypto.
public struct OfficialAccountPush: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case text(String)
        case integer(Int64)
    }

    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: Value
    }

    public var appID: String
    public var openID: String
    public var createTime: Int
    public var msgType: String
    /// The `nonce` of the push's query (from the seeded generator, so runs replay).
    public var nonce: String
    /// After `MsgType`, in the platform's order (`Event`, `EventKey`, `Ticket`, … or `Content`, `MsgId`).
    public var fields: [Field]

    public var event: String? { text("Event") }
    public var eventKey: String? { text("EventKey") }
    public var msgID: Int64? {
        fields.first { $0.name == "MsgId" }.flatMap { if case .integer(let id) = $0.value { id } else { nil } }
    }

    func text(_ name: String) -> String? {
        fields.first { $0.name == name }.flatMap { if case .text(let value) = $0.value { value } else { nil } }
    }

    /// The decrypted XML, exactly as the platform writes it.
    /// With `encrypt`, the compatible-mode body: every plain field and then `Encrypt`.
    public func xml(originalID: String, encrypt: String? = nil) -> String {
        var writer = WeComXMLWriter()
        writer.text("ToUserName", originalID)
        writer.text("FromUserName", openID)
        writer.integer("CreateTime", createTime)
        writer.text("MsgType", msgType)
        for field in fields {
            switch field.value {
            case .text(let value): writer.text(field.name, value)
            case .integer(let value): writer.integer(field.name, value)
            }
        }
        if let encrypt { writer.text("Encrypt", encrypt) }
        return writer.finish()
    }
}

extension OfficialAccountWorld {
    /// Applies a person's action to the world and returns the push it causes.
    public func simulate(_ kind: PersonActionKind, appID: String, _ action: PersonAction) throws(SandboxError) -> OfficialAccountPush {
        guard accounts[appID] != nil else { throw .invalidAppID }
        switch kind {
        case .follow, .scan:
            return try followOrScan(appID, action, scanOnly: kind == .scan)
        case .unfollow:
            let openID = try following(appID, action.openID)
            let now = self.now
            try mutate(appID) { account in
                let follower = account.followers[openID]!
                account.count(day: Self.day(of: now), scene: follower.scene, subscribe: false)
                account.followers[openID]!.subscribed = false
                account.followers[openID]!.unsubscribeTime = now
                account.followers[openID]!.messageWindow = nil
                account.followers[openID]!.eventWindow = nil
            }
            return push(appID, openID, "event", [("Event", .text("unsubscribe"))])
        case .text:
            guard let content = action.content, !content.isEmpty else { throw Self.missing("content") }
            return try message(appID, action, "text", [("Content", .text(content))])
        case .image:
            let mediaID = action.mediaID ?? ids.text("", length: 64)
            let picURL = action.picURL ?? "http://mmbiz.qpic.cn/mmbiz_jpg/\(ids.text("", length: 40))/0"
            return try message(appID, action, "image", [("PicUrl", .text(picURL)), ("MediaId", .text(mediaID))])
        case .voice:
            var fields: [(String, OfficialAccountPush.Value)] = [("MediaId", .text(action.mediaID ?? ids.text("", length: 64))), ("Format", .text(action.format ?? "amr"))]
            if let recognition = action.recognition { fields.append(("Recognition", .text(recognition))) }
            return try message(appID, action, "voice", fields)
        case .location:
            let (latitude, longitude) = try Self.position(action)
            return try message(appID, action, "location", [
                ("Location_X", .text(Self.decimal(latitude))), ("Location_Y", .text(Self.decimal(longitude))),
                ("Scale", .integer(Int64(action.scale ?? 15))), ("Label", .text(action.label ?? "")),
            ])
        case .locationEvent:
            let openID = try following(appID, action.openID)
            let (latitude, longitude) = try Self.position(action)
            return push(appID, openID, "event", [
                ("Event", .text("LOCATION")), ("Latitude", .text(Self.decimal(latitude))), ("Longitude", .text(Self.decimal(longitude))),
                ("Precision", .text(Self.decimal(action.precision ?? 65))),
            ])
        case .click:
            let openID = try following(appID, action.openID)
            guard let key = action.key, !key.isEmpty else { throw Self.missing("key") }
            let type = menuButton(appID) { $0.key == key }?.type ?? "click"
            let event = type == "click" ? "CLICK" : type
            if ["click", "scancode_push", "scancode_waitmsg"].contains(type) {
                try mutate(appID) { openWindow(&$0, openID: openID, byMessage: false) }
            }
            return push(appID, openID, "event", [("Event", .text(event)), ("EventKey", .text(key))])
        case .view:
            let openID = try following(appID, action.openID)
            guard let url = action.url, !url.isEmpty else { throw Self.missing("url") }
            var fields: [(String, OfficialAccountPush.Value)] = [("Event", .text("VIEW")), ("EventKey", .text(url))]
            if let menuID = action.menuID { fields.append(("MenuId", .text(menuID))) }
            return push(appID, openID, "event", fields)
        }
    }

    /// A follow (new or returning person, optionally through a QR code), or a scan: a scan by
    /// a follower is `SCAN` with the bare scene, by anyone else a follow with `qrscene_<scene>`.
    private func followOrScan(_ appID: String, _ action: PersonAction, scanOnly: Bool) throws(SandboxError) -> OfficialAccountPush {
        let viaCode = action.ticket != nil || action.scene != nil
        if scanOnly, !viaCode { throw Self.missing("ticket or scene") }
        let code = viaCode ? try scannedCode(appID, ticket: action.ticket, scene: action.scene) : nil
        let openID = action.openID.flatMap { $0.isEmpty ? nil : $0 } ?? "o" + ids.text("", length: 27)
        let now = self.now
        let existing = accounts[appID]!.followers[openID]
        if existing?.subscribed == true {
            guard let code else { throw SandboxError(40035, "invalid args, hint: [sandbox] \(openID) already follows; scan a QR code instead") }
            try mutate(appID) { openWindow(&$0, openID: openID, byMessage: false) }
            return push(appID, openID, "event", [("Event", .text("SCAN")), ("EventKey", .text(code.scene)), ("Ticket", .text(code.ticket))])
        }
        try mutate(appID) { account in
            var follower = existing ?? OfficialAccountFollower(
                openID: openID, unionID: nil, subscribed: true, subscribeTime: now, subscribeScene: "", qrScene: 0, qrSceneStr: "",
                remark: "", language: "zh_CN", tagIDs: [], sent: []
            )
            if existing == nil { account.followOrder.append(openID) }
            follower.unionID = action.unionID ?? follower.unionID
            follower.subscribed = true
            follower.subscribeTime = now
            follower.subscribeScene = code == nil ? action.subscribeScene ?? "ADD_SCENE_SEARCH" : "ADD_SCENE_QR_CODE"
            follower.qrScene = code?.sceneID ?? 0
            follower.qrSceneStr = code?.sceneStr ?? ""
            account.followers[openID] = follower
            account.count(day: Self.day(of: now), scene: follower.scene, subscribe: true)
            openWindow(&account, openID: openID, byMessage: false)
        }
        var fields: [(String, OfficialAccountPush.Value)] = [("Event", .text("subscribe"))]
        if let code { fields += [("EventKey", .text("qrscene_" + code.scene)), ("Ticket", .text(code.ticket))] }
        return push(appID, openID, "event", fields)
    }

    /// A message from a follower: it carries a 64-bit `MsgId` and opens the 48-hour window.
    private func message(_ appID: String, _ action: PersonAction, _ msgType: String, _ fields: [(String, OfficialAccountPush.Value)]) throws(SandboxError) -> OfficialAccountPush {
        let openID = try following(appID, action.openID)
        try mutate(appID) { openWindow(&$0, openID: openID, byMessage: true) }
        let msgID = 20_000_000_000_000_000 + Int64(ids.next() % 70_000_000_000_000_000)
        return push(appID, openID, msgType, fields + [("MsgId", .integer(msgID))])
    }

    private func following(_ appID: String, _ openID: String?) throws(SandboxError) -> String {
        guard let openID, let follower = accounts[appID]?.followers[openID] else { throw .invalidOpenID }
        guard follower.subscribed else { throw SandboxError(40035, "invalid args, hint: [sandbox] \(openID) does not follow the account") }
        return openID
    }

    private func push(_ appID: String, _ openID: String, _ msgType: String, _ fields: [(String, OfficialAccountPush.Value)]) -> OfficialAccountPush {
        OfficialAccountPush(
            appID: appID, openID: openID, createTime: now, msgType: msgType, nonce: String(ids.int(100_000_000...9_999_999_999)),
            fields: fields.map { .init(name: $0.0, value: $0.1) })
    }

    private static func position(_ action: PersonAction) throws(SandboxError) -> (Double, Double) {
        guard let latitude = action.latitude, let longitude = action.longitude else { throw missing("latitude and longitude") }
        return (latitude, longitude)
    }

    private static func decimal(_ value: Double) -> String {
        String(format: "%.6f", value)
    }

    private static func missing(_ what: String) -> SandboxError {
        SandboxError(40035, "invalid args, hint: [sandbox] \(what) missing")
    }
}
