/// What happened, as an outbound webhook names it in its `type` field and `X-Siyu-Event` header.
///
/// A brand subscribes each webhook to some of these; the raw values are part of the public
/// contract, so a case may be added but never renamed.
///
/// Every delivery is a `POST` of a JSON body
/// `{"corp_id", "created_at", "data", "id", "type"}` with these headers:
///
/// - `X-Siyu-Event`: the event type, e.g. `customer.added`
/// - `X-Siyu-Delivery`: the delivery id (the body's `id`), the same on every retry
/// - `X-Siyu-Timestamp`: Unix seconds when this attempt was signed
/// - `X-Siyu-Signature`: `sha256=` followed by the lowercase hex of
///   HMAC-SHA256(key: the webhook's secret, message: `<timestamp>.<raw body>`)
public enum WebhookEventType: String, CaseIterable, Codable, Sendable {
    /// A member added a customer (or a customer added a member).
    case customerAdded = "customer.added"
    /// A customer's remark, description or other member-side details changed.
    case customerUpdated = "customer.updated"
    /// The customer deleted the member.
    case customerLost = "customer.lost"
    /// The member deleted the customer.
    case customerDeleted = "customer.deleted"
    case customerTagged = "customer.tagged"
    case customerUntagged = "customer.untagged"
    /// The welcome message was sent to a new customer.
    case customerWelcomed = "customer.welcomed"
    case channelCreated = "channel.created"
    case channelUpdated = "channel.updated"
    case channelDeleted = "channel.deleted"
    case tagCreated = "tag.created"
    case tagUpdated = "tag.updated"
    case tagDeleted = "tag.deleted"

    /// The header names of a delivery, in one place for the sender, the docs and the tests.
    public enum Header {
        public static let event = "X-Siyu-Event"
        public static let delivery = "X-Siyu-Delivery"
        public static let timestamp = "X-Siyu-Timestamp"
        public static let signature = "X-Siyu-Signature"
    }
}
