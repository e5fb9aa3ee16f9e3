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

    struct WebhookBody: ResponseEncodable {
        var webhookID: String
        var url: String
        var eventTypes: [WebhookEventType]
        var active: Bool
        var createdAt: Date
        var updatedAt: Date
        /// The signing secret; present only in the response that registers the webhook.
        var secret: String?

        enum CodingKeys: String, CodingKey {
            case webhookID = "webhook_id", url, eventTypes = "event_types", active
            case createdAt = "created_at", updatedAt = "updated_at", secret
        }

        init(_ webhook: WebhookStore.Webhook, secret: String? = nil) {
            webhookID = webhook.webhookID
            url = webhook.url
            eventTypes = webhook.eventTypes
            active = webhook.active
            createdAt = webhook.createdAt
            updatedAt = webhook.updatedAt
            self.secret = secret
        }
    }

    struct WebhookList: ResponseEncodable { var webhooks: [WebhookBody] }

    struct RegisterRequest: Decodable {
        var url: String
        var eventTypes: [String]
        enum CodingKeys: String, CodingKey { case url, eventTypes = "event_types" }
    }

    struct DeliveryBody: Encodable {
        var deliveryID: String
        var webhookID: String
        var eventType: String
        var state: WebhookStore.DeliveryState
        var attempts: Int
        var lastStatus: Int?
        var lastError: String?
        var createdAt: Date
        var deliveredAt: Date?

        enum CodingKeys: String, CodingKey {
            case deliveryID = "delivery_id", webhookID = "webhook_id", eventType = "event_type", state, attempts
            case lastStatus = "last_status", lastError = "last_error", createdAt = "created_at", deliveredAt = "delivered_at"
        }

        init(_ delivery: WebhookStore.Delivery) {
            deliveryID = delivery.deliveryID
            webhookID = delivery.webhookID
            eventType = delivery.eventType
            state = delivery.state
            attempts = delivery.attempts
            lastStatus = delivery.lastStatus
            lastError = delivery.lastError
            createdAt = delivery.createdAt
            deliveredAt = delivery.deliveredAt
        }
    }

    struct DeliveryList: ResponseEncodable { var deliveries: [DeliveryBody] }

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.post("webhooks", use: register)
        group.get("webhooks", use: list)
        group.delete("webhooks/{webhook_id}", use: delete)
        group.get("webhooks/{webhook_id}/deliveries", use: deliveries)
    }

    @Sendable func register(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<WebhookBody> {
        let corpID = try context.actingCorp()
        let body = try await request.decode(as: RegisterRequest.self, context: context)
        try await refuseDisallowedAddress(try WebhookStore.validateURL(body.url))
        let registered = try await webhooks.register(corpID: corpID, url: body.url, eventTypes: body.eventTypes, actor: context.principal.actor, now: time())
        context.logger.info("webhook registered", metadata: ["corp_id": .string(corpID), "webhook_id": .string(registered.webhook.webhookID)])
        return EditedResponse(status: .created, response: WebhookBody(registered.webhook, secret: registered.secret))
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> WebhookList {
        let corpID = try context.actingCorp()
        return WebhookList(webhooks: try await webhooks.list(corpID: corpID).map { WebhookBody($0) })
    }

    @Sendable func delete(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let corpID = try context.actingCorp()
        let webhookID = try context.parameters.require("webhook_id")
        guard try await webhooks.delete(corpID: corpID, webhookID: webhookID, actor: context.principal.actor, now: time()) else {
            throw Self.noSuchWebhook(webhookID)
        }
        return Response(status: .noContent)
    }

    @Sendable func deliveries(_ request: Request, context: AuthenticatedContext) async throws -> DeliveryList {
        let corpID = try context.actingCorp()
        let webhookID = try context.parameters.require("webhook_id")
        let limit = try Pagination.limit(request, default: 100)
        guard let found = try await webhooks.deliveries(corpID: corpID, webhookID: webhookID, limit: limit) else {
            throw Self.noSuchWebhook(webhookID)
        }
        return DeliveryList(deliveries: found.map(DeliveryBody.init))
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
