/// One element of a parsed WeCom XML document.
///
/// The WeCom and Official Account dialect is flat: a root `<xml>` whose children carry text,
/// with the odd list such as `<MemChangeList><Item>…</Item></MemChangeList>`. An element keeps
/// its name, its decoded text (entities resolved, CDATA sections unwrapped and concatenated),
/// its attributes and its child elements in document order.
///
/// Whitespace-only text inside an element that has child elements is dropped, so the
/// newlines between the fields of a callback do not show up as the root's text.
/// Other text is kept exactly as sent, line ends included (no `\r\n` normalisation), so a
/// message's content reaches Siyu byte for byte.
public struct WeComXMLElement: Hashable, Sendable {
    /// The element name, for example `Event`.
    public var name: String
    /// The decoded character data directly inside this element.
    public var text: String
    /// Attributes by name, values decoded. WeCom sends none; they are kept for completeness.
    public var attributes: [String: String]
    /// Child elements in document order.
    public var children: [WeComXMLElement]

    /// Creates an element.
    public init(
        name: String,
        text: String = "",
        attributes: [String: String] = [:],
        children: [WeComXMLElement] = []
    ) {
        self.name = name
        self.text = text
        self.attributes = attributes
        self.children = children
    }

    /// The text of the first child named `childName`, or `nil` when there is none.
    ///
    /// `root["Event"]` reads the `Event` field of a callback.
    public subscript(childName: String) -> String? {
        child(named: childName)?.text
    }

    /// The first child named `childName`, or `nil`.
    public func child(named childName: String) -> WeComXMLElement? {
        children.first { $0.name == childName }
    }

    /// Every child named `childName`, in document order.
    public func children(named childName: String) -> [WeComXMLElement] {
        children.filter { $0.name == childName }
    }

    /// The text of each top-level child by name; the first occurrence of a name wins.
    ///
    /// Elements that only hold other elements map to their (usually empty) text.
    public var fields: [String: String] {
        var result: [String: String] = [:]
        result.reserveCapacity(children.count)
        for child in children where result[child.name] == nil {
            result[child.name] = child.text
        }
        return result
    }
}
