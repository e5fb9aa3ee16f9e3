import Foundation

/// Parses the segment language.
///
/// ```
/// expr  := or
/// or    := and ("or" and)*
/// and   := unary ("and" unary)*
/// unary := "not" unary | "(" expr ")" | condition
/// ```
/// Keywords are case-insensitive; 且 / 或 / 非 are aliases of and / or / not, and full-width
/// `（` `）` `，` read as their ASCII forms. Names are quoted (`"高价值"`) or bare words.
///
/// Conditions: `tag "VIP"`, `tag all|any|none ("A", "B")`; `channel|member|group = "x"`,
/// `channel|member|department|group in (…)`; `added after|before 2026-01-01`,
/// `added within 30 days`; `status = active|lost`; `last_contact within 7 days`,
/// `last_contact before 2026-01-01`, `last_contact none`, `no contact`;
/// `orders count >= 2`, `orders amount >= 199.00` (yuan), `orders last within 30 days`.
public enum SegmentParser {
    /// Parses `text`; a `SegmentError` names the offending token's position and what was expected.
    public static func parse(_ text: String) throws(SegmentError) -> SegmentExpression {
        var parser = Parser(tokens: try SegmentLexer.tokenize(text))
        if parser.current.kind == .end {
            throw SegmentError(.emptyExpression, "the expression is empty; expected a condition such as `tag \"VIP\"`", at: parser.current.position)
        }
        let expression = try parser.parseOr()
        let rest = parser.current
        if rest.kind != .end {
            let what = rest.isSymbol(")") ? "unmatched `)`" : "expected `and`, `or` or the end, found \(rest.quoted)"
            throw SegmentError(.trailingInput, what, at: rest.position, found: rest.text)
        }
        return expression
    }
}

private struct Parser {
    let tokens: [SegmentToken]
    var index = 0

    init(tokens: [SegmentToken]) { self.tokens = tokens }

    var current: SegmentToken { tokens[index] }

