import AsyncHTTPClient
import Foundation
import Logging
import WeCom

/// The outcome of one push to an account's server, with the passive reply it got.
public struct OfficialAccountDelivery: Codable, Sendable, Equatable {
    public var sequence: Int
    public var appID: String
    public var openID: String
    public var msgType: String
    public var event: String?
    public var eventKey: String?
    public var msgID: Int64?
    public var createTime: Int
    public var mode: OfficialAccountConfig.Mode
    public var url: String?
    public var attempts: Int
    /// `no_callback_url`, `failed` (no 200 in any try), `no_reply` (`success` or empty),
    /// `replied`, or `invalid_reply` (the platform would show 该公众号暂时无法提供服务).
    public var outcome: String
    public var lastStatus: Int?
    public var lastError: String?
    /// The push as the server should read it after decryption.
    public var xml: String
    /// The passive reply, decrypted when it came encrypted.
    public var replyXML: String?
    public var replyEncrypted: Bool?
    /// Why the platform refused the reply.
    public var replyError: String?

    enum CodingKeys: String, CodingKey {
        case sequence, appID = "app_id", openID = "openid", msgType = "msg_type", event, eventKey = "event_key", msgID = "msg_id"
        case createTime = "create_time", mode, url, attempts, outcome, lastStatus = "last_status", lastError = "last_error", xml
        case replyXML = "reply_xml", replyEncrypted = "reply_encrypted", replyError = "reply_error"
    }
}

/// Pushes messages and events to an Official Account's server as the platform does: the
/// `signature, timestamp, nonce, openid` query (plus `encrypt_type=aes&msg_signature=` when
/// encrypted), the body in the account's mode, 5 s per try and 3 tries; then reads the reply.
public struct OfficialAccountDeliverer: Sendable {
    let post: CallbackPost
    let logger: Logger

    public init(
        httpClient: HTTPClient = .shared, timeout: Duration = .seconds(5), tries: Int = 3,
        retryDelay: Duration = .milliseconds(200), logger: Logger
    ) {
        post = CallbackPost(http: httpClient, timeout: timeout, tries: tries, retryDelay: retryDelay)
        self.logger = logger
    }

    /// Delivers `push` with the account's current settings; `previousKey` may also decrypt the reply.
    public func deliver(_ push: OfficialAccountPush, config: OfficialAccountConfig, previousKey: String? = nil) async -> OfficialAccountDelivery {
        let xml = push.xml(originalID: config.originalID)
        var record = OfficialAccountDelivery(
            sequence: 0, appID: push.appID, openID: push.openID, msgType: push.msgType, event: push.event, eventKey: push.eventKey,
            msgID: push.msgID, createTime: push.createTime, mode: config.mode, url: config.callbackURL, attempts: 0,
            outcome: "no_callback_url", xml: xml
        )
        guard let url = config.callbackURL, !url.isEmpty else { return record }
        let timestamp = String(push.createTime)
        var query = [
            ("signature", CallbackCrypto.plainSignature(token: config.token, timestamp: timestamp, nonce: push.nonce)),
            ("timestamp", timestamp), ("nonce", push.nonce), ("openid", push.openID),
        ]
        let body: String
        do {
            switch config.mode {
            case .plain:
                body = xml
            case .compatible, .secure:
                let crypto = try CallbackCrypto(token: config.token, encodingAESKey: config.encodingAESKey ?? "", receiveID: config.appID)
                let encrypted = try crypto.encrypt(xml)
                query += [("encrypt_type", "aes"), ("msg_signature", crypto.signature(timestamp: timestamp, nonce: push.nonce, encrypted: encrypted))]
                if config.mode == .compatible {
                    body = push.xml(originalID: config.originalID, encrypt: encrypted)
                } else {
                    var writer = WeComXMLWriter()
                    writer.text("ToUserName", config.originalID)
                    writer.text("Encrypt", encrypted)
                    body = writer.finish()
                }
            }
        } catch {
            record.outcome = "failed"
            record.lastError = String(describing: error)
            return record
        }
        let separator = url.contains("?") ? "&" : "?"
        let target = url + separator + query.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        let outcome = await post.send(body, to: target)
        record.attempts = outcome.attempts
        record.lastStatus = outcome.lastStatus
        record.lastError = outcome.lastError
        guard outcome.delivered else {
            record.outcome = "failed"
            logger.warning("official account push not delivered", metadata: [
                "app_id": .string(push.appID), "msg_type": .string(push.msgType), "error": .string(record.lastError ?? ""),
            ])
            return record
        }
        Self.readReply(String(decoding: outcome.answer, as: UTF8.self), to: push, config: config, previousKey: previousKey, into: &record)
        return record
    }

