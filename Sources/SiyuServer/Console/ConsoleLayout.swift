import Foundation
import Hummingbird
import SiyuCore
import Mustache
import SiyuStore

/// Renders a console page inside the common layout: navigation for the user's role, the corp
/// switcher of an admin, the language switch, the session's CSRF token and the string table.
struct ConsoleLayout: Sendable {
    let renderer: ConsoleRenderer
    let store: SiyuStore
    /// Every console page's "now" (the dashboard's days, reminder windows).
    let time: TimeSource

    /// The sections of the navigation, in order, and who sees them.
    static let sections: [(id: String, path: String, employees: Bool, admins: Bool)] = [
        ("dashboard", "/console/dashboard", false, false), ("channels", "/console/channels", false, false), ("customers", "/console/customers", true, false), ("lost", "/console/lost", true, false),
        ("segments", "/console/segments", false, false), ("groups", "/console/groups", false, false), ("tags", "/console/tags", false, false), ("campaigns", "/console/campaigns", true, false),
        ("accounts", "/console/accounts", false, false), ("contact_policy", "/console/contact_policy", false, false), ("audit", "/console/audit", false, true),
    ]

    /// A page whose model is a struct (its properties are the template's names), inside the layout.
    func page(
        _ template: ConsoleTemplate, _ request: Request, _ context: ConsoleContext, section: String, title: String,
        model: some Sendable, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        try await page(template, request, context, section: section, title: title, ["model": model], status: status)
    }

    func page(
        _ template: ConsoleTemplate, _ request: Request, _ context: ConsoleContext, section: String, title: String,
        _ data: [String: Any], status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let language = ConsoleLanguage(request)
        let t = renderer.strings.table(language)
        let role = context.role
        var page = data
        page["t"] = t
        page["lang"] = language.rawValue
        page["title"] = title
        page["csrf"] = context.signIn.session.csrfToken
        page["username"] = context.user.username
        page["role_label"] = t["role_" + role.rawValue] ?? role.rawValue
        page["nav"] = Self.sections.filter { (role != .employee || $0.employees) && (role == .admin || !$0.admins) }.map { item -> [String: Any] in
            ["href": item.path, "label": t["nav_" + item.id] ?? item.id, "active": item.id == section]
        }
        let other: ConsoleLanguage = language == .zhCN ? .en : .zhCN
        let back = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
        page["lang_switch"] = [
            "href": "/console/lang/\(other.rawValue)?back=" + (back.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""),
            "label": renderer.strings.text("lang_name", other),
        ]
        if role == .admin {
            let corps = try await store.corps.list()
            page["has_corp_switch"] = !corps.isEmpty
            page["corp_switch"] = corps.map { ["corp_id": $0.corpID, "name": $0.name, "selected": $0.corpID == context.signIn.corpID] as [String: Any] }
        } else if let corpID = context.signIn.corpID, let corp = try await store.corps.find(corpID) {
            page["corp_name"] = corp.name
        }
        if let done = request.uri.queryParameters.get("done"), var message = t["done_" + done] {
            // Counts a bulk action reports (digits only).
            for name in ["n", "failed"] {
                let value = request.uri.queryParameters.get(name).map { String($0) } ?? "0"
                message = message.replacingOccurrences(of: "{\(name)}", with: value.allSatisfy(\.isNumber) ? value : "0")
            }
            page["flash"] = message
        }
        if let model = page.removeValue(forKey: "model") { return renderer.html(template, TypedPage(layout: page, model: model), status: status) }
        return renderer.html(template, page, status: status)
    }

    /// Field errors keyed by field (dots become underscores, so templates can name them), in the reader's language.
    /// A service's field error under the form field that shows it, in the reader's language:
    /// `invalid_<prefix><form field>` when the strings have it, else the service's message. An
    /// unknown reference names the id (`invalid_reference_<form field>`); an error in one row of
    /// a list (`attachments[2].link.url`) adds the row's number. `formField` maps the service's
    /// field to the form's (by default `a.b` is `a_b`).
    func fieldErrors(
        _ error: ValidationError, _ request: Request, prefix: String = "",
        formField: (String) -> String = { $0.replacingOccurrences(of: ".", with: "_") }
    ) -> [String: String] {
        let language = ConsoleLanguage(request)
        let strings = renderer.strings
        let field = formField(error.field)
        if let id = error.unknownID {
            let key = id.isEmpty ? "invalid_reference_empty" : "invalid_reference_" + field
            let text = strings.text(key, language)
            if text != key { return [field: text.replacingOccurrences(of: "{id}", with: id)] }
        }
        let key = "invalid_" + prefix + field
        var text = strings.text(key, language)
        if let rule = error.rule, case let ruled = strings.text(key + "_" + rule, language), ruled != key + "_" + rule { text = ruled }
        if text == key { text = error.message }
        if let open = error.field.firstIndex(of: "["), let row = Int(error.field[error.field.index(after: open)...].prefix { $0.isNumber }) {
            text += " (#\(row + 1))"
        }
        return [field: text]
    }
}

/// The layout's data (navigation, strings, CSRF…) with a typed page model: a name is looked up
/// in the layout first, then among the model's stored properties (an optional that is nil is
/// absent, so its section does not show).
struct TypedPage: MustacheParent {
    let layout: [String: Any]
    let model: Any

    func child(named name: String) -> Any? {
        if let value = layout[name] { return value }
        guard let value = Mirror(reflecting: model).children.first(where: { $0.label == name })?.value else { return nil }
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return value }
        return mirror.children.first?.value
    }
}

/// One choice of a `<select>` (or radio group) in a typed page model.
struct ConsoleOption: Sendable {
    var value: String
    var label: String
    var selected: Bool
}
