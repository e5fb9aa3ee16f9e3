import Foundation
import SQLKit
import SiyuCore

/// A brand's outbound webhooks and the log of every delivery to them.
///
/// A webhook's signing secret is sealed with the master key, bound to its corp and webhook
/// (`webhooks.secret:<corp_id>:<webhook_id>`), and returned in clear only once, when it is
/// registered, and to the sender. Events enter through ``publish(on:corpID:eventType:data:now:)``
/// inside the transaction that made the change, so an event exists exactly when its change does.
public struct WebhookStore: Sendable {
    let database: SiyuDatabase
    let box: SecretBox

    /// The job kind that delivers one row of `webhook_deliveries`; its payload is the delivery id.
    public static let deliverJobKind = "webhook.deliver"
    /// Attempts per delivery before it is recorded as failed.
    public static let maxAttempts = 8
    /// The longest `last_error` kept: a short sentence of Siyu's, never the receiver's answer.
    public static let maxErrorLength = 500

    /// A registered webhook, without its secret.
    public struct Webhook: Sendable, Equatable {
        public var corpID: String
        public var webhookID: String
        public var url: String
        public var eventTypes: [WebhookEventType]
        public var active: Bool
        public var createdAt: Date
        public var updatedAt: Date
    }

    /// What ``register(corpID:url:eventTypes:actor:now:)`` returns: the secret is shown this once.
    public struct Registered: Sendable {
        public var webhook: Webhook
        public var secret: String
    }

    public enum DeliveryState: String, Sendable, Codable {
        case pending, delivered, failed
    }

    /// One event sent (or being sent) to one webhook.
    public struct Delivery: Sendable, Equatable {
        public var corpID: String
        public var deliveryID: String
        public var webhookID: String
        public var eventType: String
        /// The JSON body, byte for byte what is POSTed and signed.
        public var payload: String
        public var state: DeliveryState
        public var attempts: Int
        public var lastStatus: Int?
        public var lastError: String?
        public var createdAt: Date
        public var deliveredAt: Date?
    }

    /// A delivery with where it goes and the secret to sign it with, for the sender only.
    public struct Outbound: Sendable {
        public var delivery: Delivery
        public var url: String
        public var secret: String
    }

    /// How one attempt ended.
    public enum AttemptOutcome: Sendable, Equatable {
        /// The receiver answered 2xx.
        case delivered(status: Int)
        /// The attempt failed and another one follows.
        case retrying(status: Int?, error: String)
        /// The last attempt failed; the delivery is given up.
        case failed(status: Int?, error: String)
    }

    private struct WebhookRow: Decodable {
        var corpID: String
        var webhookID: String
        var url: String
        var eventTypes: String
        var active: Int64
        var createdAt: Int64
        var updatedAt: Int64

        enum CodingKeys: String, CodingKey {
            case corpID = "corp_id", webhookID = "webhook_id", url, eventTypes = "event_types", active
            case createdAt = "created_at", updatedAt = "updated_at"
        }

        static let columns: SQLQueryString = "corp_id, webhook_id, url, event_types, active, created_at, updated_at"

        var webhook: Webhook {
            Webhook(
                corpID: corpID, webhookID: webhookID, url: url, eventTypes: WebhookStore.decodeEventTypes(eventTypes),
                active: active != 0, createdAt: StoredTime.date(createdAt), updatedAt: StoredTime.date(updatedAt)
            )
        }
    }

    private struct DeliveryRow: Decodable {
        var corpID: String
        var deliveryID: String
        var webhookID: String
        var eventType: String
        var payload: String
        var state: String
        var attempts: Int64
        var lastStatus: Int64?
        var lastError: String?
        var createdAt: Int64
        var deliveredAt: Int64?

        enum CodingKeys: String, CodingKey {
            case corpID = "corp_id", deliveryID = "delivery_id", webhookID = "webhook_id", eventType = "event_type", payload
            case state, attempts, lastStatus = "last_status", lastError = "last_error"
            case createdAt = "created_at", deliveredAt = "delivered_at"
        }

        static let columns: SQLQueryString = """
            d.corp_id, d.delivery_id, d.webhook_id, d.event_type, d.payload, d.state, d.attempts,
            d.last_status, d.last_error, d.created_at, d.delivered_at
            """

