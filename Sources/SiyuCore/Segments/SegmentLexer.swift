import Foundation

/// One token of a segment expression.
struct SegmentToken: Sendable {
    enum Kind: Sendable, Equatable {
        /// A bare word: keyword, unquoted name, number or date.
        case word
        /// A double-quoted string, unescaped.
        case string
        /// `(` `)` `,` `=` `!=` `<` `<=` `>` `>=` (full-width `（` `）` `，` arrive as ASCII).
        case symbol
        case end
    }

    var kind: Kind
    var text: String
    var position: SegmentPosition

    /// The keyword this bare word spells (lowercased), or `nil` for strings and symbols.
    var keyword: String? { kind == .word ? text.lowercased() : nil }

    func isSymbol(_ symbol: String) -> Bool { kind == .symbol && text == symbol }

    /// How the token reads in an error message.
    var quoted: String {
        switch kind {
        case .end: return "the end"
        case .string: return "\"\(text)\""
        case .word, .symbol: return "`\(text)`"
        }
    }
}

/// Splits an expression into tokens, tracking UTF-8 offset, line and column.
enum SegmentLexer {
    static func tokenize(_ text: String) throws(SegmentError) -> [SegmentToken] {
        var tokens: [SegmentToken] = []
        let scalars = Array(text.unicodeScalars)
        var positions: [SegmentPosition] = []
        positions.reserveCapacity(scalars.count + 1)
        var offset = 0, line = 1, column = 1
        for scalar in scalars {
            positions.append(SegmentPosition(offset: offset, line: line, column: column))
            offset += UTF8.width(scalar)
            if scalar == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        positions.append(SegmentPosition(offset: offset, line: line, column: column))

        var i = 0
        while i < scalars.count {
            let scalar = scalars[i]
            let start = positions[i]
            if scalar.properties.isWhitespace {
                i += 1
            } else if let symbol = fullWidth[scalar] ?? (single.contains(scalar) ? String(scalar) : nil) {
                tokens.append(SegmentToken(kind: .symbol, text: symbol, position: start))
                i += 1
            } else if scalar == "<" || scalar == ">" || scalar == "!" {
                let withEqual = i + 1 < scalars.count && scalars[i + 1] == "="
                if scalar == "!" && !withEqual {
                    throw SegmentError(.unexpectedToken, "unexpected `!`; did you mean `!=` or `not`?", at: start, found: "!")
                }
                tokens.append(SegmentToken(kind: .symbol, text: String(scalar) + (withEqual ? "=" : ""), position: start))
                i += withEqual ? 2 : 1
            } else if scalar == "\"" {
                var value = String.UnicodeScalarView()
                i += 1
                while true {
                    guard i < scalars.count, scalars[i] != "\n" else {
                        throw SegmentError(.unterminatedString, "the string has no closing `\"`", at: start)
                    }
                    if scalars[i] == "\"" { break }
                    if scalars[i] == "\\", i + 1 < scalars.count { i += 1 }
                    value.append(scalars[i])
                    i += 1
                }
                i += 1
                tokens.append(SegmentToken(kind: .string, text: String(value), position: start))
            } else {
                var value = String.UnicodeScalarView()
                while i < scalars.count, !scalars[i].properties.isWhitespace, !breaking.contains(scalars[i]),
                    fullWidth[scalars[i]] == nil
                {
                    value.append(scalars[i])
                    i += 1
                }
                tokens.append(SegmentToken(kind: .word, text: String(value), position: start))
            }
        }
        tokens.append(SegmentToken(kind: .end, text: "", position: positions[scalars.count]))
        return tokens
    }

    private static let single: Set<Unicode.Scalar> = ["(", ")", ",", "="]
    private static let breaking: Set<Unicode.Scalar> = ["(", ")", ",", "=", "<", ">", "!", "\""]
    private static let fullWidth: [Unicode.Scalar: String] = ["（": "(", "）": ")", "，": ","]
}
