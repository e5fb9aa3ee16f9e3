import Foundation

/// One touch of a customer as the ledger holds it, for reading.
public struct ContactTouch: Sendable, Equatable {
    /// When the touch happened or is reserved to happen (whole seconds).
    public var date: Date
    /// The channel that made it.
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
/// Customers are keyed by the store's ordinals (a name without one gets a number of its own),
/// so a plan over a million customers hashes integers, not strings.
///
/// Storage is compact: each customer owns 64 bytes: a header and room for seven touches of 8 bytes, kept sorted by
/// time in one flat array; a customer with more moves to a separate array of their own.
/// Touches that no window can reach any more are dropped as customers are visited.
///
/// A plan may go back in time a little (clock skew, a late campaign): history is kept for
/// twice the longest window. A plan for an instant older than that is evaluated at the
/// earliest instant whose whole history is still held (see `ContactBudget.plan`). When a
/// policy lengthens its brand window beyond what was kept, touches already dropped are not
/// known again.
public struct ContactLedger: Sendable {
    /// A touch packed in 8 bytes: seconds since 2020-01-01 UTC in the high half (so packed
    /// touches sort by time), then the campaign index and the channel.
    struct Touch: Sendable {
        var bits: UInt64

        /// 2020-01-01T00:00:00Z; touches are held from then until 2156 (earlier ones count as
        /// at this instant, which no window reaches any more).
        static let epoch: Int64 = 1_577_836_800
        static let maxCampaigns = UInt32(1) << 29

        init(time: Int64, campaign: UInt32, channel: TouchChannel) {
            let seconds = UInt64(min(max(time - Self.epoch, 0), Int64(UInt32.max)))
            bits = seconds << 32 | UInt64(campaign) << 3 | UInt64(channel.code)
        }

        init(bits: UInt64) {
            self.bits = bits
        }

        var time: Int64 { Int64(bits >> 32) + Self.epoch }
        var campaign: UInt32 { UInt32(truncatingIfNeeded: bits) >> 3 }
        var channel: TouchChannel { TouchChannel(code: UInt8(bits & 7)) }

    }

    /// Cells per customer: a header, then up to seven touches; 64 bytes, one cache line's worth.
    static let slotCells = 8
    static let inlineCapacity = slotCells - 1
    /// Header count of a customer whose touches live in `overflow`.
    private static let spilled = UInt8.max

    /// Customers (and groups) are subjects: the store's ordinals (positive), or numbers given
    /// here to names that have none (negative), so the two never meet.
    private var slotBySubject: [Int64: Int32] = [:]
    private var subjects: [Int64] = []
    private var subjectByName: [String: Int64] = [:]
    private var nameBySubject: [Int64: String] = [:]
    /// `slotCells` cells per customer. The first is a header, not a touch: the number of the
    /// last plan that visited the customer (to catch duplicates within a plan) in the high
    /// half, and in the low byte how many touches follow inline (or `spilled`).
    private var cells: [Touch] = []
    private var overflow: [Int32: [Touch]] = [:]
    private var campaignByID: [String: UInt32] = [:]
    private var campaignIDs: [String?] = [nil]
    private var plans: UInt32 = 0
    /// The latest instant a plan was made for.
    private var latestPlan = Int64.min
    /// Plans before this instant would need history that may have been dropped.
    private var earliestPlan = Int64.min
    /// Touches before this instant may have been dropped.
    private(set) var prunedBefore = Int64.min
    /// The longest look-back of any policy seen, in seconds.
    private var lookBack: Int64 = 31 * 86400

    /// An empty ledger; `expectedCustomers` reserves room up front.
    public init(expectedCustomers: Int = 0) {
        slotBySubject.reserveCapacity(expectedCustomers)
        subjects.reserveCapacity(expectedCustomers)
        cells.reserveCapacity(expectedCustomers * Self.slotCells)
    }

    // MARK: Reading

    /// The named customers the ledger knows (some may have no touch left).
    public var customerIDs: [String] { subjects.compactMap { nameBySubject[$0] } }

    /// Every subject the ledger holds, by the store's ordinal or the number given to its name.
    public var subjectIDs: [Int64] { subjects }

    /// All touches held, over all customers.
    public var touchCount: Int {
        subjects.indices.reduce(0) { $0 + touches(slot: $1).count }
    }

    /// A customer's touches, oldest first.
    public func touches(of customer: String) -> [ContactTouch] {
        guard let subject = subjectByName[customer] else { return [] }
        return touches(ofSubject: subject)
    }

