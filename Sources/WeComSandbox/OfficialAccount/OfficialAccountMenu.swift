import Foundation

/// A custom-menu button in the platform's JSON shape. `menu/get` writes `sub_button` on every
/// button (empty for leaves), as the platform does.
public struct OfficialAccountMenuButton: Codable, Sendable, Equatable {
    public var type: String?
    public var name: String?
    public var key: String?
    public var url: String?
    public var mediaID: String?
    public var appID: String?
    public var pagePath: String?
    public var articleID: String?
    public var subButton: [OfficialAccountMenuButton]?

    enum CodingKeys: String, CodingKey {
        case type, name, key, url, mediaID = "media_id", appID = "appid", pagePath = "pagepath", articleID = "article_id"
        case subButton = "sub_button"
    }

    public func encode(to encoder: any Encoder) throws {
        try encodeFields(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(subButton ?? [], forKey: .subButton)
    }

    /// Every field but `sub_button`.
    func encodeFields(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(type, forKey: .type)
        try container.encodeIfPresent(name, forKey: .name)
        try container.encodeIfPresent(key, forKey: .key)
        try container.encodeIfPresent(url, forKey: .url)
        try container.encodeIfPresent(mediaID, forKey: .mediaID)
        try container.encodeIfPresent(appID, forKey: .appID)
        try container.encodeIfPresent(pagePath, forKey: .pagePath)
        try container.encodeIfPresent(articleID, forKey: .articleID)
    }

    var isLeaf: Bool { subButton?.isEmpty ?? true }

    /// Button types that carry a `key` and push an event with it.
    static let keyedTypes: Set<String> = [
        "click", "scancode_push", "scancode_waitmsg", "pic_sysphoto", "pic_photo_or_album", "pic_weixin", "location_select",
    ]

    /// The platform's checks on `menu/create`, top level first, in the order it reports them.
    static func validate(_ buttons: [OfficialAccountMenuButton]) throws(SandboxError) {
        guard (1...3).contains(buttons.count) else { throw SandboxError(40016, "invalid button size") }
        for top in buttons {
            guard let name = top.name, (1...16).contains(name.utf8.count) else { throw SandboxError(40018, "invalid button name size") }
            if top.isLeaf {
                try top.validateAction(level: .top)
                continue
            }
            let subs = top.subButton ?? []
            guard subs.count <= 5 else { throw SandboxError(40023, "invalid sub button size") }
            for sub in subs {
                guard sub.isLeaf else { throw SandboxError(40022, "invalid sub menu level") }
                guard let name = sub.name, (1...60).contains(name.utf8.count) else { throw SandboxError(40025, "invalid sub button name size") }
                try sub.validateAction(level: .sub)
            }
        }
    }

    /// Error codes differ between top-level and sub buttons.
    enum Level {
        case top, sub
        var type: SandboxError { self == .top ? SandboxError(40017, "invalid button type") : SandboxError(40024, "invalid sub button type") }
        var key: SandboxError { self == .top ? SandboxError(40019, "invalid button key size") : SandboxError(40026, "invalid sub button key size") }
        var url: SandboxError { self == .top ? SandboxError(40020, "invalid button url size") : SandboxError(40027, "invalid sub button url size") }
        var domain: SandboxError { self == .top ? SandboxError(40055, "invalid button url domain") : SandboxError(40054, "invalid sub button url domain") }
    }

    private func validateAction(level: Level) throws(SandboxError) {
        switch type ?? "" {
        case let keyed where Self.keyedTypes.contains(keyed):
            guard let key, (1...128).contains(key.utf8.count) else { throw level.key }
        case "view":
            try Self.validateURL(url, level: level)
        case "media_id", "view_limited":
            guard let mediaID, !mediaID.isEmpty else { throw SandboxError(40007, "invalid media_id") }
        case "miniprogram":
            try Self.validateURL(url, level: level)
            guard let appID, !appID.isEmpty else { throw SandboxError(40166, "invalid weapp appid") }
            guard let pagePath, !pagePath.isEmpty else { throw SandboxError(40165, "invalid weapp pagepath") }
        case "article_id", "article_view_limited":
            guard let articleID, !articleID.isEmpty else { throw SandboxError(40035, "invalid args, hint: [sandbox] article_id missing") }
        default:
            throw level.type
        }
    }

    private static func validateURL(_ url: String?, level: Level) throws(SandboxError) {
        guard let url, (1...1024).contains(url.utf8.count) else { throw level.url }
        guard let parsed = URLComponents(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""),
              let host = parsed.host, !host.isEmpty
        else { throw level.domain }
    }
}

/// `{"button":[…]}`: `menu/create`'s body and, inside `menu`, `menu/get`'s answer.
public struct OfficialAccountMenu: Codable, Sendable, Equatable {
    public var button: [OfficialAccountMenuButton]
}

/// `menu/get`: `{"menu":{"button":[…]}}`.
struct MenuAnswer: Encodable, Sendable { var menu: OfficialAccountMenu }

/// `get_current_selfmenu_info`: the menu in force, sub-buttons under `sub_button.list`.
struct SelfMenuInfo: Encodable, Sendable {
    var buttons: [OfficialAccountMenuButton]?

    enum CodingKeys: String, CodingKey { case isMenuOpen = "is_menu_open", info = "selfmenu_info" }
    struct Info: Encodable { var button: [Entry] }
    struct Entry: Encodable {
        var button: OfficialAccountMenuButton
        struct List: Encodable { var list: [Entry] }
        enum CodingKeys: String, CodingKey { case subButton = "sub_button" }
        func encode(to encoder: any Encoder) throws {
            try button.encodeFields(to: encoder)
            guard !button.isLeaf else { return }
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(List(list: (button.subButton ?? []).map { Entry(button: $0) }), forKey: .subButton)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(buttons == nil ? 0 : 1, forKey: .isMenuOpen)
        if let buttons { try container.encode(Info(button: buttons.map { Entry(button: $0) }), forKey: .info) }
    }
}

extension OfficialAccountWorld {
    func createMenu(_ appID: String, _ body: OfficialAccountMenu) throws(SandboxError) {
        try OfficialAccountMenuButton.validate(body.button)
        try mutate(appID) { $0.menu = body.button }
    }

    func menu(_ appID: String) throws(SandboxError) -> MenuAnswer {
        try read(appID) { account throws(SandboxError) in
            guard let buttons = account.menu else { throw SandboxError(46003, "menu no exist") }
            return MenuAnswer(menu: OfficialAccountMenu(button: buttons))
        }
    }

    func deleteMenu(_ appID: String) throws(SandboxError) {
        try mutate(appID) { $0.menu = nil }
    }

    func selfMenuInfo(_ appID: String) throws(SandboxError) -> SelfMenuInfo {
        try read(appID) { SelfMenuInfo(buttons: $0.menu) }
    }

    /// The menu button with `key` (click-type) or `url` (view), for a simulated tap.
    func menuButton(_ appID: String, where matches: (OfficialAccountMenuButton) -> Bool) -> OfficialAccountMenuButton? {
        let buttons = accounts[appID]?.menu ?? []
        return (buttons + buttons.flatMap { $0.subButton ?? [] }).first(where: matches)
    }
}
