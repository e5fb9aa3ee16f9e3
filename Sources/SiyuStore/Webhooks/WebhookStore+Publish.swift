import Foundation
import SQLKit
import SiyuCore

extension WebhookStore {
    /// The JSON body of a delivery: `{"corp_id", "created_at", "data", "id", "type"}`, keys sorted.
    struct Envelope<Payload: Encodable>: Encodable {
        var id: String
        var type: WebhookEventType
        var corpID: String
        var createdAt: Date
        var data: Payload

        enum CodingKeys: String, CodingKey {
            case id, type, corpID = "corp_id", createdAt = "created_at", data
        }

        func encoded() throws -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            return String(decoding: try encoder.encode(self), as: UTF8.self)
        }
    }

    private struct Subscriber: Decodable {
        var webhookID: String
        var eventTypes: String
        enum CodingKeys: String, CodingKey { case webhookID = "webhook_id", eventTypes = "event_types" }
    }

    /// Queues `eventType` for every active webhook of `corpID` subscribed to it: one pending
    /// delivery and one `webhook.deliver` job each. Call it inside the transaction that makes the
    /// change, so the event is committed or rolled back with it. No subscriber, nothing written.
    ///
    /// `data` becomes the body's `data` object as its `Encodable` conformance writes it (give it
    /// snake_case coding keys); dates are ISO 8601.
    public static func publish(
        on sql: any SQLDatabase, corpID: String, eventType: WebhookEventType, data: some Encodable, now: Date
    ) async throws {
        let subscribers = try await sql.raw("""
            SELECT webhook_id, event_types FROM webhooks
            WHERE corp_id = \(bind: corpID) AND active = 1 ORDER BY created_at, webhook_id
            """).all(decoding: Subscriber.self)
            .filter { decodeEventTypes($0.eventTypes).contains(eventType) }
        let at = StoredTime.millis(now)
        for subscriber in subscribers {
            let deliveryID = UUID().uuidString.lowercased()
            let body = try Envelope(id: deliveryID, type: eventType, corpID: corpID, createdAt: now, data: data).encoded()
            try await sql.raw("""
                INSERT INTO webhook_deliveries (corp_id, delivery_id, webhook_id, event_type, payload, state, attempts, created_at)
                VALUES (\(bind: corpID), \(bind: deliveryID), \(bind: subscriber.webhookID), \(bind: eventType.rawValue),
                        \(bind: body), 'pending', 0, \(bind: at))
                """).run()
            try await JobQueue.enqueue(
                on: sql, kind: deliverJobKind, payload: deliveryID, corpID: corpID, maxAttempts: maxAttempts, now: now
            )
        }
    }
}
