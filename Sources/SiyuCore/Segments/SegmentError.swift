import Foundation

/// Where something sits in a segment expression.
public struct SegmentPosition: Sendable, Hashable, CustomStringConvertible {
    /// Offset in the expression's UTF-8 bytes, from 0.
    public var offset: Int
    /// Line, from 1.
    public var line: Int
    /// Column on the line, from 1, counted in Unicode scalars.
    public var column: Int

    public init(offset: Int, line: Int, column: Int) {
        self.offset = offset
        self.line = line
        self.column = column
    }

    /// "column 31", or "line 2, column 4" past the first line.
    public var description: String {
        line == 1 ? "column \(column)" : "line \(line), column \(column)"
    }
}

/// A segment expression that cannot be parsed, or names something the index does not know.
///
/// `code` is stable (for API clients and translations); `message` says what was expected and where.
public struct SegmentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, stable across releases.
    public enum Code: String, Sendable, Equatable {
        case emptyExpression = "empty_expression"
        case unexpectedEnd = "unexpected_end"
        case unexpectedToken = "unexpected_token"
        case unknownKeyword = "unknown_keyword"
        case unclosedParenthesis = "unclosed_parenthesis"
        case expectedList = "expected_list"
        case unterminatedString = "unterminated_string"
        case badDate = "bad_date"
        case badNumber = "bad_number"
        case trailingInput = "trailing_input"
        case unknownName = "unknown_name"
        case ambiguousName = "ambiguous_name"
    }

    public var code: Code
    /// What was expected or not found, ending with the position ("… at column 31").
    public var message: String
    /// The offending token; `nil` for an expression built in code rather than parsed.
    public var position: SegmentPosition?
    /// The offending token's or name's text, for messages in other languages.
    public var found: String?
    /// What an unknown or ambiguous name was meant to be (`tag`, `channel`, `member`, …).
    public var kind: String?

    public init(_ code: Code, _ what: String, at position: SegmentPosition?, found: String? = nil, kind: String? = nil) {
        self.code = code
        self.position = position
        self.message = position.map { "\(what) at \($0)" } ?? what
        self.found = found
        self.kind = kind
    }

    public var description: String { message }
}
