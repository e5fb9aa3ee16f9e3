import Foundation

extension SegmentIndex {
    /// How many customers match `expression` at `now` (which anchors `within N days`, as the
    /// day of `now` in the index's calendar). Unknown names throw before any work, with their positions.
    public func count(_ expression: SegmentExpression, now: Date) throws(SegmentError) -> Int {
        try count(expression, today: calendar.segmentDay(now))
    }

    /// How many customers match `expression` on the day `today`.
    public func count(_ expression: SegmentExpression, today: SegmentDay) throws(SegmentError) -> Int {
        let plan = try resolve(expression, today: today)
        return evaluate(plan, Self.population)
    }

    /// The ordinals of the customers matching `expression` at `now`, ascending.
    public func members(_ expression: SegmentExpression, now: Date) throws(SegmentError) -> [Int32] {
        try members(expression, today: calendar.segmentDay(now))
    }

    /// The ordinals of the customers matching `expression` on the day `today`, ascending.
    public func members(_ expression: SegmentExpression, today: SegmentDay) throws(SegmentError) -> [Int32] {
        let plan = try resolve(expression, today: today)
        return evaluate(plan) { result in
            var ordinals = [Int32]()
            ordinals.reserveCapacity(Self.population(result))
            for (index, word) in result.enumerated() where word != 0 {
                var bits = word
                while bits != 0 {
                    ordinals.append(Int32(truncatingIfNeeded: index << 6 | bits.trailingZeroBitCount))
                    bits &= bits &- 1
                }
            }
            return ordinals
        }
    }

    private static func population(_ bitmap: UnsafeMutableBufferPointer<UInt64>) -> Int {
        var total = 0
        for word in bitmap { total &+= word.nonzeroBitCount }
        return total
    }

    private func evaluate<R>(_ plan: Plan, _ body: (UnsafeMutableBufferPointer<UInt64>) -> R) -> R {
        var result = [UInt64](repeating: 0, count: universeWords)
        return result.withUnsafeMutableBufferPointer { buffer in
            run(plan, into: buffer)
            return body(buffer)
        }
    }

    // MARK: Plans

    /// A column of per-customer facts.
    enum Column { case addedOn, lastContact, lastOrder, orderCount, orderAmount }

    /// An expression with names resolved to sets and tests to inclusive ranges.
    indirect enum Plan {
        case set(slot: Int, key: Int32)
        case universe
        case active
        case all([Plan])
        case any([Plan])
        case not(Plan)
        /// Customers whose `column` value is in `low...high` (outside it when `negated`).
        case range(Column, low: Int64, high: Int64, negated: Bool)

        var cost: Int {
            switch self {
            case .set, .universe, .active: return 0
            case .not(.set): return 1
            case .all, .any, .not: return 2
            case .range: return 3
            }
        }
    }

    func resolve(_ expression: SegmentExpression, today: SegmentDay) throws(SegmentError) -> Plan {
        switch expression {
        case .and(let parts):
            var plans: [Plan] = []
            for part in parts { plans.append(try resolve(part, today: today)) }
            return .all(plans)
        case .or(let parts):
            var plans: [Plan] = []
            for part in parts { plans.append(try resolve(part, today: today)) }
            return .any(plans)
        case .not(let inner):
            return .not(try resolve(inner, today: today))
        case .condition(let condition):
            return try resolve(condition, today: today)
        }
    }

    private func resolve(_ condition: SegmentCondition, today: SegmentDay) throws(SegmentError) -> Plan {
        switch condition {
        case .tags(let match, let names):
            let sets = try keys(names, slot: 0, kind: "tag")
            switch match {
            case .all: return .all(sets)
            case .any: return .any(sets)
            case .none: return .not(.any(sets))
            }
        case .attribute(let attribute, let names):
            return .any(try keys(names, slot: Self.slot(attribute), kind: attribute.rawValue))
        case .status(.active):
            return .active
        case .status(.lost):
            return .not(.active)
        case .date(let field, let test):
            let column: Column = field == .added ? .addedOn : field == .lastContact ? .lastContact : .lastOrder
            let none = Int64(Self.noDay)
            switch test {
            case .after(let day): return .range(column, low: Int64(day.rawValue) + 1, high: Int64(Int32.max), negated: false)
            case .before(let day): return .range(column, low: none + 1, high: Int64(day.rawValue) - 1, negated: false)
            case .within(let days):
                return .range(column, low: Int64(today.rawValue) - Int64(days) + 1, high: Int64(Int32.max), negated: false)
            case .none: return .range(column, low: none, high: none, negated: false)
            }
        case .orders(let measure, let comparison, let value):
            let column: Column = measure == .count ? .orderCount : .orderAmount
            let (minimum, maximum) = (Int64.min, Int64.max)
            switch comparison {
            case .equal: return .range(column, low: value, high: value, negated: false)
            case .notEqual: return .range(column, low: value, high: value, negated: true)
            case .less: return value == minimum ? .any([]) : .range(column, low: minimum, high: value - 1, negated: false)
            case .lessOrEqual: return .range(column, low: minimum, high: value, negated: false)
            case .greater: return value == maximum ? .any([]) : .range(column, low: value + 1, high: maximum, negated: false)
            case .greaterOrEqual: return .range(column, low: value, high: maximum, negated: false)
            }
        }
    }

