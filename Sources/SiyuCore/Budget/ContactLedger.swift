import Foundation

/// One touch of a customer as the ledger holds it, for reading.
public struct ContactTouch: Sendable, Equatable {
    /// When the touch happened or is reserved to happen (whole seconds).
    public var date: Date
    public var channel: TouchChannel
    /// The campaign (or SOP, broadcast …) that made it; `nil` for a touch recorded without one.
    public var campaignID: String?

    public init(date: Date, channel: TouchChannel, campaignID: String?) {
        self.date = date
        self.channel = channel
        self.campaignID = campaignID
    }
}

/// Every touch of every customer, across all channels: past touches and reservations.
///
/// The one ledger that mass messages, moments, SOP steps and service-account broadcasts
/// consult and fill through `ContactBudget.plan`, so no channel can spend another's budget.
///
/// Storage is compact: each customer owns a slot with room for four touches, kept sorted by
/// time in one flat array; a customer with more moves to a separate array of their own.
/// Touches that no window can reach any more are dropped as customers are visited.
///
/// A plan may go back in time a little (clock skew, a late campaign): history is kept for
/// twice the longest window. A plan for an instant older than that is evaluated at the
/// earliest instant whose whole history is still held (see `ContactBudget.plan`).
public struct ContactLedger: Sendable {
    struct Touch: Sendable {
        var time: Int64
        /// Index into `campaignIDs`; 0 is "no campaign".
        var campaign: UInt32
        var channel: TouchChannel

        static let unused = Touch(time: 0, campaign: 0, channel: .massMessage)
    }

    static let inlineCapacity = 4
    /// `counts` value of a customer whose touches live in `overflow`.
    private static let spilled = UInt8.max

    private var slotByCustomer: [String: Int32] = [:]
    private var customers: [String] = []
    /// Touches held inline per slot (0...inlineCapacity), or `spilled`.
    private var counts: [UInt8] = []
    /// The number of the last plan that visited each slot, to catch duplicates within a plan.
    private var visits: [UInt32] = []
    private var inline: [Touch] = []
    private var overflow: [Int32: [Touch]] = [:]
    private var campaignByID: [String: UInt32] = [:]
    private var campaignIDs: [String?] = [nil]
    private var plans: UInt32 = 0
    /// The latest instant a plan was made for.
    private var latestPlan = Int64.min
    /// Touches before this instant may have been dropped.
    private(set) var prunedBefore = Int64.min
    /// The longest look-back of any policy seen, in seconds.
    private var lookBack: Int64 = 31 * 86400

    /// An empty ledger; `expectedCustomers` reserves room up front.
    public init(expectedCustomers: Int = 0) {
        slotByCustomer.reserveCapacity(expectedCustomers)
        customers.reserveCapacity(expectedCustomers)
        counts.reserveCapacity(expectedCustomers)
        visits.reserveCapacity(expectedCustomers)
        inline.reserveCapacity(expectedCustomers * Self.inlineCapacity)
    }

    // MARK: Reading

    /// The customers the ledger knows (some may have no touch left).
    public var customerIDs: [String] { customers }

    /// All touches held, over all customers.
    public var touchCount: Int {
        customers.indices.reduce(0) { $0 + touches(slot: $1).count }
    }

    /// A customer's touches, oldest first.
    public func touches(of customer: String) -> [ContactTouch] {
        guard let slot = slotByCustomer[customer] else { return [] }
        return touches(slot: Int(slot)).map {
            ContactTouch(date: BudgetCalendar.date($0.time), channel: $0.channel, campaignID: campaignIDs[Int($0.campaign)])
        }
    }

    /// An estimate of the memory the ledger holds, in bytes: its arrays and tables, and the
    /// customer ids' own storage (shared with the dictionary keys).
    public var estimatedMemoryBytes: Int {
        let stringBytes = customers.reduce(0) { total, id in
            // Ids of up to 15 UTF-8 bytes live inline; longer ones in a 32-byte-header buffer.
            total + (id.utf8.count <= 15 ? 0 : 32 + (id.utf8.count + 15) / 16 * 16)
        }
        let dictionaryBytes = slotByCustomer.capacity * (MemoryLayout<String>.stride + MemoryLayout<Int32>.stride) * 4 / 3
        let overflowBytes = overflow.values.reduce(0) { $0 + 32 + $1.capacity * MemoryLayout<Touch>.stride }
        return stringBytes + dictionaryBytes + overflowBytes
            + customers.capacity * MemoryLayout<String>.stride
            + counts.capacity + visits.capacity * MemoryLayout<UInt32>.stride
            + inline.capacity * MemoryLayout<Touch>.stride
    }

    // MARK: Outside touches and releases