    /// `success` or nothing: no reply. Otherwise a reply XML, plain or `Encrypt`ed with
    /// `MsgSignature`, `TimeStamp` and `Nonce`, which must answer the person who wrote.
    static func readReply(
        _ answer: String, to push: OfficialAccountPush, config: OfficialAccountConfig, previousKey: String?,
        into record: inout OfficialAccountDelivery
    ) {
        let text = answer.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, text != "success" else {
            record.outcome = "no_reply"
            return
        }
        record.outcome = "invalid_reply"
        guard let root = try? WeComXML.parse(text) else {
            record.replyError = "the reply is neither success nor XML"
            return
        }
        var reply = text
        if let encrypted = root["Encrypt"] {
            record.replyEncrypted = true
            guard config.mode != .plain else {
                record.replyError = "an encrypted reply to an account in plain mode"
                return
            }
            guard let signature = root["MsgSignature"], let timestamp = root["TimeStamp"], let nonce = root["Nonce"] else {
                record.replyError = "an encrypted reply needs MsgSignature, TimeStamp and Nonce"
                return
            }
            var decrypted: String?
            var failure = ""
            for key in [config.encodingAESKey, previousKey].compactMap(\.self) where decrypted == nil {
                do {
                    let crypto = try CallbackCrypto(token: config.token, encodingAESKey: key, receiveID: config.appID)
                    decrypted = try crypto.decryptMessage(signature: signature, timestamp: timestamp, nonce: nonce, encrypted: encrypted)
                } catch {
                    failure = String(describing: error)
                }
            }
            guard let decrypted else {
                record.replyError = "the reply does not verify or decrypt: \(failure)"
                return
            }
            reply = decrypted
        } else {
            record.replyEncrypted = false
            guard config.mode != .secure else {
                record.replyXML = text
                record.replyError = "a plain reply to an account in secure mode"
                return
            }
        }
        record.replyXML = reply
        if let problem = problem(in: reply, to: push, originalID: config.originalID) {
            record.replyError = problem
        } else {
            record.outcome = "replied"
        }
    }

    /// What the platform would refuse in a passive reply, or nil.
    static func problem(in reply: String, to push: OfficialAccountPush, originalID: String) -> String? {
        guard let root = try? WeComXML.parse(reply) else { return "the decrypted reply is not XML" }
        guard root["ToUserName"] == push.openID else { return "ToUserName must be the person's openid \(push.openID)" }
        guard root["FromUserName"] == originalID else { return "FromUserName must be the account's original id \(originalID)" }
        guard let created = root["CreateTime"], Int(created) != nil else { return "CreateTime must be a unix time" }
        let nested = { (element: String, field: String) in root.child(named: element)?[field].map { !$0.isEmpty } ?? false }
        switch root["MsgType"] ?? "" {
        case "text": return (root["Content"] ?? "").isEmpty ? "a text reply needs Content" : nil
        case "image": return nested("Image", "MediaId") ? nil : "an image reply needs Image/MediaId"
        case "voice": return nested("Voice", "MediaId") ? nil : "a voice reply needs Voice/MediaId"
        case "video": return nested("Video", "MediaId") ? nil : "a video reply needs Video/MediaId"
        case "music": return root.child(named: "Music") == nil ? "a music reply needs Music" : nil
        case "news":
            let items = root.child(named: "Articles")?.children(named: "item") ?? []
            guard items.count == 1, root["ArticleCount"] == "1" else { return "a news reply carries exactly 1 article (ArticleCount 1) since 2018-10-12" }
            return nil
        case "transfer_customer_service": return nil
        case let other: return "unknown reply MsgType '\(other)'"
        }
    }
}
