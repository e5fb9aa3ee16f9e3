/// The encrypted passive reply to a callback, in the XML or JSON form.
///
/// The values are computed by the crypto layer: ``encrypt`` is the base64 ciphertext of the
/// plain reply and ``msgSignature`` the SHA-1 signature over token, `String(timestamp)`,
/// nonce and ciphertext. This type only lays them out.
public struct WeComEncryptedReply: Hashable, Sendable {
    /// `Encrypt`: the base64 ciphertext of the plain reply.
    public var encrypt: String
    /// `MsgSignature`: hex SHA-1 signature.
    public var msgSignature: String
    /// `TimeStamp` in seconds since 1970, as signed.
    public var timestamp: Int64
    /// `Nonce`, as signed.
    public var nonce: String

    /// Creates a reply from already computed values.
    public init(encrypt: String, msgSignature: String, timestamp: Int64, nonce: String) {
        self.encrypt = encrypt
        self.msgSignature = msgSignature
        self.timestamp = timestamp
        self.nonce = nonce
    }

    /// `<xml><Encrypt><![CDATA[…]]></Encrypt><MsgSignature><![CDATA[…]]></MsgSignature><TimeStamp>…</TimeStamp><Nonce><![CDATA[…]]></Nonce></xml>`
    public func xml() -> String {
        var writer = WeComXMLWriter()
        writer.text("Encrypt", encrypt)
        writer.text("MsgSignature", msgSignature)
        writer.integer("TimeStamp", timestamp)
        writer.text("Nonce", nonce)
        return writer.finish()
    }

    /// `{"encrypt":"…","msgsignature":"…","timestamp":…,"nonce":"…"}`, the timestamp a number.
    public func json() -> String {
        var json = "{\"encrypt\":"
        appendJSONString(encrypt, to: &json)
        json += ",\"msgsignature\":"
        appendJSONString(msgSignature, to: &json)
        json += ",\"timestamp\":\(timestamp),\"nonce\":"
        appendJSONString(nonce, to: &json)
        return json + "}"
    }
}

/// A plain passive text reply, as an Official Account or a WeCom app answers a message.
///
/// Sent as is in plain mode, or encrypted and wrapped in a ``WeComEncryptedReply`` in
/// secure mode.
public struct WeComTextReply: Hashable, Sendable {
    /// `ToUserName`: the follower's OpenID or the member's UserID who wrote.
    public var toUserName: String
    /// `FromUserName`: the account's original id (`gh_…`) or the CorpID.
    public var fromUserName: String
    /// `CreateTime` in seconds since 1970.
    public var createTime: Int64
    /// `Content`: the text.
    public var content: String

    /// Creates a reply.
    public init(toUserName: String, fromUserName: String, createTime: Int64, content: String) {
        self.toUserName = toUserName
        self.fromUserName = fromUserName
        self.createTime = createTime
        self.content = content
    }

    /// `<xml><ToUserName>…</ToUserName><FromUserName>…</FromUserName><CreateTime>…</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>…</Content></xml>`
    public func xml() -> String {
        var writer = WeComXMLWriter()
        writer.text("ToUserName", toUserName)
        writer.text("FromUserName", fromUserName)
        writer.integer("CreateTime", createTime)
        writer.text("MsgType", "text")
        writer.text("Content", content)
        return writer.finish()
    }
}

/// Appends `value` as a quoted JSON string, escaping quotes, backslashes and control characters.
private func appendJSONString(_ value: String, to json: inout String) {
    json += "\""
    for scalar in value.unicodeScalars {
        switch scalar {
        case "\"": json += "\\\""
        case "\\": json += "\\\\"
        case "\n": json += "\\n"
        case "\r": json += "\\r"
        case "\t": json += "\\t"
        case let control where control.value < 0x20:
            let hex = String(control.value, radix: 16)
            json += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: json.unicodeScalars.append(scalar)
        }
    }
    json += "\""
}
