import Foundation
import Hummingbird
import SiyuStore

/// Adds the console under `/console`: sign-in, the language switch and static files for anyone;
/// every other page behind a session (and CSRF on every POST); errors as HTML pages.
func addConsoleRoutes(to router: Router<AppRequestContext>, _ dependencies: ServerDependencies) throws {
    let renderer = try ConsoleRenderer.load()
    let store = dependencies.store
    let layout = ConsoleLayout(renderer: renderer, store: store, time: dependencies.time)
    router.get("/") { _, _ in Response.redirect(to: "/console") }
    // Pages link the SVG icon; this answers clients that ask for the old name anyway.
    router.get("/favicon.ico") { _, _ in Response.redirect(to: "/console/static/favicon.svg", type: .permanent) }

    let console = router.group("console").add(middleware: ConsoleErrorMiddleware(renderer: renderer))
    let auth = ConsoleAuthController(store: store, renderer: renderer, settings: dependencies.console, time: dependencies.time)
    auth.addPublicRoutes(to: console)
    // Any other path under /console: the console's own "not found" page, not the API's JSON.
    console.get("**") { _, _ -> Response in throw ConsoleRefusal(.notFound, "error_not_found") }

    let signedIn = console.group()
        .add(middleware: ConsoleSessionMiddleware(store: store, settings: dependencies.console, time: dependencies.time))
        .group(context: ConsoleContext.self)
        .add(middleware: AuditMiddleware<ConsoleContext>(audit: store.audit, time: dependencies.time))
    auth.addRoutes(to: signedIn)
    ConsoleDashboardController(store: store, layout: layout).addRoutes(to: signedIn)
    ConsoleChannelController(store: store, codes: ChannelCodes(store: store, wecom: dependencies.wecom, time: dependencies.time), layout: layout).addRoutes(to: signedIn)
    ConsoleCustomerController(store: store, tagging: CustomerTagging(store: store, wecom: dependencies.wecom, time: dependencies.time), layout: layout).addRoutes(to: signedIn)
    ConsoleTagController(store: store, tags: CorpTags(store: store, wecom: dependencies.wecom, time: dependencies.time), layout: layout).addRoutes(to: signedIn)
    ConsoleCampaignController(store: store, campaigns: dependencies.campaigns, layout: layout).addRoutes(to: signedIn)
    ConsoleSegmentController(store: store, indexes: dependencies.segments, layout: layout).addRoutes(to: signedIn)
    ConsolePolicyController(store: store, layout: layout).addRoutes(to: signedIn)
    ConsoleGroupController(store: store, layout: layout).addRoutes(to: signedIn)
    ConsoleAuditController(store: store, layout: layout).addRoutes(to: signedIn)
    let editing = ServiceAccountEditing(store: store, accounts: dependencies.serviceAccounts, time: dependencies.time)
    ConsoleServiceAccountController(store: store, layout: layout).addRoutes(to: signedIn)
    ConsoleReplyController(store: store, editing: editing, layout: layout).addRoutes(to: signedIn)
    ConsoleMenuController(store: store, editing: editing, layout: layout).addRoutes(to: signedIn)
}
