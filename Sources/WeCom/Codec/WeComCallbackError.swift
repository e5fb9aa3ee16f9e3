/// A failure to decode a callback body: the encrypted envelope or the decrypted message.
public struct WeComCallbackError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong. The raw values are stable identifiers for logs and metrics.
    public enum Code: String, Hashable, Sendable, CaseIterable {
        /// The body is not well-formed XML; ``WeComCallbackError/xmlError`` says where.
        case malformedXML = "malformed_xml"
        /// The body is not a JSON object.
        case malformedJSON = "malformed_json"
        /// The root element is not `<xml>`.
        case unexpectedRoot = "unexpected_root"
        /// A field that this kind of callback requires is absent or empty.
        case missingField = "missing_field"
        /// A field is present but its value has the wrong shape, such as a non-numeric `CreateTime`.
        case invalidField = "invalid_field"
    }

    /// What went wrong.
    public let code: Code
    /// The field concerned, as named on the wire (`ExternalUserID`, `encrypt`), when there is one.
    public let field: String?
    /// The parser's error when ``code`` is ``Code/malformedXML``.
    public let xmlError: WeComXMLError?

    /// Creates an error.
    public init(_ code: Code, field: String? = nil, xmlError: WeComXMLError? = nil) {
        self.code = code
        self.field = field
        self.xmlError = xmlError
    }

    /// A short text for logs, for example `WeComCallbackError(missing_field ExternalUserID)`.
    public var description: String {
        var text = "WeComCallbackError(\(code.rawValue)"
        if let field { text += " \(field)" }
        if let xmlError { text += " \(xmlError.code.rawValue) at byte \(xmlError.offset)" }
        return text + ")"
    }

    /// Parses `input` as a callback document whose root must be `<xml>`.
    static func parseRoot(
        _ input: some WeComUTF8Input,
        options: WeComXML.Options
    ) throws(WeComCallbackError) -> WeComXMLElement {
        let root: WeComXMLElement
        do {
            root = try WeComXML.parse(input, options: options)
        } catch {
            throw WeComCallbackError(.malformedXML, xmlError: error)
        }
        guard root.name == "xml" else { throw WeComCallbackError(.unexpectedRoot, field: root.name) }
        return root
    }
}
