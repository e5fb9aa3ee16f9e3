import Foundation

/// Reading one push to an Official Account's server URL (`GET` verification or `POST` message),
/// in any of its three modes.
///
/// `signature` (SHA-1 over token, timestamp and nonce) is checked on every request. With
/// `encrypt_type=aes` the body carries `Encrypt`, and `msg_signature` (over token, timestamp,
/// nonce and `Encrypt`) is checked before decrypting; a body whose other fields sit beside
/// `Encrypt` arrived in compatible mode, one with only `ToUserName` and `Encrypt` in secure mode.
public enum OfficialAccountPush {
    /// The mode a push arrived in, from the weakest to the strongest.
    public enum Arrival: String, Sendable, Equatable {
        case plain, compatible, secure
    }

    /// The query parameters of a push, already URL-decoded.
    public struct Query: Sendable, Equatable {
        public var signature: String?
        public var timestamp: String?
        public var nonce: String?
        public var echoStr: String?
        public var openID: String?
        public var encryptType: String?
        public var msgSignature: String?

        public init(_ parameters: [String: String]) {
            signature = parameters["signature"]
            timestamp = parameters["timestamp"]
            nonce = parameters["nonce"]
            echoStr = parameters["echostr"]
            openID = parameters["openid"]
            encryptType = parameters["encrypt_type"]
            msgSignature = parameters["msg_signature"]
        }

        /// Whether the query announces an encrypted body.
        public var isEncrypted: Bool { encryptType?.lowercased() == "aes" }
    }

    /// A push that passed its checks.
    public struct Opened: Sendable, Equatable {
        /// The message or event, decrypted when it was encrypted.
        public var xml: String
        public var arrival: Arrival
        /// Which of the keys decrypted it (0 the current one, 1 the previous one); nil in plain mode.
        public var keyIndex: Int?
    }

    /// Checks `signature`, and `timestamp` and `nonce` being present.
    public static func verifySignature(_ query: Query, token: String) throws(WeComCryptoError) {
        guard let signature = query.signature, let timestamp = query.timestamp, let nonce = query.nonce else {
            throw WeComCryptoError(.invalidSignature, "a push carries signature, timestamp and nonce")
        }
        let expected = CallbackCrypto.plainSignature(token: token, timestamp: timestamp, nonce: nonce)
        guard CallbackCrypto.constantTimeEqual(expected, signature.lowercased()) else {
            throw WeComCryptoError(.invalidSignature, "signature does not match; check the account's Token")
        }
    }

    /// URL verification: the plain `echostr` to answer, after the signature check. Unlike WeCom,
    /// the echo string is never encrypted, whatever the mode.
    public static func verifyURL(_ query: Query, token: String) throws(WeComCryptoError) -> String {
        try verifySignature(query, token: token)
        guard let echo = query.echoStr else {
            throw WeComCryptoError(.invalidBuffer, "URL verification carries echostr")
        }
        return echo
    }

    /// Checks and opens a `POST` body. `cryptos` are the account's keys, current first; each is
    /// tried in turn, so a push encrypted with the previous key after a rotation still opens.
    ///
    /// - Throws: ``WeComCryptoError`` (`invalidSignature` for either signature) or
    ///   ``WeComCallbackError`` / ``WeComXMLError`` for a body that is not a push.
    public static func open(body: some WeComUTF8Input, query: Query, token: String, cryptos: [CallbackCrypto]) throws -> Opened {
        try verifySignature(query, token: token)
        let root = try WeComCallbackError.parseRoot(body, options: WeComXML.Options(maxInputBytes: 64 * 1024))
        guard query.isEncrypted else {
            _ = try WeComCallback(element: root)
            return Opened(xml: body.withWeComUTF8 { String(decoding: $0, as: UTF8.self) }, arrival: .plain, keyIndex: nil)
        }
        guard let msgSignature = query.msgSignature, let timestamp = query.timestamp, let nonce = query.nonce else {
            throw WeComCryptoError(.invalidSignature, "an encrypted push carries msg_signature")
        }
        guard let encrypted = root["Encrypt"], !encrypted.isEmpty else {
            throw WeComCallbackError(.missingField, field: "Encrypt")
        }
        let arrival: Arrival = root.children.contains { !["ToUserName", "Encrypt"].contains($0.name) } ? .compatible : .secure
        guard !cryptos.isEmpty else {
            throw WeComCryptoError(.invalidAESKey, "the push is encrypted but the account has no EncodingAESKey")
        }
        try cryptos[0].verify(signature: msgSignature, timestamp: timestamp, nonce: nonce, encrypted: encrypted)
        var lastError: WeComCryptoError?
        for (index, crypto) in cryptos.enumerated() {
            do {
                let xml = try crypto.decrypt(encrypted).message
                _ = try WeComCallback.decode(xml)
                return Opened(xml: xml, arrival: arrival, keyIndex: index)
            } catch let error as WeComCryptoError {
                lastError = error
            }
        }
        throw lastError ?? WeComCryptoError(.decrypt, "no key decrypts the push")
    }
}

/// A passive reply of an Official Account: the XML answered to a push, before any encryption.
public enum OfficialAccountReply: Sendable, Equatable {
    case text(String)
    case image(mediaID: String)
    /// One article (the platform's limit since 2018).
    case news(title: String, description: String, picURL: String, url: String)

    /// The reply document to the follower `openID` from the account `originalID` (`gh_…`).
    public func xml(to openID: String, from originalID: String, createTime: Int64) -> String {
        if case .text(let content) = self {
            return WeComTextReply(toUserName: openID, fromUserName: originalID, createTime: createTime, content: content).xml()
        }
        var writer = WeComXMLWriter()
        writer.text("ToUserName", openID)
        writer.text("FromUserName", originalID)
        writer.integer("CreateTime", createTime)
        switch self {
        case .text:
            break
        case .image(let mediaID):
            writer.text("MsgType", "image")
            writer.element("Image") { $0.text("MediaId", mediaID) }
        case .news(let title, let description, let picURL, let url):
            writer.text("MsgType", "news")
            writer.integer("ArticleCount", 1)
            writer.element("Articles") { articles in
                articles.element("item") { item in
                    item.text("Title", title)
                    item.text("Description", description)
                    item.text("PicUrl", picURL)
                    item.text("Url", url)
                }
            }
        }
        return writer.finish()
    }
}