    /// Records a touch observed from outside (a synced send result, a touch made by hand).
    ///
    /// A touch for a campaign the customer already holds a reservation of confirms it: the
    /// reservation moves to the observed time and channel instead of counting twice.
    public mutating func record(customer: String, channel: TouchChannel, at date: Date, campaignID: String? = nil) {
        let slot = slot(for: customer)
        let campaign = campaignID.map { campaignIndex(for: $0) } ?? 0
        if campaign != 0 {
            removeTouches(slot: slot) { $0.campaign == campaign }
        }
        insert(Touch(time: BudgetCalendar.seconds(date), campaign: campaign, channel: channel), slot: slot)
    }

    /// Gives back a customer's reservation(s) for a campaign that did not happen (the send
    /// failed or was cancelled). Returns how many touches were removed.
    @discardableResult
    public mutating func release(campaignID: String, recipient customer: String) -> Int {
        guard let campaign = campaignByID[campaignID], let slot = slotByCustomer[customer] else { return 0 }
        return removeTouches(slot: Int(slot)) { $0.campaign == campaign }
    }

    // MARK: Slots (for the planner)

    /// Starts a plan at `time` under a policy; returns the instant to evaluate it at (the
    /// plan's own, unless its history has already been pruned) and the plan's visit number.
    mutating func beginPlan(at time: Int64, policy: ContactPolicy) -> (time: Int64, visit: UInt32) {
        lookBack = max(lookBack, policy.lookBackSeconds)
        latestPlan = max(latestPlan, time)
        if latestPlan > Int64.min + 2 * lookBack {
            prunedBefore = max(prunedBefore, latestPlan - 2 * lookBack)
        }
        plans &+= 1
        if plans == 0 {
            // The visit counter wrapped: forget old visits so none looks current.
            for index in visits.indices { visits[index] = 0 }
            plans = 1
        }
        let earliest = prunedBefore == .min ? time : prunedBefore + lookBack
        return (max(time, earliest), plans)
    }

    /// The slot of a customer, created when new.
    mutating func slot(for customer: String) -> Int {
        let next = Int32(customers.count)
        let slot = Self.read(&slotByCustomer[customer, default: next])
        if slot == next {
            customers.append(customer)
            counts.append(0)
            visits.append(0)
            inline.append(contentsOf: repeatElement(Touch.unused, count: Self.inlineCapacity))
        }
        return Int(slot)
    }

    /// Reads a value through `inout`, so a `default:` subscript inserts it with one lookup.
    private static func read<Value>(_ value: inout Value) -> Value { value }

    /// Marks a slot visited by a plan; false when this plan has visited it already.
    mutating func visit(slot: Int, plan: UInt32) -> Bool {
        guard visits[slot] != plan else { return false }
        visits[slot] = plan
        return true
    }

    mutating func campaignIndex(for campaignID: String) -> UInt32 {
        let next = UInt32(campaignIDs.count)
        let index = Self.read(&campaignByID[campaignID, default: next])
        if index == next {
            campaignIDs.append(campaignID)
        }
        return index
    }

    /// A slot's touches, oldest first. Do not hold on to the slice across a mutation.
    func touches(slot: Int) -> ArraySlice<Touch> {
        let count = counts[slot]
        if count == Self.spilled { return overflow[Int32(slot)]![...] }
        let base = slot * Self.inlineCapacity
        return inline[base..<base + Int(count)]
    }

    /// Drops a slot's touches that no window can reach any more.
    mutating func prune(slot: Int) {
        guard let first = touches(slot: slot).first, first.time < prunedBefore else { return }
        let cutoff = prunedBefore
        removeTouches(slot: slot) { $0.time < cutoff }
    }

    /// Adds a touch, keeping the slot sorted by time.
    mutating func insert(_ touch: Touch, slot: Int) {
        let count = counts[slot]
        if count == Self.spilled {
            let position = overflow[Int32(slot)]!.firstIndex { $0.time > touch.time } ?? overflow[Int32(slot)]!.count
            overflow[Int32(slot)]!.insert(touch, at: position)
            return
        }
        let base = slot * Self.inlineCapacity
        if Int(count) == Self.inlineCapacity {
            var touches = Array(inline[base..<base + Self.inlineCapacity])
            touches.insert(touch, at: touches.firstIndex { $0.time > touch.time } ?? touches.count)
            overflow[Int32(slot)] = touches
            counts[slot] = Self.spilled
            return
        }
        var index = base + Int(count)
        while index > base, inline[index - 1].time > touch.time {
            inline[index] = inline[index - 1]
            index -= 1
        }
        inline[index] = touch
        counts[slot] = count + 1
    }

    @discardableResult
    private mutating func removeTouches(slot: Int, where shouldRemove: (Touch) -> Bool) -> Int {
        let count = counts[slot]
        if count == Self.spilled {
            let before = overflow[Int32(slot)]!.count
            overflow[Int32(slot)]!.removeAll(where: shouldRemove)
            return before - overflow[Int32(slot)]!.count
        }
        let base = slot * Self.inlineCapacity
        var kept = base
        for index in base..<base + Int(count) where !shouldRemove(inline[index]) {
            inline[kept] = inline[index]
            kept += 1
        }
        counts[slot] = UInt8(kept - base)
        return Int(count) - (kept - base)
    }
}
