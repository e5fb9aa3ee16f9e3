import Foundation

/// A service account's custom menu in the platform's own JSON shape (`menu/create`,
/// `menu/get`): up to 3 top-level buttons, each either an action or up to 5 sub-buttons.
public struct AccountMenu: Sendable, Equatable, Codable {
    public var buttons: [MenuButton]

    public init(buttons: [MenuButton]) { self.buttons = buttons }

    enum CodingKeys: String, CodingKey { case buttons = "button" }

    public static let maximumTopLevel = 3
    public static let maximumSubButtons = 5
    /// Names are limited in UTF-8 bytes: 16 at the top level, 60 below.
    public static let topNameBytes = 16
    public static let subNameBytes = 60
    public static let keyBytes = 128
    public static let urlBytes = 1024

    /// Every problem the platform would refuse the menu for (errcode 40018 and friends), checked
    /// before publishing, each with its path (`button[1].sub_button[0].name`).
    public func problems() -> [ValidationError] {
        var problems: [ValidationError] = []
        if buttons.isEmpty { problems.append(ValidationError(field: "button", message: "the menu needs at least one button")) }
        if buttons.count > Self.maximumTopLevel {
            problems.append(ValidationError(field: "button", message: "a menu has at most \(Self.maximumTopLevel) buttons"))
        }
        for (index, button) in buttons.enumerated() {
            let path = "button[\(index)]"
            problems += Self.nameProblems(button.name, path: path, limit: Self.topNameBytes)
            if let subs = button.subButtons, !subs.isEmpty {
                if button.type != nil {
                    problems.append(ValidationError(field: "\(path).type", message: "a button with sub-buttons has no action of its own"))
                }
                if subs.count > Self.maximumSubButtons {
                    problems.append(ValidationError(field: "\(path).sub_button", message: "a button has at most \(Self.maximumSubButtons) sub-buttons"))
                }
                for (subIndex, sub) in subs.enumerated() {
                    let subPath = "\(path).sub_button[\(subIndex)]"
                    problems += Self.nameProblems(sub.name, path: subPath, limit: Self.subNameBytes)
                    if let nested = sub.subButtons, !nested.isEmpty {
                        problems.append(ValidationError(field: "\(subPath).sub_button", message: "sub-buttons cannot have sub-buttons"))
                    }
                    problems += Self.actionProblems(sub, path: subPath)
                }
            } else {
                problems += Self.actionProblems(button, path: path)
            }
        }
        return problems
    }

    /// Every CLICK key the menu sends, for binding keys to actions.
    public var clickKeys: [String] {
        buttons.flatMap { [$0] + ($0.subButtons ?? []) }.filter { $0.type == .click }.compactMap(\.key)
    }

    static func nameProblems(_ name: String, path: String, limit: Int) -> [ValidationError] {
        if name.trimmingCharacters(in: .whitespaces).isEmpty { return [ValidationError(field: "\(path).name", message: "the button needs a name")] }
        if name.utf8.count > limit {
            return [ValidationError(field: "\(path).name", message: "the name is \(name.utf8.count) bytes; at most \(limit) (a Chinese character is 3)", rule: "length")]
        }
        return []
    }

    static func actionProblems(_ button: MenuButton, path: String) -> [ValidationError] {
        guard let type = button.type else { return [ValidationError(field: "\(path).type", message: "the button needs an action or sub-buttons")] }
        var problems: [ValidationError] = []
        func require(_ value: String?, _ field: String, _ what: String, limit: Int? = nil) {
            guard let value, !value.isEmpty else {
                problems.append(ValidationError(field: "\(path).\(field)", message: "a \(type.rawValue) button needs \(what)"))
                return
            }
            if let limit, value.utf8.count > limit {
                problems.append(ValidationError(field: "\(path).\(field)", message: "at most \(limit) bytes", rule: "length"))
            }
        }
        func requireURL() {
            require(button.url, "url", "a link", limit: Self.urlBytes)
            if let url = button.url, !url.isEmpty, !WebLink.isValid(url) {
                problems.append(ValidationError(field: "\(path).url", message: "the link must be an http or https URL"))
            }
        }
        switch type {
        case .click, .scancodePush, .scancodeWaitMessage, .picSystemPhoto, .picPhotoOrAlbum, .picWeixin, .locationSelect:
            require(button.key, "key", "a key", limit: Self.keyBytes)
        case .view:
            requireURL()
        case .miniProgram:
            require(button.appID, "appid", "the mini program's appid")
            require(button.pagePath, "pagepath", "the mini program page")
            requireURL()  // the fallback for clients without mini programs
        case .mediaID, .viewLimited:
            require(button.mediaID, "media_id", "a permanent material id")
        case .articleID, .articleViewLimited:
            require(button.articleID, "article_id", "a published article id")
        }
        return problems
    }
}

/// One menu button; a top-level button has either an action (`type` and its field) or sub-buttons.
public struct MenuButton: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case click, view
        case scancodePush = "scancode_push", scancodeWaitMessage = "scancode_waitmsg"
        case picSystemPhoto = "pic_sysphoto", picPhotoOrAlbum = "pic_photo_or_album", picWeixin = "pic_weixin"
        case locationSelect = "location_select"
        case mediaID = "media_id", viewLimited = "view_limited"
        case miniProgram = "miniprogram"
        case articleID = "article_id", articleViewLimited = "article_view_limited"
    }

    public var type: Kind?
    public var name: String
    public var key: String?
    public var url: String?
    public var mediaID: String?
    public var appID: String?
    public var pagePath: String?
    public var articleID: String?
    public var subButtons: [MenuButton]?

    public init(
        type: Kind? = nil, name: String, key: String? = nil, url: String? = nil, mediaID: String? = nil, appID: String? = nil,
        pagePath: String? = nil, articleID: String? = nil, subButtons: [MenuButton]? = nil
    ) {
        self.type = type
        self.name = name
        self.key = key
        self.url = url
        self.mediaID = mediaID
        self.appID = appID
        self.pagePath = pagePath
        self.articleID = articleID
        self.subButtons = subButtons
    }

    enum CodingKeys: String, CodingKey {
        case type, name, key, url, mediaID = "media_id", appID = "appid", pagePath = "pagepath", articleID = "article_id", subButtons = "sub_button"
    }
}
