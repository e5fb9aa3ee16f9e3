import Foundation
import Hummingbird
import SiyuCore
import SiyuStore

/// `/api/v1/webhooks`: the outbound webhooks of the API key's corp and their delivery logs.
///
/// A URL whose host is, or resolves only to, an address the installation's
/// ``OutboundAddressPolicy`` refuses is refused at registration (422 on `url`); a host that does
/// not resolve yet is accepted. The sender checks again at every delivery, since DNS can change.
struct WebhookController: Sendable {
    let webhooks: WebhookStore
    let policy: OutboundAddressPolicy
    let time: TimeSource
    var resolver: HostResolver = .system

    func addRoutes(to group: RouterGroup<CorpContext>) {
        group.post("webhooks", use: register)
        group.get("webhooks", use: list)
        group.delete("webhooks/{webhook_id}", use: delete)
        group.get("webhooks/{webhook_id}/deliveries", use: deliveries)
    }

    @Sendable func register(_ request: Request, context: CorpContext) async throws -> EditedResponse<Wire.Webhook> {
        let corpID = context.corpID
        let body = try await request.decode(as: Wire.WebhookRegistration.self, context: context)
        try await refuseDisallowedAddress(try WebhookStore.validateURL(body.url))
        let registered = try await webhooks.register(corpID: corpID, url: body.url, eventTypes: body.eventTypes, actor: context.principal.actor, now: time())
        context.logger.info("webhook registered", metadata: ["corp_id": .string(corpID), "webhook_id": .string(registered.webhook.webhookID)])
        return EditedResponse(status: .created, response: Wire.Webhook(registered.webhook, secret: registered.secret))
    }

    @Sendable func list(_ request: Request, context: CorpContext) async throws -> Wire.Page<Wire.Webhook> {
        let corpID = context.corpID
        return Wire.Page(try await webhooks.list(corpID: corpID).map { Wire.Webhook($0) })
    }

    @Sendable func delete(_ request: Request, context: CorpContext) async throws -> Response {
        let corpID = context.corpID
        let webhookID = try context.parameters.require("webhook_id")
        guard try await webhooks.delete(corpID: corpID, webhookID: webhookID, actor: context.principal.actor, now: time()) else {
            throw Self.noSuchWebhook(webhookID)
        }
        return Response(status: .noContent)
    }

    @Sendable func deliveries(_ request: Request, context: CorpContext) async throws -> Wire.Page<Wire.WebhookDelivery> {
        let corpID = context.corpID
        let webhookID = try context.parameters.require("webhook_id")
        let limit = try Pagination.limit(request, default: 100)
        guard let found = try await webhooks.deliveries(corpID: corpID, webhookID: webhookID, limit: limit) else {
            throw Self.noSuchWebhook(webhookID)
        }
        return Wire.Page(found.map(Wire.WebhookDelivery.init))
    }

    /// Throws 422 `address_not_allowed` on `url` when its host is a refused address or resolves
    /// only to refused ones. A URL without a host is left to the store's validation, and a host
    /// that does not resolve (yet) to the sender, which resolves again at every attempt.
    func refuseDisallowedAddress(_ url: String) async throws(APIError) {
        do {
            _ = try await OutboundDestination.resolve(url, policy: policy, resolver: resolver)
        } catch where error.code == .notAllowed {
            throw APIError(.unprocessableContent, code: "address_not_allowed", error.message, field: "url")
        } catch {
            return
        }
    }

    static func noSuchWebhook(_ webhookID: String) -> APIError {
        APIError(.notFound, code: "not_found", "no webhook \(webhookID)")
    }
}
