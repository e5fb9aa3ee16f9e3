import Foundation

/// A parsed audience: a boolean combination of conditions over customers.
///
/// `description` is the canonical text: it parses back to an equal expression, so it is what a
/// saved segment stores. `and` and `or` are flattened (`a and b and c` is one `.and` of three).
public indirect enum SegmentExpression: Sendable, Hashable, CustomStringConvertible {
    case and([SegmentExpression])
    case or([SegmentExpression])
    case not(SegmentExpression)
    case condition(SegmentCondition)

    public var description: String {
        switch self {
        case .and(let parts): return parts.map { $0.isCompound ? "(\($0))" : $0.description }.joined(separator: " and ")
        case .or(let parts): return parts.map { $0.isOr ? "(\($0))" : $0.description }.joined(separator: " or ")
        case .not(let inner): return inner.isCompound ? "not (\(inner))" : "not \(inner)"
        case .condition(let condition): return condition.description
        }
    }

    private var isOr: Bool {
        if case .or = self { return true }
        return false
    }

    private var isCompound: Bool {
        switch self {
        case .and, .or: return true
        case .not, .condition: return false
        }
    }
}

/// A name in an expression (a tag, channel, member, department or group), by id or by display
/// name, with where it was written so that an unknown name can be pointed at.
///
/// Equality and hashing ignore `position`: the same text parsed twice gives equal names.
public struct SegmentName: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    public var text: String
    public var position: SegmentPosition?

    public init(_ text: String, at position: SegmentPosition? = nil) {
        self.text = text
        self.position = position
    }

    public init(stringLiteral value: String) { self.init(value) }

    public static func == (a: SegmentName, b: SegmentName) -> Bool { a.text == b.text }
    public func hash(into hasher: inout Hasher) { hasher.combine(text) }

    /// Always quoted, with `"` and `\` escaped.
    public var description: String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

/// How a tag condition combines its tags.
public enum SegmentTagMatch: String, Sendable, Hashable {
    /// The customer has every tag.
    case all
    /// The customer has at least one.
    case any
    /// The customer has none of them.
    case none
}

/// Customer attributes that hold names (a customer may have several of each).
public enum SegmentAttribute: String, Sendable, Hashable, CaseIterable {
    /// The channels (渠道活码) the customer came through.
    case channel
    /// The members (成员) who have the customer.
    case member
    /// Departments, by numeric id, of the customer's members.
    case department
    /// Customer groups (客户群) the customer is in, by chat id.
    case group
}

/// Day-valued customer facts.
public enum SegmentDateField: String, Sendable, Hashable {
    case added
    /// `last_contact`: the last message between the customer and a member.
    case lastContact = "last_contact"
    /// `orders last`: the day of the latest order.
    case lastOrder = "orders last"
}

/// A test on a day-valued fact. `before` and `after` are strict; a customer without the fact
/// (never contacted, no orders) matches only `.none`.
public enum SegmentDateTest: Sendable, Hashable {
    case after(SegmentDay)
    case before(SegmentDay)
    /// Today and the `n - 1` days before it (and any later day).
    case within(days: Int)
    /// The fact is missing (`no contact`, `last_contact none`).
    case none
}

/// Order measures.
public enum SegmentOrderMeasure: String, Sendable, Hashable {
    case count
    /// In fen (1/100 yuan); written in yuan with up to two decimals.
    case amount
}

/// Comparison operators for order measures.
public enum SegmentComparison: String, Sendable, Hashable, CaseIterable {
    case equal = "="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
}

/// Whether a customer is still anyone's contact.
public enum SegmentStatus: String, Sendable, Hashable {
    /// At least one member has the customer.
    case active
    /// The customer deleted every member who had them.
    case lost
}

/// One condition of the segment language.
public enum SegmentCondition: Sendable, Hashable, CustomStringConvertible {
    /// `tag "VIP"` (one tag, `.all`), `tag all (…)`, `tag any (…)`, `tag none (…)`.
    case tags(SegmentTagMatch, [SegmentName])
    /// `channel = "x"`, `channel in (…)`, and likewise member, department, group: any of the names.
    case attribute(SegmentAttribute, [SegmentName])
    /// `added after 2026-01-01`, `last_contact within 7 days`, `no contact`, `orders last within 30 days`.
    case date(SegmentDateField, SegmentDateTest)
    /// `status = active`.
    case status(SegmentStatus)
    /// `orders count >= 2`; `orders amount >= 199.00` (the value in fen: 19900).
    case orders(SegmentOrderMeasure, SegmentComparison, Int64)

    public var description: String {
        switch self {
        case .tags(.all, let names) where names.count == 1:
            return "tag \(names[0])"
        case .tags(let match, let names):
            return "tag \(match.rawValue) (\(names.map(\.description).joined(separator: ", ")))"
        case .attribute(let attribute, let names):
            let list = names.map { attribute == .department ? $0.text : $0.description }
            return names.count == 1 && attribute != .department
                ? "\(attribute.rawValue) = \(list[0])"
                : "\(attribute.rawValue) in (\(list.joined(separator: ", ")))"
        case .date(let field, let test):
            switch test {
            case .after(let day): return "\(field.rawValue) after \(day)"
            case .before(let day): return "\(field.rawValue) before \(day)"
            case .within(let days): return "\(field.rawValue) within \(days) days"
            case .none: return "\(field.rawValue) none"
            }
        case .status(let status):
            return "status = \(status.rawValue)"
        case .orders(.count, let comparison, let value):
            return "orders count \(comparison.rawValue) \(value)"
        case .orders(.amount, let comparison, let fen):
            let sign = fen < 0 ? "-" : ""
            let cents = fen.magnitude % 100
            return "orders amount \(comparison.rawValue) \(sign)\(fen.magnitude / 100).\(cents < 10 ? "0" : "")\(cents)"
        }
    }
}
