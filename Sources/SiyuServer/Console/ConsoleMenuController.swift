import Foundation
import Hummingbird
import SiyuCore
import SiyuStore
import WeCom

/// 自定义菜单 of a service account: three buttons of five sub-buttons with a phone-shaped
/// preview; the limits are checked (`AccountMenu.problems()`, beside each field) before the menu
/// is published through ``ServiceAccountEditing``; a platform error is explained above the form.
struct ConsoleMenuController: Sendable {
    let store: SiyuStore
    let editing: ServiceAccountEditing
    let layout: ConsoleLayout

    func addRoutes(to group: RouterGroup<ConsoleContext>) {
        group.get("accounts/{app_id}/menu", use: show)
        group.post("accounts/{app_id}/menu", use: publish)
    }

    struct Page: Sendable {
        var appID: String
        var name: String
        var tabs: [ConsoleOption]
        var form: ConsoleMenuForm
        var publishedAt: String?
        var failure: String?
        var problemCount: Int?
    }

    @Sendable func show(_ request: Request, context: ConsoleContext) async throws -> Response {
        let account = try await ConsoleServiceAccountController.account(store, context)
        return try await render(request, context, account, form: ConsoleMenuForm(try await store.serviceAccounts.menu(appID: account.appID)?.menu))
    }

    @Sendable func publish(_ request: Request, context: ConsoleContext) async throws -> Response {
        let account = try await ConsoleServiceAccountController.account(store, context)
        var request = request
        var form = ConsoleMenuForm(form: try await ConsoleForm.read(&request))
        let menu = form.menu
        let problems = menu.problems()
        guard problems.isEmpty else {
            form.place(problems) { layout.fieldErrors($0, request, prefix: "menu_").values.first ?? $0.message }
            return try await render(request, context, account, form: form, problems: problems.count, status: .unprocessableContent)
        }
        do {
            guard try await editing.publishMenu(appID: account.appID, menu, actor: context.actor) != nil else { throw ConsoleRefusal(.notFound, "error_not_found") }
            return .redirect(to: "/console/accounts/\(account.appID)/menu?done=menu_published")
        } catch let error as WeComAPIError {
            let failure = layout.renderer.strings.platformError(errcode: error.errcode, errmsg: error.errmsg, ConsoleLanguage(request))
            return try await render(request, context, account, form: form, failure: failure, status: .badGateway)
        }
    }

    private func render(
        _ request: Request, _ context: ConsoleContext, _ account: ServiceAccountSummary, form: ConsoleMenuForm, failure: String? = nil,
        problems: Int? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let t = layout.renderer.strings.table(ConsoleLanguage(request))
        var form = form
        form.label(t)
        let published = try await store.serviceAccounts.menu(appID: account.appID)?.publishedAt
        let page = Page(
            appID: account.appID, name: account.name, tabs: ConsoleServiceAccountController.tabs(account, current: "menu", t), form: form,
            publishedAt: published.map(context.calendar.minuteLabel), failure: failure, problemCount: problems
        )
        return try await layout.page(.accountMenu, request, context, section: ConsoleServiceAccountController.section, title: account.name, model: page, status: status)
    }
}
