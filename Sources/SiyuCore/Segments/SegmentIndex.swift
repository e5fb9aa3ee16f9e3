import Foundation

/// A tag, channel, member, department or group as the index numbers it.
public struct SegmentKey: Sendable, Hashable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
}

/// Everything the index keeps about one customer, with names given by id.
public struct SegmentCustomer: Sendable, Equatable {
    /// The day the customer was first added by any member.
    public var addedOn: SegmentDay
    public var status: SegmentStatus
    /// Channel ids the customer came through.
    public var channels: [String]
    /// Member user ids who have (or had) the customer.
    public var members: [String]
    /// Department ids of those members.
    public var departments: [Int]
    /// Group chat ids the customer is in.
    public var groups: [String]
    /// Tag ids.
    public var tags: [String]
    public var lastContact: SegmentDay?
    public var orderCount: Int
    /// Total order amount in fen.
    public var orderAmountFen: Int64
    public var lastOrder: SegmentDay?

    public init(
        addedOn: SegmentDay, status: SegmentStatus = .active, channels: [String] = [], members: [String] = [],
        departments: [Int] = [], groups: [String] = [], tags: [String] = [], lastContact: SegmentDay? = nil,
        orderCount: Int = 0, orderAmountFen: Int64 = 0, lastOrder: SegmentDay? = nil
    ) {
        self.addedOn = addedOn
        self.status = status
        self.channels = channels
        self.members = members
        self.departments = departments
        self.groups = groups
        self.tags = tags
        self.lastContact = lastContact
        self.orderCount = orderCount
        self.orderAmountFen = orderAmountFen
        self.lastOrder = lastOrder
    }
}

/// An in-memory index that counts and lists segment members exactly, in milliseconds over a
/// million customers.
///
/// Customers are dense ordinals `0..<capacity` (the caller maps external user ids to ordinals and
/// back). Each tag, channel, member, department and group keeps the set of its customers (a
/// bitmap when big, a sorted list when small), and day, order count and amount facts are columns
/// scanned 64 customers to a word. `not` is relative to the customers present.
///
/// The database stays the source of truth: build the index from it at start-up and apply each
/// change as it is committed. Mutations are O(1), or O(tags of the customer); replacing the
/// names of a customer already present (`setCustomer`, `setAttribute`) probes every key of the
/// dimensions it replaces.
///
/// A value type: keep it behind a `Mutex` or an actor. Copies are cheap (copy-on-write per
/// set and column), so a reader may take a copy under the lock and evaluate outside it.
public struct SegmentIndex: Sendable {
    /// The corp's calendar: it turns instants into days (`calendar.segmentDay`), and gives
    /// "today" for `within N days`.
    public var calendar: BusinessCalendar

    /// One more than the highest ordinal ever set.
    public private(set) var capacity = 0
    var universe = PostingSet()
    var active = PostingSet()
    /// Tags, then `SegmentAttribute.allCases` in order.
    var dimensions = [Dimension](repeating: Dimension(), count: 1 + SegmentAttribute.allCases.count)
    var addedOn: [Int32] = []
    var lastContact: [Int32] = []
    var lastOrder: [Int32] = []
    var orderCount: [Int32] = []
    var orderAmount: [Int64] = []

    /// A missing day in a day column.
    static let noDay = Int32.min

    /// Creates an empty index whose days are counted in `calendar` (the corp's).
    public init(calendar: BusinessCalendar) {
        self.calendar = calendar
    }

    /// How many customers are present.
    public var customerCount: Int { universe.count }

    /// Words in every result bitmap.
    var universeWords: Int { (capacity + 63) >> 6 }

    // MARK: Names

    /// Declares a tag, or renames it; `tag` conditions accept its id or its name.
    @discardableResult
    public mutating func defineTag(id: String, name: String) -> SegmentKey {
        SegmentKey(rawValue: dimensions[0].define(id: id, name: name))
    }

