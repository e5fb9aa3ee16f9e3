import Foundation

/// The body of an encrypted callback POST, before decryption.
///
/// WeCom sends either XML,
/// `<xml><ToUserName>…</ToUserName><Encrypt>…</Encrypt><AgentID>…</AgentID></xml>`,
/// or JSON, `{"tousername":"…","encrypt":"…","agentid":"…"}`. Official Accounts send the XML
/// form without `AgentID`. The signature in the query covers ``encrypt``.
public struct WeComEncryptedEnvelope: Hashable, Sendable {
    /// `ToUserName`: the CorpID, or the account's original id for an Official Account.
    public var toUserName: String?
    /// `Encrypt`: the base64 ciphertext.
    public var encrypt: String
    /// `AgentID` of the receiving application, when sent.
    public var agentID: String?

    /// Creates an envelope.
    public init(toUserName: String?, encrypt: String, agentID: String?) {
        self.toUserName = toUserName
        self.encrypt = encrypt
        self.agentID = agentID
    }

    /// Decodes either variant, choosing JSON when the first non-whitespace byte is `{`.
    ///
    /// - Throws: ``WeComCallbackError``; `missing_field` with field `Encrypt` or `encrypt`
    ///   when there is no ciphertext.
    public static func decode(
        _ body: some WeComUTF8Input,
        options: WeComXML.Options = WeComXML.Options()
    ) throws(WeComCallbackError) -> WeComEncryptedEnvelope {
        let isJSON = body.withWeComUTF8 { bytes in bytes.first { !isWhitespace($0) } == UInt8(ascii: "{") }
        return isJSON ? try decodeJSON(body) : try decodeXML(body, options: options)
    }

    /// Decodes the XML variant.
    public static func decodeXML(
        _ body: some WeComUTF8Input,
        options: WeComXML.Options = WeComXML.Options()
    ) throws(WeComCallbackError) -> WeComEncryptedEnvelope {
        let fields = CallbackFields(element: try WeComCallbackError.parseRoot(body, options: options))
        return WeComEncryptedEnvelope(
            toUserName: fields.optional("ToUserName"), encrypt: try fields.required("Encrypt"),
            agentID: fields.optional("AgentID"))
    }

    /// Decodes the JSON variant. `agentid` may be a string or a number.
    public static func decodeJSON(_ body: some WeComUTF8Input) throws(WeComCallbackError) -> WeComEncryptedEnvelope {
        let data = body.withWeComUTF8 { Data($0) }
        guard let object = try? JSONSerialization.jsonObject(with: data),
            let dictionary = object as? [String: Any]
        else { throw WeComCallbackError(.malformedJSON) }

        func text(_ key: String) throws(WeComCallbackError) -> String? {
            switch dictionary[key] {
            case nil, is NSNull: return nil
            case let string as String: return string.isEmpty ? nil : string
            case let number as NSNumber: return number.stringValue
            default: throw WeComCallbackError(.invalidField, field: key)
            }
        }
        guard let encrypt = try text("encrypt") else { throw WeComCallbackError(.missingField, field: "encrypt") }
        return WeComEncryptedEnvelope(
            toUserName: try text("tousername"), encrypt: encrypt, agentID: try text("agentid"))
    }
}
