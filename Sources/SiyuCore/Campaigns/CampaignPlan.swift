import Foundation

/// One recipient a campaign wants to reach and the member who would send to it: for message
/// campaigns the member closest to the customer, for group campaigns the group's owner.
/// No sender means nobody can send (`no_member`).
public struct CampaignTarget: Sendable, Equatable {
    public var recipient: ContactBudget.Recipient
    public var sender: String?

    public init(recipient: ContactBudget.Recipient, sender: String?) {
        self.recipient = recipient
        self.sender = sender
    }

    public init(_ id: String, sender: String?) {
        self.init(recipient: ContactBudget.Recipient(externalUserID: id), sender: sender)
    }
}

/// A campaign's targets: an array, or a view that makes each target when it is read (the
/// segment index's, so a million targets are never held at once).
public struct CampaignTargets: RandomAccessCollection, Sendable {
    public let count: Int
    private let make: @Sendable (Int) -> CampaignTarget

    public init(_ targets: [CampaignTarget]) {
        self.init(count: targets.count) { targets[$0] }
    }

    /// `count` targets, the target at `i` being `make(i)`.
    public init(count: Int, _ make: @escaping @Sendable (Int) -> CampaignTarget) {
        self.count = count
        self.make = make
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }
    public subscript(position: Int) -> CampaignTarget { make(position) }
}