    /// Declares a channel, member, department (id in decimal) or group, or renames it.
    @discardableResult
    public mutating func define(_ attribute: SegmentAttribute, id: String, name: String) -> SegmentKey {
        SegmentKey(rawValue: dimensions[Self.slot(attribute)].define(id: id, name: name))
    }

    /// The key of a tag, by id or name.
    public func tagKey(_ idOrName: String) throws(SegmentError) -> SegmentKey {
        SegmentKey(rawValue: try dimensions[0].symbols.resolve(SegmentName(idOrName), kind: "tag"))
    }

    static func slot(_ attribute: SegmentAttribute) -> Int {
        1 + SegmentAttribute.allCases.firstIndex(of: attribute)!
    }

    // MARK: Customers

    /// Adds a customer at `ordinal`, or replaces everything known about them.
    public mutating func setCustomer(_ ordinal: Int32, _ customer: SegmentCustomer) {
        precondition(ordinal >= 0, "ordinals start at 0")
        let replacing = ordinal < capacity && universe.contains(ordinal)
        if replacing { clearNames(ordinal) }
        grow(to: Int(ordinal) + 1)
        universe.insert(ordinal, universeWords: universeWords)
        addedOn[Int(ordinal)] = customer.addedOn.rawValue
        setStatus(ordinal, customer.status)
        setLastContact(ordinal, customer.lastContact)
        setOrders(ordinal, count: customer.orderCount, amountFen: customer.orderAmountFen, last: customer.lastOrder)
        for (attribute, ids) in [(SegmentAttribute.channel, customer.channels), (.member, customer.members),
            (.department, customer.departments.map(String.init)), (.group, customer.groups)]
        {
            for id in ids { insert(ordinal, slot: Self.slot(attribute), id: id) }
        }
        for tag in customer.tags { insert(ordinal, slot: 0, id: tag) }
    }

    /// Removes the customer at `ordinal` from every set (O(keys)); the ordinal may be reused.
    public mutating func removeCustomer(_ ordinal: Int32) {
        guard ordinal < capacity, universe.remove(ordinal) else { return }
        clearNames(ordinal)
        active.remove(ordinal)
    }

    /// Replaces the customer's channels, members, departments (decimal ids) or groups.
    public mutating func setAttribute(_ ordinal: Int32, _ attribute: SegmentAttribute, ids: [String]) {
        let slot = Self.slot(attribute)
        for key in dimensions[slot].sets.indices { dimensions[slot].sets[key].remove(ordinal) }
        for id in ids { insert(ordinal, slot: slot, id: id) }
    }

    /// Replaces the group chats the customer is in.
    public mutating func setGroups(_ ordinal: Int32, _ chatIDs: [String]) {
        setAttribute(ordinal, .group, ids: chatIDs)
    }

    /// Tags the customer, declaring the tag id if it is new.
    public mutating func addTag(_ ordinal: Int32, _ tagID: String) {
        insert(ordinal, slot: 0, id: tagID)
    }

    /// Tags the customer with a declared tag.
    public mutating func addTag(_ ordinal: Int32, _ tag: SegmentKey) {
        dimensions[0].sets[Int(tag.rawValue)].insert(ordinal, universeWords: universeWords)
    }

    public mutating func removeTag(_ ordinal: Int32, _ tagID: String) {
        guard let key = dimensions[0].symbols.byID[tagID] else { return }
        removeTag(ordinal, SegmentKey(rawValue: key))
    }

    public mutating func removeTag(_ ordinal: Int32, _ tag: SegmentKey) {
        dimensions[0].sets[Int(tag.rawValue)].remove(ordinal)
    }

    public mutating func setStatus(_ ordinal: Int32, _ status: SegmentStatus) {
        if status == .active {
            active.insert(ordinal, universeWords: universeWords)
        } else {
            active.remove(ordinal)
        }
    }

    public mutating func setLastContact(_ ordinal: Int32, _ day: SegmentDay?) {
        lastContact[Int(ordinal)] = day?.rawValue ?? Self.noDay
    }

