import Foundation
import SiyuCore
import SiyuStore
import WeCom

/// The steps that change a service account's replies or menu, whoever asks: the reply rules are
/// validated and saved, then the cached connection forgotten (pushes answer from the new rules at
/// once); a menu is checked against the platform's limits, published with `menu/create` and kept
/// as the platform reads it back once it accepted it. The console and the REST API both call it.
struct ServiceAccountEditing: Sendable {
    let store: SiyuStore
    let accounts: ServiceAccountConnections
    let time: TimeSource

    /// Saves the rules; throws the first of `ReplyRulesDocument.problems()` (callers that show
    /// every problem check them first).
    func setReplies(appID: String, _ document: ReplyRulesDocument, actor: String) async throws {
        _ = try await store.serviceAccounts.setReplies(appID: appID, document, actor: actor, now: time())
        await accounts.invalidate(appID)
    }

    /// Publishes the menu and returns when it was recorded; throws its first problem before the
    /// platform is called, a `WeComAPIError` when the platform refuses it, nil when no corp has
    /// connected the AppID.
    func publishMenu(appID: String, _ menu: AccountMenu, actor: String) async throws -> Date? {
        if let problem = menu.problems().first { throw problem }
        guard let connection = try await accounts.connection(appID: appID) else { return nil }
        try await connection.client.createMenu(menu)
        // What the platform has is what is kept: read back with menu/get (a type Siyu does not know
        // fails to decode; then the menu as sent is kept).
        let platform = (try? await connection.client.menu(as: AccountMenu.self)) ?? nil
        let now = time()
        _ = try await store.serviceAccounts.setMenu(appID: appID, platform ?? menu, actor: actor, now: now)
        return now
    }
}