/// What a campaign does to each recipient, decided against the contact budget: the rows the
/// store writes, the touches it reserves and the times it comes back for held recipients.
///
/// Creating a campaign persists the plan; previewing it reports ``summary`` of the same plan,
/// so a preview answers exactly what creating would do.
public struct CampaignPlan: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        public var recipient: String
        public var sender: String?
        public var state: RecipientState
        public var reason: RecipientReason
        /// When it goes out (planned) or when its hold ends (held); nil for skips.
        public var sendAt: Date?
        /// The store's ledger ordinal of the recipient, when the target carried one.
        public var ordinal: Int64?
    }

    public struct Touch: Sendable, Equatable {
        public var externalUserID: String
        public var channel: TouchChannel
        public var at: Date
        public var campaignID: String
        public var ordinal: Int64?
    }

    /// One row per distinct recipient, in recipient order (the store's key order).
    public private(set) var rows: [Row] = []
    /// Reserved sends and holds, in recipient order.
    public private(set) var touches: [Touch] = []
    /// When held recipients' holds end, earliest first.
    public private(set) var holdTimes: [Date] = []

    /// The first instant the ledger must cover to plan at `date` under `policy`.
    public static func ledgerStart(for policy: ContactPolicy, at date: Date) -> Date {
        date.addingTimeInterval(-Double(max(62, 2 * (policy.brandCap?.days ?? 0))) * 86400)
    }

    /// Plans `targets` (duplicates dropped, first kept) for a campaign of `kind` sent at
    /// `sendAt`, reserving in `ledger` on the kind's channel (or `channel`). Moments have no
    /// per-recipient plan.
    public init(
        campaignID: String, kind: CampaignKind, sendAt: Date, targets: [CampaignTarget], policy: ContactPolicy, ledger: inout ContactLedger,
        channel: TouchChannel? = nil, remember: Bool = true
    ) {
        guard kind != .moment else { return }
        var seen = Set<String>()
        var reachable: [CampaignTarget] = []
        for target in targets where seen.insert(target.recipient.externalUserID).inserted {
            if target.sender != nil {
                reachable.append(target)
            } else {
                rows.append(Row(recipient: target.recipient.externalUserID, sender: nil, state: .skipped, reason: .noMember, sendAt: nil, ordinal: target.recipient.ordinal))
            }
        }
        let channel = channel ?? kind.touchChannel
        let decisions = ContactBudget.plan(
            recipients: reachable.map(\.recipient), channel: channel, at: sendAt, policy: policy, ledger: &ledger, campaignID: campaignID,
            remember: remember
        )
        var holds = Set<Date>()
        for (target, decision) in zip(reachable, decisions) {
            let id = target.recipient.externalUserID
            let ordinal = target.recipient.ordinal
            switch decision {
            case .send(let at):
                rows.append(Row(recipient: id, sender: target.sender, state: .planned, reason: .sent, sendAt: at, ordinal: ordinal))
                touches.append(Touch(externalUserID: id, channel: channel, at: at, campaignID: campaignID, ordinal: ordinal))
            case .hold(let until, let reason):
                rows.append(Row(recipient: id, sender: target.sender, state: .held, reason: RecipientReason(reason), sendAt: until, ordinal: ordinal))
                touches.append(Touch(externalUserID: id, channel: channel, at: until, campaignID: campaignID, ordinal: ordinal))
                holds.insert(until)
            case .skip(let reason):
                rows.append(Row(recipient: id, sender: target.sender, state: .skipped, reason: RecipientReason(reason), sendAt: nil, ordinal: ordinal))
            }
        }
        // In key order: appends to the primary keys instead of scattering pages.
        rows.sort { $0.recipient < $1.recipient }
        touches.sort { $0.externalUserID < $1.externalUserID }
        holdTimes = holds.sorted()
    }

    /// Plans `targets` one sender at a time against the one `ledger`, handing each part to
    /// `each` before the next is planned, and returns the whole plan's summary. The decisions are
    /// the same as one plan's: a recipient has one sender, so a duplicate never spans two parts,
    /// and the budget's rules are per recipient. Only one sender's rows are held at once, so a
    /// million recipients do not need a million rows in memory.
    public static func bySender(
        campaignID: String, kind: CampaignKind, sendAt: Date, targets: CampaignTargets, policy: ContactPolicy, ledger: inout ContactLedger,
        channel: TouchChannel? = nil, each: (CampaignPlan) async throws -> Void
    ) async rethrows -> Summary {
        var parts: [String: [Int32]] = [:]
        var unsendable: [Int32] = []
        for (index, target) in targets.enumerated() {
            if let sender = target.sender { parts[sender, default: []].append(Int32(index)) } else { unsendable.append(Int32(index)) }
        }
        var summary = Summary(sendAt: sendAt)
        for indexes in parts.keys.sorted().map({ parts[$0]! }) + [unsendable] where !indexes.isEmpty {
            // Each part's recipients are its own (one sender each), so the ledger need not remember them.
            let plan = CampaignPlan(
                campaignID: campaignID, kind: kind, sendAt: sendAt, targets: indexes.map { targets[Int($0)] }, policy: policy, ledger: &ledger,
                channel: channel, remember: false
            )
            summary.add(plan.summary(kind: kind, sendAt: sendAt))
            try await each(plan)
        }
        return summary
    }

    /// The plan in numbers: what a preview shows.
    public func summary(kind: CampaignKind, sendAt: Date) -> Summary {
        var summary = Summary(sendAt: sendAt)
        summary.audience = rows.count
        for row in rows {
            switch row.state {
            case .planned: summary.send += 1
            case .held: summary.hold[row.reason, default: 0] += 1
            default: summary.skip[row.reason, default: 0] += 1
            }
            if row.state != .skipped, let sender = row.sender { summary.senders[sender, default: 0] += 1 }
        }
        let perTask = max(1, kind.recipientsPerTask)
        summary.calls = summary.senders.values.reduce(0) { $0 + ($1 + perTask - 1) / perTask }
        summary.holdTimes = holdTimes
        return summary
    }

    /// A plan counted by decision and reason, with the member calls it would take.
    public struct Summary: Codable, Sendable, Equatable {
        /// Distinct recipients.
        public var audience = 0
        /// Sent at the send time.
        public var send = 0
        /// Held (until quiet hours end), by reason.
        public var hold: [RecipientReason: Int] = [:]
        /// Left out, by reason (the budget's reasons, and `no_member`).
        public var skip: [RecipientReason: Int] = [:]
        /// Recipients per sending member.
        public var senders: [String: Int] = [:]
        /// Platform calls: each member's part goes out in calls of up to the kind's per-task limit.
        public var calls = 0
        public var sendAt: Date
        /// When held recipients' holds end, earliest first.
        public var holdTimes: [Date] = []

        public init(sendAt: Date) { self.sendAt = sendAt }

        /// Adds another part's counts (parts of one plan: their senders are disjoint).
        public mutating func add(_ other: Summary) {
            audience += other.audience
            send += other.send
            hold.merge(other.hold, uniquingKeysWith: +)
            skip.merge(other.skip, uniquingKeysWith: +)
            senders.merge(other.senders, uniquingKeysWith: +)
            calls += other.calls
            holdTimes = Array(Set(holdTimes).union(other.holdTimes)).sorted()
        }

        enum CodingKeys: String, CodingKey { case audience, send, hold, skip, senders, calls, sendAt = "send_at" }
    }
}