    mutating func advance() -> SegmentToken {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    /// Consumes the current token if it is one of `keywords`.
    mutating func accept(_ keywords: Set<String>) -> Bool {
        guard let keyword = current.keyword, keywords.contains(keyword) else { return false }
        index += 1
        return true
    }

    func failure(_ expected: String, code: SegmentError.Code? = nil) -> SegmentError {
        let token = current
        let resolved = code ?? (token.kind == .end ? .unexpectedEnd : .unexpectedToken)
        return SegmentError(resolved, "expected \(expected), found \(token.quoted)", at: token.position, found: token.kind == .end ? nil : token.text)
    }

    mutating func parseOr() throws(SegmentError) -> SegmentExpression {
        var parts = [try parseAnd()]
        while accept(["or", "或"]) { parts.append(try parseAnd()) }
        return parts.count == 1 ? parts[0] : .or(parts)
    }

    mutating func parseAnd() throws(SegmentError) -> SegmentExpression {
        var parts = [try parseUnary()]
        while accept(["and", "且"]) { parts.append(try parseUnary()) }
        return parts.count == 1 ? parts[0] : .and(parts)
    }

    mutating func parseUnary() throws(SegmentError) -> SegmentExpression {
        if accept(["not", "非"]) { return .not(try parseUnary()) }
        if current.isSymbol("(") {
            let open = advance()
            let inner = try parseOr()
            guard current.isSymbol(")") else {
                throw failure("`)` to close the `(` at \(open.position)", code: .unclosedParenthesis)
            }
            index += 1
            return inner
        }
        return .condition(try parseCondition())
    }

    mutating func parseCondition() throws(SegmentError) -> SegmentCondition {
        let head = current
        guard let keyword = head.keyword else { throw failure("a condition such as `tag \"VIP\"`") }
        index += 1
        switch keyword {
        case "tag", "tags":
            for match in [SegmentTagMatch.all, .any, .none] where accept([match.rawValue]) {
                return .tags(match, try parseList(after: "`tag \(match.rawValue)`"))
            }
            return .tags(.all, [try parseName("a tag name or `all`, `any`, `none` and a list")])
        case "channel", "member", "department", "group":
            let attribute = SegmentAttribute(rawValue: keyword)!
            let names: [SegmentName]
            if current.isSymbol("=") {
                index += 1
                names = [try parseName("a \(keyword) after `=`")]
            } else if accept(["in"]) {
                names = try parseList(after: "`in`")
            } else {
                throw failure("`=` or `in` after `\(keyword)`")
            }
            if attribute == .department, let bad = names.first(where: { Int($0.text) == nil }) {
                throw SegmentError(.badNumber, "expected a department id (a whole number), found \"\(bad.text)\"", at: bad.position, found: bad.text)
            }
            return .attribute(attribute, names)
        case "added":
            return .date(.added, try parseDateTest(allowingNone: false))
        case "last_contact":
            return .date(.lastContact, try parseDateTest(allowingNone: true))
        case "no":
            guard accept(["contact"]) else { throw failure("`contact` after `no`") }
            return .date(.lastContact, .none)
        case "status":
            guard current.isSymbol("=") else { throw failure("`=` after `status`") }
            index += 1
            if accept(["active"]) { return .status(.active) }
            if accept(["lost"]) { return .status(.lost) }
            throw failure("`active` or `lost`")
        case "orders":
            if accept(["last"]) { return .date(.lastOrder, try parseDateTest(allowingNone: true)) }
            let measure: SegmentOrderMeasure
            if accept(["count"]) {
                measure = .count
            } else if accept(["amount"]) {
                measure = .amount
            } else {
                throw failure("`count`, `amount` or `last` after `orders`")
            }
            guard current.kind == .symbol, let comparison = SegmentComparison(rawValue: current.text) else {
                throw failure("a comparison (`=`, `!=`, `<`, `<=`, `>`, `>=`)")
            }
            index += 1
            return .orders(measure, comparison, try parseNumber(decimals: measure == .amount ? 2 : 0))
        default:
            throw SegmentError(
                .unknownKeyword,
                "unknown condition `\(head.text)`; expected tag, channel, member, department, group, added, status, last_contact, no contact or orders",
                at: head.position, found: head.text)
        }
    }

    /// A quoted name, or a bare word that is not a keyword of the grammar.
    mutating func parseName(_ expected: String) throws(SegmentError) -> SegmentName {
        let token = current
        guard token.kind == .string || (token.kind == .word && !reserved.contains(token.text.lowercased())) else {
            throw failure(expected)
        }
        index += 1
        return SegmentName(token.text, at: token.position)
    }

    /// `( name, name, … )`
    mutating func parseList(after what: String) throws(SegmentError) -> [SegmentName] {
        guard current.isSymbol("(") else { throw failure("`(` and a list after \(what)", code: .expectedList) }
        index += 1
        var names = [try parseName("a name in the list")]
        while current.isSymbol(",") {
            index += 1
            names.append(try parseName("a name after `,`"))
        }
        guard current.isSymbol(")") else {
            throw failure("`,` or `)` after the list", code: current.kind == .end ? .unclosedParenthesis : nil)
        }
        index += 1
        return names
    }

    mutating func parseDateTest(allowingNone: Bool) throws(SegmentError) -> SegmentDateTest {
        if accept(["after"]) { return .after(try parseDay()) }
        if accept(["before"]) { return .before(try parseDay()) }
        if accept(["within"]) {
            let days = try parseNumber(decimals: 0)
            guard days >= 1, days <= 100_000 else {
                throw SegmentError(.badNumber, "expected a number of days from 1 to 100000", at: tokens[index - 1].position, found: tokens[index - 1].text)
            }
            guard accept(["days", "day"]) else { throw failure("`days` after the number") }
            return .within(days: Int(days))
        }
        if allowingNone, accept(["none"]) { return .none }
        throw failure(allowingNone ? "`after`, `before`, `within` or `none`" : "`after`, `before` or `within`")
    }

    mutating func parseDay() throws(SegmentError) -> SegmentDay {
        let token = current
        guard token.kind != .end else { throw failure("a date YYYY-MM-DD") }
        guard token.kind != .symbol, let day = SegmentDay(iso: token.text) else {
            throw SegmentError(.badDate, "expected a date YYYY-MM-DD, found \(token.quoted)", at: token.position, found: token.text)
        }
        index += 1
        return day
    }

    /// A non-negative number with at most `decimals` decimals, scaled by 10^decimals.
    mutating func parseNumber(decimals: Int) throws(SegmentError) -> Int64 {
        let token = current
        guard token.kind != .end else { throw failure("a number") }
        let parts = token.text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let isDigits = { (s: Substring) in !s.isEmpty && s.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        guard token.kind == .word, isDigits(parts[0]), parts.count == 1 || (isDigits(parts[1]) && parts[1].count <= decimals),
            let whole = Int64(parts[0])
        else {
            let shape = decimals == 0 ? "a whole number" : "a number with at most \(decimals) decimals"
            throw SegmentError(.badNumber, "expected \(shape), found \(token.quoted)", at: token.position, found: token.text)
        }
        var scale: Int64 = 1
        for _ in 0..<decimals { scale *= 10 }
        var fraction: Int64 = 0
        if parts.count == 2 {
            fraction = Int64(parts[1])!
            for _ in parts[1].count..<decimals { fraction *= 10 }
        }
        let (scaled, overflow) = whole.multipliedReportingOverflow(by: scale)
        guard !overflow, scaled <= Int64.max - fraction else {
            throw SegmentError(.badNumber, "the number \(token.quoted) is too large", at: token.position, found: token.text)
        }
        index += 1
        return scaled + fraction
    }
}

private let reserved: Set<String> = ["and", "or", "not", "且", "或", "非", "in", "all", "any", "none"]