        var delivery: Delivery {
            Delivery(
                corpID: corpID, deliveryID: deliveryID, webhookID: webhookID, eventType: eventType, payload: payload,
                state: DeliveryState(rawValue: state) ?? .pending, attempts: Int(attempts), lastStatus: lastStatus.map { Int($0) },
                lastError: lastError, createdAt: StoredTime.date(createdAt), deliveredAt: deliveredAt.map(StoredTime.date)
            )
        }
    }

    private struct OutboundRow: Decodable {
        var url: String
        var secretEnc: String
        enum CodingKeys: String, CodingKey { case url, secretEnc = "secret_enc" }
    }

    /// Registers a webhook for a corp that exists and audits it, in one transaction.
    public func register(
        corpID: String, url: String, eventTypes: [String], actor: String, now: Date
    ) async throws -> Registered {
        let url = try Self.validateURL(url)
        let types = try Self.validateEventTypes(eventTypes)
        let webhookID = UUID().uuidString.lowercased()
        let secret = "whsec_" + APIKeyStore.randomHex(bytes: 32)
        let sealed = try box.seal(secret, context: Self.secretContext(corpID: corpID, webhookID: webhookID))
        let encodedTypes = String(decoding: try JSONEncoder.sorted.encode(types), as: UTF8.self)
        let at = StoredTime.millis(now)
        return try await database.write { sql in
            guard try await sql.raw("SELECT corp_id FROM corps WHERE corp_id = \(bind: corpID)").first() != nil else {
                throw StoreError(.notFound, "corp \(corpID) is not registered")
            }
            try await sql.raw("""
                INSERT INTO webhooks (corp_id, webhook_id, url, secret_enc, event_types, active, created_at, updated_at)
                VALUES (\(bind: corpID), \(bind: webhookID), \(bind: url), \(bind: sealed), \(bind: encodedTypes), 1, \(bind: at), \(bind: at))
                """).run()
            try await AuditLog.append(
                on: sql, corpID: corpID, actor: actor, action: "webhook.register", target: webhookID,
                detail: ["url": url, "event_types": types.map(\.rawValue).joined(separator: ",")], now: now
            )
            let webhook = Webhook(
                corpID: corpID, webhookID: webhookID, url: url, eventTypes: types, active: true,
                createdAt: StoredTime.date(at), updatedAt: StoredTime.date(at)
            )
            return Registered(webhook: webhook, secret: secret)
        }
    }

    /// A corp's webhooks, oldest first, without secrets.
    public func list(corpID: String) async throws -> [Webhook] {
        try await database.read { sql in
            try await sql.raw("""
                SELECT \(WebhookRow.columns) FROM webhooks
                WHERE corp_id = \(bind: corpID) ORDER BY created_at, webhook_id
                """).all(decoding: WebhookRow.self).map(\.webhook)
        }
    }

    /// Deletes a webhook with its delivery log; returns false when the corp has no such webhook.
    /// Deliveries still queued are dropped: their jobs find nothing to send.
    public func delete(corpID: String, webhookID: String, actor: String, now: Date) async throws -> Bool {
        try await database.write { sql in
            let rows = try await sql.raw("""
                DELETE FROM webhooks WHERE corp_id = \(bind: corpID) AND webhook_id = \(bind: webhookID)
                RETURNING url
                """).all()
            guard let url = try rows.first?.decode(column: "url", as: String.self) else { return false }
            try await AuditLog.append(
                on: sql, corpID: corpID, actor: actor, action: "webhook.delete", target: webhookID, detail: ["url": url], now: now
            )
            return true
        }
    }

    /// The newest deliveries of a webhook, newest first; nil when the corp has no such webhook.
    public func deliveries(corpID: String, webhookID: String, limit: Int = 100) async throws -> [Delivery]? {
        let limit = max(1, min(limit, 1000))
        return try await database.read { sql in
            guard try await sql.raw("""
                SELECT webhook_id FROM webhooks WHERE corp_id = \(bind: corpID) AND webhook_id = \(bind: webhookID)
                """).first() != nil
            else { return nil }
            return try await sql.raw("""
                SELECT \(DeliveryRow.columns) FROM webhook_deliveries d
                WHERE d.corp_id = \(bind: corpID) AND d.webhook_id = \(bind: webhookID)
                ORDER BY d.created_at DESC, d.delivery_id DESC LIMIT \(literal: limit)
                """).all(decoding: DeliveryRow.self).map(\.delivery)
        }
    }

