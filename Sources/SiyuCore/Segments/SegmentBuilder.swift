import Foundation

/// The console's visual audience builder: pickers and fields that write a segment expression.
///
/// Every filled part is one condition and all of them must hold (`and`). `expression` is what
/// the builder writes; `init?(expression:)` reads back an expression of exactly that shape, so a
/// saved segment opens in the builder again, and anything else (an `or`, a `not` of something
/// the builder does not write) stays in the expression editor. Names are written as given:
/// the console passes display names where they are unique, ids otherwise.
public struct SegmentBuilder: Sendable, Equatable {
    /// Customers with every one of these tags, with at least one, and with none.
    public var allTags: [String] = []
    public var anyTags: [String] = []
    public var noTags: [String] = []
    public var channels: [String] = []
    public var members: [String] = []
    public var departments: [Int] = []
    public var groups: [String] = []
    public var status: SegmentStatus?
    public var addedAfter: SegmentDay?
    public var addedBefore: SegmentDay?
    public var addedWithinDays: Int?
    public var lastContact: LastContact?
    public var ordersCount: OrderTest?
    /// In fen; written in yuan.
    public var ordersAmount: OrderTest?
    public var lastOrderWithinDays: Int?

    /// What the builder can say about the last contact between a customer and a member.
    public enum LastContact: Sendable, Equatable {
        /// In the last `n` days (today included).
        case within(days: Int)
        /// Not in the last `n` days, or never.
        case notWithin(days: Int)
        /// Never.
        case never
    }

    /// A comparison of an order measure with a value.
    public struct OrderTest: Sendable, Equatable {
        public var comparison: SegmentComparison
        public var value: Int64

        public init(_ comparison: SegmentComparison, _ value: Int64) {
            self.comparison = comparison
            self.value = value
        }
    }

    public init() {}

    /// The conditions, in the builder's order; empty when nothing is filled in.
    public var conditions: [SegmentExpression] {
        var parts: [SegmentExpression] = []
        func names(_ list: [String]) -> [SegmentName] { list.map { SegmentName($0) } }
        if !allTags.isEmpty { parts.append(.condition(.tags(.all, names(allTags)))) }
        if !anyTags.isEmpty { parts.append(.condition(.tags(.any, names(anyTags)))) }
        if !noTags.isEmpty { parts.append(.condition(.tags(.none, names(noTags)))) }
        if !channels.isEmpty { parts.append(.condition(.attribute(.channel, names(channels)))) }
        if !members.isEmpty { parts.append(.condition(.attribute(.member, names(members)))) }
        if !departments.isEmpty { parts.append(.condition(.attribute(.department, departments.map { SegmentName(String($0)) }))) }
        if !groups.isEmpty { parts.append(.condition(.attribute(.group, names(groups)))) }
        if let status { parts.append(.condition(.status(status))) }
        if let addedAfter { parts.append(.condition(.date(.added, .after(addedAfter)))) }
        if let addedBefore { parts.append(.condition(.date(.added, .before(addedBefore)))) }
        if let addedWithinDays { parts.append(.condition(.date(.added, .within(days: addedWithinDays)))) }
        switch lastContact {
        case .within(let days): parts.append(.condition(.date(.lastContact, .within(days: days))))
        case .notWithin(let days): parts.append(.not(.condition(.date(.lastContact, .within(days: days)))))
        case .never: parts.append(.condition(.date(.lastContact, .none)))
        case nil: break
        }
        if let ordersCount { parts.append(.condition(.orders(.count, ordersCount.comparison, ordersCount.value))) }
        if let ordersAmount { parts.append(.condition(.orders(.amount, ordersAmount.comparison, ordersAmount.value))) }
        if let lastOrderWithinDays { parts.append(.condition(.date(.lastOrder, .within(days: lastOrderWithinDays)))) }
        return parts
    }

    /// The expression the builder writes; nil when no condition is filled in.
    public var expression: SegmentExpression? {
        let parts = conditions
        return parts.isEmpty ? nil : parts.count == 1 ? parts[0] : .and(parts)
    }

    /// Reads an expression of the builder's shape back into the builder; nil for anything the
    /// builder does not write (or writes one way only, such as two conditions on one part).
    public init?(expression: SegmentExpression) {
        let parts: [SegmentExpression] = if case .and(let list) = expression { list } else { [expression] }
        for part in parts {
            guard absorb(part) else { return nil }
        }
        guard self.expression == expression else { return nil }
    }

    /// Takes one condition into its part; false when the part is taken or the builder cannot say it.
    private mutating func absorb(_ part: SegmentExpression) -> Bool {
        func texts(_ names: [SegmentName]) -> [String] { names.map(\.text) }
        switch part {
        case .condition(.tags(.all, let names)) where allTags.isEmpty: allTags = texts(names)
        case .condition(.tags(.any, let names)) where anyTags.isEmpty: anyTags = texts(names)
        case .condition(.tags(.none, let names)) where noTags.isEmpty: noTags = texts(names)
        case .condition(.attribute(.channel, let names)) where channels.isEmpty: channels = texts(names)
        case .condition(.attribute(.member, let names)) where members.isEmpty: members = texts(names)
        case .condition(.attribute(.department, let names)) where departments.isEmpty:
            let ids = names.compactMap { Int($0.text) }
            guard ids.count == names.count else { return false }
            departments = ids
        case .condition(.attribute(.group, let names)) where groups.isEmpty: groups = texts(names)
        case .condition(.status(let value)) where status == nil: status = value
        case .condition(.date(.added, .after(let day))) where addedAfter == nil: addedAfter = day
        case .condition(.date(.added, .before(let day))) where addedBefore == nil: addedBefore = day
        case .condition(.date(.added, .within(let days))) where addedWithinDays == nil: addedWithinDays = days
        case .condition(.date(.lastContact, .within(let days))) where lastContact == nil: lastContact = .within(days: days)
        case .not(.condition(.date(.lastContact, .within(let days)))) where lastContact == nil: lastContact = .notWithin(days: days)
        case .condition(.date(.lastContact, .none)) where lastContact == nil: lastContact = .never
        case .condition(.orders(.count, let comparison, let value)) where ordersCount == nil: ordersCount = OrderTest(comparison, value)
        case .condition(.orders(.amount, let comparison, let value)) where ordersAmount == nil: ordersAmount = OrderTest(comparison, value)
        case .condition(.date(.lastOrder, .within(let days))) where lastOrderWithinDays == nil: lastOrderWithinDays = days
        default: return false
        }
        return true
    }
}
