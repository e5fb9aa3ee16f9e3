import Foundation
import Hummingbird
import SiyuCore
import SiyuStore

extension Wire {
    /// `#/components/schemas/Webhook`.
    struct Webhook: ResponseEncodable, Listed {
        static var listName: String { "webhooks" }
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

    /// `#/components/schemas/WebhookRegistration`.
    struct WebhookRegistration: Decodable {
        var url: String
        var eventTypes: [String]
        enum CodingKeys: String, CodingKey { case url, eventTypes = "event_types" }
    }

    /// `#/components/schemas/WebhookDelivery`.
    struct WebhookDelivery: Listed {
        static var listName: String { "deliveries" }
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
}
