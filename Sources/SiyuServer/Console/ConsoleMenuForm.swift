import Foundation
import SiyuCore

/// The 自定义菜单 editor as typed: three buttons, each with five sub-button rows (`b0_name`,
/// `b0_s2_key`, …). Rows left empty are no button; what is filled becomes an `AccountMenu`, and
/// each of `AccountMenu.problems()` goes back beside the row and field it names.
struct ConsoleMenuForm: Sendable {
    struct Button: Sendable {
        /// `button[0]` or `button[0].sub_button[2]`, the path of the row when nothing above it is empty.
        var path: String
        var prefix: String
        var name = ""
        var type = ""
        var key = ""
        var url = ""
        var appID = ""
        var pagePath = ""
        var mediaID = ""
        var articleID = ""
        var subs: [Button] = []
        /// Keyed by field as problems name it (`name`, `key`, `appid`, `sub_button`…).
        var errors: [String: String] = [:]
        var typeOptions: [ConsoleOption] = []
        /// A top row with filled sub-rows (the editor shows them open).
        var hasSubs = false
        /// No name yet: the preview leaves the row out (an empty string would still show a section).
        var unnamed = true

        init(top: Int, sub: Int? = nil) {
            path = "button[\(top)]" + (sub.map { ".sub_button[\($0)]" } ?? "")
            prefix = "b\(top)_" + (sub.map { "s\($0)_" } ?? "")
            type = sub == nil ? "" : MenuButton.Kind.click.rawValue
            if sub == nil { subs = (0..<AccountMenu.maximumSubButtons).map { Button(top: top, sub: $0) } }
        }

        mutating func fill(_ button: MenuButton) {
            (name, type) = (button.name, button.type?.rawValue ?? "")
            (key, url, appID, pagePath, mediaID, articleID) = (button.key ?? "", button.url ?? "", button.appID ?? "", button.pagePath ?? "", button.mediaID ?? "", button.articleID ?? "")
            for (index, sub) in (button.subButtons ?? []).prefix(subs.count).enumerated() { subs[index].fill(sub) }
        }

        mutating func read(_ form: ConsoleForm) {
            name = form[prefix + "name"] ?? ""
            type = form[prefix + "type"] ?? type
            (key, url, appID) = (form[prefix + "key"] ?? "", form[prefix + "url"] ?? "", form[prefix + "appid"] ?? "")
            (pagePath, mediaID, articleID) = (form[prefix + "pagepath"] ?? "", form[prefix + "media_id"] ?? "", form[prefix + "article_id"] ?? "")
            for index in subs.indices { subs[index].read(form) }
        }

        var isBlank: Bool { [name, key, url, appID, pagePath, mediaID, articleID].allSatisfy(\.isEmpty) && subs.allSatisfy(\.isBlank) }

        /// The button the row says (a top row's filled sub-rows as its sub-buttons).
        var button: MenuButton {
            func value(_ text: String) -> String? { text.isEmpty ? nil : text }
            let filled = subs.filter { !$0.isBlank }.map(\.button)
            return MenuButton(
                type: MenuButton.Kind(rawValue: type), name: name, key: value(key), url: value(url), mediaID: value(mediaID), appID: value(appID),
                pagePath: value(pagePath), articleID: value(articleID), subButtons: filled.isEmpty ? nil : filled
            )
        }
    }

    var buttons: [Button]
    /// Problems of the menu as a whole (no button at all).
    var formErrors: [String] = []

    init(_ menu: AccountMenu?) {
        buttons = (0..<AccountMenu.maximumTopLevel).map { Button(top: $0) }
        for (index, button) in (menu?.buttons ?? []).prefix(buttons.count).enumerated() { buttons[index].fill(button) }
    }

    init(form: ConsoleForm) {
        self.init(nil)
        for index in buttons.indices { buttons[index].read(form) }
    }

    /// The menu of the filled rows.
    var menu: AccountMenu { AccountMenu(buttons: buttons.filter { !$0.isBlank }.map(\.button)) }

    /// Puts each of the menu's problems beside the row it names (paths count filled rows only).
    mutating func place(_ problems: [ValidationError], text: (ValidationError) -> String) {
        let tops = buttons.indices.filter { !buttons[$0].isBlank }
        for problem in problems {
            let parts = problem.field.split(separator: ".").map(String.init)
            guard let topPosition = Self.index(parts.first, "button"), topPosition < tops.count, parts.count >= 2 else {
                formErrors.append(text(problem))
                continue
            }
            let top = tops[topPosition]
            let leaf = ValidationError(field: parts.last ?? "", message: problem.message, rule: problem.rule)
            if let subPosition = Self.index(parts[1], "sub_button"), parts.count == 3 {
                let subs = buttons[top].subs.indices.filter { !buttons[top].subs[$0].isBlank }
                if subPosition < subs.count { buttons[top].subs[subs[subPosition]].errors[leaf.field] = text(leaf) }
            } else {
                buttons[top].errors[leaf.field] = text(leaf)
            }
        }
    }

    /// `button[2]` → 2.
    private static func index(_ part: String?, _ name: String) -> Int? {
        guard let part, part.hasPrefix(name + "["), part.hasSuffix("]") else { return nil }
        return Int(part.dropFirst(name.count + 1).dropLast())
    }

    /// The type choices of every row in the reader's language: a top row may open sub-buttons instead.
    mutating func label(_ t: [String: String]) {
        func options(_ type: String, top: Bool) -> [ConsoleOption] {
            ((top ? [""] : []) + MenuButton.Kind.allCases.map(\.rawValue)).map { ConsoleOption(value: $0, label: t["menu_type_" + ($0.isEmpty ? "sub" : $0)] ?? $0, selected: $0 == type) }
        }
        for top in buttons.indices {
            buttons[top].typeOptions = options(buttons[top].type, top: true)
            buttons[top].hasSubs = buttons[top].subs.contains { !$0.isBlank }
            buttons[top].unnamed = buttons[top].name.isEmpty
            for sub in buttons[top].subs.indices {
                buttons[top].subs[sub].typeOptions = options(buttons[top].subs[sub].type, top: false)
                buttons[top].subs[sub].unnamed = buttons[top].subs[sub].name.isEmpty
            }
        }
    }
}