    /// Sets the customer's order totals (`amountFen` in fen) and latest order day.
    public mutating func setOrders(_ ordinal: Int32, count: Int, amountFen: Int64, last: SegmentDay?) {
        orderCount[Int(ordinal)] = Int32(clamping: count)
        orderAmount[Int(ordinal)] = amountFen
        lastOrder[Int(ordinal)] = last?.rawValue ?? Self.noDay
    }

    /// Bytes held by sets, columns and names (approximate for names).
    public var residentBytes: Int {
        let sets = dimensions.reduce(universe.residentBytes + active.residentBytes) { total, dimension in
            total + dimension.sets.reduce(0) { $0 + $1.residentBytes } + dimension.symbols.residentBytes
        }
        let columns = (addedOn.capacity + lastContact.capacity + lastOrder.capacity + orderCount.capacity) * 4
        return sets + columns + orderAmount.capacity * 8
    }

    private mutating func insert(_ ordinal: Int32, slot: Int, id: String) {
        let key: Int32
        if let known = dimensions[slot].symbols.byID[id] {
            key = known
        } else {
            key = dimensions[slot].define(id: id, name: id)
        }
        dimensions[slot].sets[Int(key)].insert(ordinal, universeWords: universeWords)
    }

    private mutating func clearNames(_ ordinal: Int32) {
        for slot in dimensions.indices {
            for key in dimensions[slot].sets.indices { dimensions[slot].sets[key].remove(ordinal) }
        }
    }

    /// Makes room for ordinals `0..<count`; columns stay a whole number of 64-customer words.
    private mutating func grow(to count: Int) {
        guard count > capacity else { return }
        capacity = count
        let needed = universeWords << 6
        guard needed > addedOn.count else { return }
        let target = max(needed, (addedOn.count * 3 / 2 + 63) & ~63)
        func extend<T>(_ column: inout [T], with filler: T) {
            column.append(contentsOf: repeatElement(filler, count: target - column.count))
        }
        extend(&addedOn, with: Self.noDay)
        extend(&lastContact, with: Self.noDay)
        extend(&lastOrder, with: Self.noDay)
        extend(&orderCount, with: 0)
        extend(&orderAmount, with: 0)
    }
}

/// The keys of one dimension (tags, channels, …) and their customer sets.
struct Dimension: Sendable {
    var symbols = SegmentSymbols()
    var sets: [PostingSet] = []

    mutating func define(id: String, name: String) -> Int32 {
        let key = symbols.define(id: id, name: name)
        if Int(key) == sets.count { sets.append(PostingSet()) }
        return key
    }
}

/// Ids and display names of one dimension's keys; a condition may use either.
struct SegmentSymbols: Sendable {
    var ids: [String] = []
    var names: [String] = []
    var byID: [String: Int32] = [:]
    var byName: [String: [Int32]] = [:]

    mutating func define(id: String, name: String) -> Int32 {
        if let key = byID[id] {
            let old = names[Int(key)]
            byName[old]?.removeAll { $0 == key }
            if byName[old]?.isEmpty == true { byName[old] = nil }
            names[Int(key)] = name
            byName[name, default: []].append(key)
            return key
        }
        let key = Int32(ids.count)
        ids.append(id)
        names.append(name)
        byID[id] = key
        byName[name, default: []].append(key)
        return key
    }

    /// The key for `name`: an id first, then a display name that only one key has.
    func resolve(_ name: SegmentName, kind: String) throws(SegmentError) -> Int32 {
        if let key = byID[name.text] { return key }
        guard let keys = byName[name.text], !keys.isEmpty else {
            throw SegmentError(.unknownName, "unknown \(kind) \(name)", at: name.position, found: name.text, kind: kind)
        }
        guard keys.count == 1 else {
            throw SegmentError(.ambiguousName, "\(keys.count) \(kind)s are named \(name); use an id", at: name.position, found: name.text, kind: kind)
        }
        return keys[0]
    }

    var residentBytes: Int { (ids.count + names.count) * 32 + (byID.capacity + byName.capacity) * 48 }
}