    private func keys(_ names: [SegmentName], slot: Int, kind: String) throws(SegmentError) -> [Plan] {
        var plans: [Plan] = []
        for name in names { plans.append(.set(slot: slot, key: try dimensions[slot].symbols.resolve(name, kind: kind))) }
        return plans
    }

    // MARK: Running plans over bitmaps

    /// Writes the customers matching `plan` into `result` (one bit per ordinal, a subset of the
    /// customers present).
    private func run(_ plan: Plan, into result: UnsafeMutableBufferPointer<UInt64>) {
        switch plan {
        case .set(let slot, let key): dimensions[slot].sets[Int(key)].copy(into: result)
        case .universe: universe.copy(into: result)
        case .active: active.copy(into: result)
        case .not(let inner):
            run(inner, into: result)
            for i in 0..<result.count { result[i] = ~result[i] }
            universe.combine(into: result, .and)
        case .range(let column, let low, let high, let negated):
            result.update(repeating: 0)
            scan(column, low: low, high: high, negated: negated, into: result, .or)
        case .all(let parts):
            guard !parts.isEmpty else { return run(.universe, into: result) }
            let ordered = parts.sorted { ($0.cost, $0.size(in: self)) < ($1.cost, $1.size(in: self)) }
            run(ordered[0], into: result)
            for part in ordered.dropFirst() { combine(part, into: result, and: true) }
        case .any(let parts):
            result.update(repeating: 0)
            for part in parts { combine(part, into: result, and: false) }
        }
    }

    /// `result &= plan` or `result |= plan`, without a temporary bitmap for sets, negated sets
    /// and ranges.
    private func combine(_ plan: Plan, into result: UnsafeMutableBufferPointer<UInt64>, and: Bool) {
        switch plan {
        case .set(let slot, let key): dimensions[slot].sets[Int(key)].combine(into: result, and ? .and : .or)
        case .active: active.combine(into: result, and ? .and : .or)
        case .not(.set(let slot, let key)) where and: dimensions[slot].sets[Int(key)].combine(into: result, .andNot)
        case .not(.active) where and: active.combine(into: result, .andNot)
        case .range(let column, let low, let high, let negated):
            scan(column, low: low, high: high, negated: negated, into: result, and ? .and : .or)
        default:
            var temporary = [UInt64](repeating: 0, count: result.count)
            temporary.withUnsafeMutableBufferPointer { other in
                run(plan, into: other)
                if and {
                    for i in 0..<result.count { result[i] &= other[i] }
                } else {
                    for i in 0..<result.count { result[i] |= other[i] }
                }
            }
        }
    }

    private func scan(
        _ column: Column, low: Int64, high: Int64, negated: Bool, into result: UnsafeMutableBufferPointer<UInt64>,
        _ operation: PostingSet.Operation
    ) {
        switch column {
        case .addedOn: Self.scan(addedOn, low, high, negated, result, operation)
        case .lastContact: Self.scan(lastContact, low, high, negated, result, operation)
        case .lastOrder: Self.scan(lastOrder, low, high, negated, result, operation)
        case .orderCount: Self.scan(orderCount, low, high, negated, result, operation)
        case .orderAmount: Self.scan(orderAmount, low, high, negated, result, operation)
        }
        // Ordinals past the last customer, or removed, may pass the test: keep the customers present.
        if operation == .or { universe.combine(into: result, .and) }
    }

    /// Tests 64 values per result word with one unsigned comparison each (`value - low <= high - low`),
    /// a loop the compiler vectorises. With `.and` it skips words already empty. Bits are not
    /// limited to the customers present: `.and` keeps a subset of `result`, `.or` must be masked.
    private static func scan<T: FixedWidthInteger & SignedInteger>(
        _ column: [T], _ low: Int64, _ high: Int64, _ negated: Bool,
        _ result: UnsafeMutableBufferPointer<UInt64>, _ operation: PostingSet.Operation
    ) {
        let lowT = T(clamping: low), highT = T(clamping: high)
        // A range entirely outside the column's type matches nothing.
        let empty = low > Int64(T.max) || high < Int64(T.min) || low > high
        let width = T.Magnitude(truncatingIfNeeded: highT &- lowT)
        let flip: UInt64 = negated ? ~0 : 0
        column.withUnsafeBufferPointer { values in
            for w in 0..<result.count {
                if operation == .and && result[w] == 0 { continue }
                var bits: UInt64 = 0
                if !empty {
                    let base = w << 6
                    for j in 0..<64 {
                        let inside = T.Magnitude(truncatingIfNeeded: values[base + j] &- lowT) <= width
                        bits |= UInt64(inside ? 1 : 0) << UInt64(j)
                    }
                }
                bits ^= flip
                switch operation {
                case .and: result[w] &= bits
                case .or: result[w] |= bits
                case .andNot: result[w] &= ~bits
                }
            }
        }
    }
}

extension SegmentIndex.Plan {
    /// How many customers a set holds, to AND the smallest first; other plans sort last.
    func size(in index: SegmentIndex) -> Int {
        if case .set(let slot, let key) = self { return index.dimensions[slot].sets[Int(key)].count }
        return Int.max
    }
}
