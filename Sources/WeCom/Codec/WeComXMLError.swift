/// A failure to parse a WeCom callback XML document.
///
/// The ``code`` is stable and safe to log or map to an HTTP answer; ``offset`` is the
/// zero-based byte offset in the input where the problem was found.
public struct WeComXMLError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong. The raw values are stable identifiers for logs and metrics.
    public enum Code: String, Hashable, Sendable, CaseIterable {
        /// The input is larger than ``WeComXML/Options/maxInputBytes``.
        case inputTooLarge = "input_too_large"
        /// The input is not valid UTF-8.
        case invalidUTF8 = "invalid_utf8"
        /// The document has a `<!DOCTYPE`; refused so entity expansion attacks cannot happen.
        case doctypeNotAllowed = "doctype_not_allowed"
        /// The document has no root element, or text stands before it.
        case missingRoot = "missing_root"
        /// A tag, attribute, comment or processing instruction is not well formed.
        case malformedTag = "malformed_tag"
        /// A closing tag does not match the element it closes.
        case mismatchedTag = "mismatched_tag"
        /// The input ends while elements are still open.
        case unclosedElement = "unclosed_element"
        /// An entity or character reference is unknown or invalid.
        case invalidEntity = "invalid_entity"
        /// Elements are nested deeper than ``WeComXML/Options/maxDepth``.
        case depthLimitExceeded = "depth_limit_exceeded"
        /// Something other than whitespace, comments or processing instructions follows the root.
        case contentAfterRoot = "content_after_root"
        /// The input ends inside markup: a tag, comment, CDATA section or processing instruction.
        case unexpectedEnd = "unexpected_end"
        /// An element carries the same attribute twice.
        case duplicateAttribute = "duplicate_attribute"
    }

    /// What went wrong.
    public let code: Code
    /// Zero-based byte offset in the input where the problem was detected.
    public let offset: Int

    /// Creates an error with a code and the byte offset it refers to.
    public init(_ code: Code, at offset: Int) {
        self.code = code
        self.offset = offset
    }

    /// A short text for logs, for example `WeComXMLError(mismatched_tag at byte 42)`.
    public var description: String {
        "WeComXMLError(\(code.rawValue) at byte \(offset))"
    }
}
