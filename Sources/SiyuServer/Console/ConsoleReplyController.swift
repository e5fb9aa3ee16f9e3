import Foundation
import Hummingbird
import SiyuCore
import SiyuStore

/// 自动回复 of a service account: keyword rules (add, edit, delete), the default reply, the
/// subscribe reply and the menu-key replies in one form, saved through ``ServiceAccountEditing``.
/// A refused form comes back filled in, with every problem beside its field.
struct ConsoleReplyController: Sendable {
    let store: SiyuStore
    let editing: ServiceAccountEditing
    let layout: ConsoleLayout

    func addRoutes(to group: RouterGroup<ConsoleContext>) {
        group.get("accounts/{app_id}/replies", use: show)
        group.post("accounts/{app_id}/replies", use: save)
    }

    struct Page: Sendable {
        var appID: String
        var name: String
        var tabs: [ConsoleOption]
        var form: ConsoleReplyForm
        var ruleCount: Int
        var clickCount: Int
        /// The menu's click keys, offered for menu-key replies.
        var menuKeys: [String]
        var problemCount: Int?
    }

    @Sendable func show(_ request: Request, context: ConsoleContext) async throws -> Response {
        let account = try await ConsoleServiceAccountController.account(store, context)
        let document = try await store.serviceAccounts.replies(appID: account.appID) ?? ReplyRulesDocument()
        return try await render(request, context, account, form: ConsoleReplyForm(document))
    }

    @Sendable func save(_ request: Request, context: ConsoleContext) async throws -> Response {
        let account = try await ConsoleServiceAccountController.account(store, context)
        var request = request
        var form = ConsoleReplyForm(form: try await ConsoleForm.read(&request))
        let (document, problems) = form.document { "r" + UUID().uuidString.prefix(8).lowercased() }
        if problems.isEmpty {
            try await editing.setReplies(appID: account.appID, document, actor: context.actor)
            return .redirect(to: "/console/accounts/\(account.appID)/replies?done=replies_saved")
        }
        form.place(problems) { layout.fieldErrors($0, request, prefix: "reply_").values.first ?? $0.message }
        form.rules.append(ConsoleReplyForm.Rule(index: form.rules.count))
        form.clicks.append(ConsoleReplyForm.Click(index: form.clicks.count))
        return try await render(request, context, account, form: form, problems: problems.count, status: .unprocessableContent)
    }

    private func render(
        _ request: Request, _ context: ConsoleContext, _ account: ServiceAccountSummary, form: ConsoleReplyForm, problems: Int? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let t = layout.renderer.strings.table(ConsoleLanguage(request))
        var form = form
        form.label(t)
        let keys = try await store.serviceAccounts.menu(appID: account.appID)?.menu.clickKeys ?? []
        let page = Page(
            appID: account.appID, name: account.name, tabs: ConsoleServiceAccountController.tabs(account, current: "replies", t), form: form,
            ruleCount: form.rules.count, clickCount: form.clicks.count, menuKeys: keys, problemCount: problems
        )
        return try await layout.page(.accountReplies, request, context, section: ConsoleServiceAccountController.section, title: account.name, model: page, status: status)
    }
}
