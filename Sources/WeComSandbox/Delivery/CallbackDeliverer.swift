import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import WeCom

/// The outcome of delivering one callback, kept for inspection.
public struct DeliveryRecord: Codable, Sendable, Equatable {
    public var sequence: Int
    public var corpID: String
    public var event: String
    public var changeType: String?
    public var url: String?
    public var attempts: Int
    /// `delivered`, `failed` (every try failed) or `no_callback_url`.
    public var outcome: String
    public var lastStatus: Int?
    public var lastError: String?
    /// The decrypted event, as the receiver should see it.
    public var xml: String

    enum CodingKeys: String, CodingKey {
        case sequence, corpID = "corp_id", event, changeType = "change_type", url, attempts, outcome
        case lastStatus = "last_status", lastError = "last_error", xml
    }
}

/// Delivers encrypted callbacks the way the platform does: POST to the registered URL with
/// `msg_signature`, `timestamp` and `nonce`, a 5 s timeout, 3 tries in total; HTTP 200 is success.
public actor CallbackDeliverer {
    let http: HTTPClient
    let timeout: Duration
    let tries: Int
    let retryDelay: Duration
    let logger: Logger
    private var records: [DeliveryRecord] = []
    private var nonceSeed: UInt64 = 0

    public init(
        httpClient: HTTPClient = .shared, timeout: Duration = .seconds(5), tries: Int = 3,
        retryDelay: Duration = .milliseconds(200), logger: Logger
    ) {
        self.http = httpClient
        self.timeout = timeout
        self.tries = tries
        self.retryDelay = retryDelay
        self.logger = logger
    }

    /// The decrypted XML of an event, exactly as the platform builds it.
    public static func xml(for event: SandboxEvent) -> String {
        var writer = WeComXMLWriter()
        writer.text("ToUserName", event.corpID)
        writer.text("FromUserName", "sys")
        writer.integer("CreateTime", event.createTime)
        writer.text("MsgType", "event")
        writer.text("Event", event.event)
        if let changeType = event.changeType { writer.text("ChangeType", changeType) }
        for field in event.fields {
            switch field.value {
            case .text(let value): writer.text(field.name, value)
            case .integer(let value): writer.integer(field.name, value)
            case .items(let items):
                writer.element(field.name) { list in
                    for item in items { list.text("Item", item) }
                }
            }
        }
        return writer.finish()
    }

    /// Encrypts and delivers `event` to the corp's callback URL; returns the record.
    @discardableResult
    public func deliver(_ event: SandboxEvent, config: SandboxCorpConfig) async -> DeliveryRecord {
        let xml = Self.xml(for: event)
        var record = DeliveryRecord(
            sequence: records.count + 1, corpID: event.corpID, event: event.event, changeType: event.changeType,
            url: config.callbackURL, attempts: 0, outcome: "no_callback_url", xml: xml
        )
        guard let url = config.callbackURL, !url.isEmpty else {
            records.append(record)
            return record
        }
        do {
            let crypto = try CallbackCrypto(token: config.token, encodingAESKey: config.encodingAESKey, receiveID: config.corpID)
            let encrypted = try crypto.encrypt(xml)
            let timestamp = String(event.createTime)
            nonceSeed &+= 1
            let nonce = String(1_000_000_000 + Int(nonceSeed % 1_000_000_000))
            let signature = crypto.signature(timestamp: timestamp, nonce: nonce, encrypted: encrypted)
            var body = WeComXMLWriter()
            body.text("ToUserName", config.corpID)
            body.text("Encrypt", encrypted)
            body.text("AgentID", config.agentID)
            let payload = body.finish()
            let separator = url.contains("?") ? "&" : "?"
            let outcome = await CallbackPost(http: http, timeout: timeout, tries: tries, retryDelay: retryDelay)
                .send(payload, to: "\(url)\(separator)msg_signature=\(signature)&timestamp=\(timestamp)&nonce=\(nonce)")
            record.attempts = outcome.attempts
            record.outcome = outcome.delivered ? "delivered" : "failed"
            record.lastStatus = outcome.lastStatus
            record.lastError = outcome.lastError
        } catch {
            record.outcome = "failed"
            record.lastError = String(describing: error)
        }
        if record.outcome != "delivered" {
            logger.warning("callback not delivered", metadata: [
                "corp_id": .string(event.corpID), "event": .string(event.changeType ?? event.event), "error": .string(record.lastError ?? ""),
            ])
        }
        records.append(record)
        return record
    }

    /// Every delivery so far, oldest first (optionally of one corp).
    public func deliveries(corpID: String? = nil) -> [DeliveryRecord] {
        corpID.map { id in records.filter { $0.corpID == id } } ?? records
    }
}