    /// One delivery with its webhook's url and decrypted secret; nil when it (or its webhook) is gone.
    public func delivery(corpID: String, deliveryID: String) async throws -> Outbound? {
        struct Joined: Decodable {
            var delivery: DeliveryRow
            var target: OutboundRow
            init(from decoder: any Decoder) throws {
                delivery = try DeliveryRow(from: decoder)
                target = try OutboundRow(from: decoder)
            }
        }
        guard let row = try await database.read({ sql in
            try await sql.raw("""
                SELECT \(DeliveryRow.columns), w.url, w.secret_enc FROM webhook_deliveries d
                JOIN webhooks w ON w.corp_id = d.corp_id AND w.webhook_id = d.webhook_id
                WHERE d.corp_id = \(bind: corpID) AND d.delivery_id = \(bind: deliveryID)
                """).first(decoding: Joined.self)
        }) else { return nil }
        let secret = try box.open(row.target.secretEnc, context: Self.secretContext(corpID: corpID, webhookID: row.delivery.webhookID))
        return Outbound(delivery: row.delivery.delivery, url: row.target.url, secret: secret)
    }

    /// Records one attempt of a pending delivery; a delivery already delivered or failed is left
    /// as it is. Returns false when there was no pending delivery to update.
    @discardableResult
    public func recordAttempt(
        corpID: String, deliveryID: String, outcome: AttemptOutcome, now: Date
    ) async throws -> Bool {
        let state: DeliveryState
        let status: Int?
        let error: String?
        switch outcome {
        case .delivered(let code): (state, status, error) = (.delivered, code, nil)
        case .retrying(let code, let message): (state, status, error) = (.pending, code, message)
        case .failed(let code, let message): (state, status, error) = (.failed, code, message)
        }
        let at = StoredTime.millis(now)
        return try await database.write { sql in
            try await sql.raw("""
                UPDATE webhook_deliveries SET state = \(bind: state.rawValue), attempts = attempts + 1,
                    last_status = \(bind: status.map { Int64($0) }), last_error = \(bind: error.map { String($0.prefix(Self.maxErrorLength)) }),
                    delivered_at = \(bind: state == .delivered ? at : nil)
                WHERE corp_id = \(bind: corpID) AND delivery_id = \(bind: deliveryID) AND state = 'pending'
                RETURNING delivery_id
                """).all().isEmpty == false
        }
    }

    static func secretContext(corpID: String, webhookID: String) -> String {
        "webhooks.secret:\(corpID):\(webhookID)"
    }

    static func decodeEventTypes(_ text: String) -> [WebhookEventType] {
        ((try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []).compactMap(WebhookEventType.init(rawValue:))
    }

    /// An absolute http or https URL with a host, at most 2048 characters; returned trimmed.
    public static func validateURL(_ text: String) throws(ValidationError) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.utf8.count <= 2048, let components = URLComponents(string: trimmed),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host, !host.isEmpty
        else {
            throw ValidationError(field: "url", message: "url must be an http or https URL with a host, e.g. https://example.com/siyu/webhook")
        }
        return trimmed
    }

    /// One or more known event types, without repeats, in the order of ``WebhookEventType/allCases``.
    static func validateEventTypes(_ names: [String]) throws(ValidationError) -> [WebhookEventType] {
        var chosen = Set<WebhookEventType>()
        for name in names {
            guard let type = WebhookEventType(rawValue: name) else {
                let known = WebhookEventType.allCases.map(\.rawValue).joined(separator: ", ")
                throw ValidationError(field: "event_types", message: "unknown event type '\(name)'; known types: \(known)")
            }
            chosen.insert(type)
        }
        guard !chosen.isEmpty else {
            throw ValidationError(field: "event_types", message: "event_types must name at least one event type")
        }
        return WebhookEventType.allCases.filter(chosen.contains)
    }
}