    /// A subject's touches (by the store's ordinal), oldest first.
    public func touches(ofSubject subject: Int64) -> [ContactTouch] {
        guard let slot = slotBySubject[subject] else { return [] }
        return touches(slot: Int(slot)).map {
            ContactTouch(date: BusinessCalendar.date($0.time), channel: $0.channel, campaignID: campaignIDs[Int($0.campaign)])
        }
    }

    /// Gives a stored subject its name, so the name reads and plans as that subject.
    public mutating func name(_ subject: Int64, _ name: String) {
        subjectByName[name] = subject
        nameBySubject[subject] = name
    }

    /// The subject a name stands for, numbered here when the store gave it none.
    mutating func subject(named name: String) -> Int64 {
        if let subject = subjectByName[name] { return subject }
        let subject = -Int64(subjectByName.count + 1)
        self.name(subject, name)
        return subject
    }

    /// An estimate of the memory the ledger holds, in bytes: its arrays and tables, and the
    /// customer ids' own storage (shared with the dictionary keys).
    public var estimatedMemoryBytes: Int {
        let stringBytes = subjectByName.keys.reduce(0) { total, id in
            // Ids of up to 15 UTF-8 bytes live inline; longer ones in a 32-byte-header buffer.
            total + (id.utf8.count <= 15 ? 0 : 32 + (id.utf8.count + 15) / 16 * 16)
        }
        let nameBytes = subjectByName.capacity * (MemoryLayout<String>.stride + MemoryLayout<Int64>.stride) * 4 / 3
            + nameBySubject.capacity * (MemoryLayout<String>.stride + MemoryLayout<Int64>.stride) * 4 / 3
        let dictionaryBytes = slotBySubject.capacity * (MemoryLayout<Int64>.stride + MemoryLayout<Int32>.stride) * 4 / 3 + nameBytes
        let overflowBytes = overflow.values.reduce(0) { $0 + 32 + $1.capacity * MemoryLayout<Touch>.stride }
        return stringBytes + dictionaryBytes + overflowBytes
            + subjects.capacity * MemoryLayout<Int64>.stride
            + cells.capacity * MemoryLayout<Touch>.stride
    }

    // MARK: Outside touches and releases

    /// Records a touch observed from outside (a synced send result, a touch made by hand).
    ///
    /// A touch for a campaign the customer already holds a reservation of confirms it: the
    /// reservation moves to the observed time and channel instead of counting twice.
    public mutating func record(customer: String, channel: TouchChannel, at date: Date, campaignID: String? = nil) {
        record(subject: subject(named: customer), channel: channel, at: date, campaignID: campaignID)
    }

    /// ``record(customer:channel:at:campaignID:)`` for a subject by the store's ordinal.
    public mutating func record(subject: Int64, channel: TouchChannel, at date: Date, campaignID: String? = nil) {
        let slot = slot(subject: subject)
        let campaign = campaignID.map { campaignIndex(for: $0) } ?? 0
        if campaign != 0 {
            removeTouches(slot: slot) { $0.campaign == campaign }
        }
        insert(Touch(time: BusinessCalendar.seconds(date), campaign: campaign, channel: channel), slot: slot)
    }

    /// Gives back a customer's reservation(s) for a campaign that did not happen (the send
    /// failed or was cancelled). Returns how many touches were removed.
    @discardableResult
    public mutating func release(campaignID: String, recipient customer: String) -> Int {
        guard let subject = subjectByName[customer], let campaign = campaignByID[campaignID], let slot = slotBySubject[subject] else { return 0 }
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
            earliestPlan = max(earliestPlan, latestPlan - lookBack)
        }
        plans &+= 1
        if plans == 0 {
            // The visit counter wrapped: forget old visits so none looks current.
            for base in stride(from: 0, to: cells.count, by: Self.slotCells) { cells[base].bits &= 0xFF }
            plans = 1
        }
        return (max(time, earliestPlan), plans)
    }

    /// Whether the ledger has a slot for the recipient (by ordinal, else by name).
    func holds(_ recipient: ContactBudget.Recipient) -> Bool {
        if let ordinal = recipient.ordinal { return slotBySubject[ordinal] != nil }
        return subjectByName[recipient.externalUserID].map { slotBySubject[$0] != nil } ?? false
    }

