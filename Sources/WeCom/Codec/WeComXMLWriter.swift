/// Builds the `<xml>…</xml>` documents that WeCom and Official Accounts expect in passive
/// replies: strings in CDATA sections, integers as bare digits.
///
/// ```swift
/// var writer = WeComXMLWriter()
/// writer.text("ToUserName", openID)
/// writer.integer("CreateTime", 1_409_659_813)
/// let body = writer.finish()   // "<xml><ToUserName><![CDATA[…]]></ToUserName>…</xml>"
/// ```
///
/// Element names are written as given and must be valid XML names (they are always
/// constants in practice). Text containing `]]>` is split across two CDATA sections so a
/// parser reads it back unchanged.
public struct WeComXMLWriter: Sendable {
    private var bytes: [UInt8] = []
    private let rootName: String

    /// Starts a document whose root element is `rootName`.
    public init(rootName: String = "xml") {
        self.rootName = rootName
        bytes.reserveCapacity(256)
        open(rootName)
    }

    /// Writes `<name><![CDATA[value]]></name>`.
    public mutating func text(_ name: String, _ value: String) {
        open(name)
        appendCDATA(value)
        close(name)
    }

    /// Writes `<name>value</name>` with the integer's decimal digits.
    public mutating func integer(_ name: String, _ value: some BinaryInteger) {
        open(name)
        bytes.append(contentsOf: String(value).utf8)
        close(name)
    }

    /// Writes `<name>…</name>` with whatever `body` writes inside it, for nested lists.
    public mutating func element(_ name: String, _ body: (inout WeComXMLWriter) -> Void) {
        open(name)
        body(&self)
        close(name)
    }

    /// Closes the root element and returns the document.
    public consuming func finish() -> String {
        close(rootName)
        return String(decoding: bytes, as: UTF8.self)
    }

    private mutating func open(_ name: String) {
        bytes.append(.lessThan)
        bytes.append(contentsOf: name.utf8)
        bytes.append(.greaterThan)
    }

    private mutating func close(_ name: String) {
        bytes.append(.lessThan)
        bytes.append(.slash)
        bytes.append(contentsOf: name.utf8)
        bytes.append(.greaterThan)
    }

    /// Appends `value` as CDATA; each `]]>` inside it ends one section after `]]` and starts
    /// the next with `>`.
    private mutating func appendCDATA(_ value: String) {
        bytes.append(contentsOf: "<![CDATA[".utf8)
        var brackets = 0
        for byte in value.utf8 {
            if byte == .greaterThan, brackets >= 2 {
                bytes.append(contentsOf: "]]><![CDATA[".utf8)
            }
            brackets = byte == .closingBracket ? brackets + 1 : 0
            bytes.append(byte)
        }
        bytes.append(contentsOf: "]]>".utf8)
    }
}