    /// The slot of a customer by name, created when new.
    mutating func slot(for customer: String) -> Int {
        slot(subject: subject(named: customer))
    }

    /// The slot of a subject, created when new.
    mutating func slot(subject: Int64) -> Int {
        let next = Int32(subjects.count)
        let slot = Self.read(&slotBySubject[subject, default: next])
        if slot == next {
            subjects.append(subject)
            cells.append(contentsOf: repeatElement(Touch(bits: 0), count: Self.slotCells))
        }
        return Int(slot)
    }

    /// Reads a value through `inout`, so a `default:` subscript inserts it with one lookup.
    private static func read<Value>(_ value: inout Value) -> Value { value }

    /// Marks a slot visited by a plan; false when this plan has visited it already.
    mutating func visit(slot: Int, plan: UInt32) -> Bool {
        let base = slot * Self.slotCells
        guard cells[base].bits >> 32 != UInt64(plan) else { return false }
        cells[base].bits = UInt64(plan) << 32 | cells[base].bits & 0xFF
        return true
    }

    mutating func campaignIndex(for campaignID: String) -> UInt32 {
        let next = UInt32(campaignIDs.count)
        let index = Self.read(&campaignByID[campaignID, default: next])
        if index == next {
            precondition(next < Touch.maxCampaigns, "a ledger holds up to 2^29 campaigns")
            campaignIDs.append(campaignID)
        }
        return index
    }

    /// A slot's touches, oldest first. Do not hold on to the slice across a mutation.
    func touches(slot: Int) -> ArraySlice<Touch> {
        let count = count(slot: slot)
        if count == Self.spilled { return overflow[Int32(slot)]![...] }
        let first = slot * Self.slotCells + 1
        return cells[first..<first + Int(count)]
    }

    private func count(slot: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: cells[slot * Self.slotCells].bits)
    }

    private mutating func setCount(_ count: UInt8, slot: Int) {
        let base = slot * Self.slotCells
        cells[base].bits = cells[base].bits & ~0xFF | UInt64(count)
    }

    /// Drops a slot's touches that no window can reach any more.
    mutating func prune(slot: Int) {
        guard let first = touches(slot: slot).first, first.time < prunedBefore else { return }
        let cutoff = prunedBefore
        removeTouches(slot: slot) { $0.time < cutoff }
    }

    /// Adds a touch, keeping the slot sorted by time.
    mutating func insert(_ touch: Touch, slot: Int) {
        let count = count(slot: slot)
        if count == Self.spilled {
            let position = overflow[Int32(slot)]!.firstIndex { $0.time > touch.time } ?? overflow[Int32(slot)]!.count
            overflow[Int32(slot)]!.insert(touch, at: position)
            return
        }
        let first = slot * Self.slotCells + 1
        if Int(count) == Self.inlineCapacity {
            var touches = Array(cells[first..<first + Self.inlineCapacity])
            touches.insert(touch, at: touches.firstIndex { $0.time > touch.time } ?? touches.count)
            overflow[Int32(slot)] = touches
            setCount(Self.spilled, slot: slot)
            return
        }
        var index = first + Int(count)
        while index > first, cells[index - 1].time > touch.time {
            cells[index] = cells[index - 1]
            index -= 1
        }
        cells[index] = touch
        setCount(count + 1, slot: slot)
    }

    @discardableResult
    private mutating func removeTouches(slot: Int, where shouldRemove: (Touch) -> Bool) -> Int {
        let count = count(slot: slot)
        if count == Self.spilled {
            let before = overflow[Int32(slot)]!.count
            overflow[Int32(slot)]!.removeAll(where: shouldRemove)
            return before - overflow[Int32(slot)]!.count
        }
        let first = slot * Self.slotCells + 1
        var kept = first
        for index in first..<first + Int(count) where !shouldRemove(cells[index]) {
            cells[kept] = cells[index]
            kept += 1
        }
        setCount(UInt8(kept - first), slot: slot)
        return Int(count) - (kept - first)
    }
}

extension TouchChannel {
    /// A 3-bit code for packed touches.
    var code: UInt8 {
        switch self {
        case .massMessage: 0
        case .groupMassMessage: 1
        case .moment: 2
        case .sop: 3
        case .broadcast: 4
        }
    }

    init(code: UInt8) {
        switch code {
        case 0: self = .massMessage
        case 1: self = .groupMassMessage
        case 2: self = .moment
        case 3: self = .sop
        default: self = .broadcast
        }
    }
}
