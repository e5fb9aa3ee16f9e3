/// A campaign's outcome in numbers: overall and per sending member, with every failure and
/// skip counted by reason. Built from per-(sender, state, reason) counts.
public struct CampaignResults: Codable, Sendable, Equatable {
    public struct Counts: Codable, Sendable, Equatable {
        public var recipients = 0
        /// Delivered by the platform.
        public var reached = 0
        /// Planned, or in a member's task not yet sent.
        public var pending = 0
        /// Waiting for the end of quiet hours.
        public var held = 0
        public var failed: [RecipientReason: Int] = [:]
        public var skipped: [RecipientReason: Int] = [:]
        public var cancelled = 0

        public init() {}

        mutating func add(_ state: RecipientState, reason: RecipientReason, count: Int) {
            recipients += count
            switch state {
            case .delivered: reached += count
            case .planned, .submitted: pending += count
            case .held: held += count
            case .failed: failed[reason, default: 0] += count
            case .skipped: skipped[reason, default: 0] += count
            case .cancelled: cancelled += count
            }
        }
    }

    public struct Sender: Codable, Sendable, Equatable {
        public var userID: String
        public var counts: Counts

        enum CodingKeys: String, CodingKey { case userID = "userid", counts }
    }

    public var totals = Counts()
    /// Senders by most recipients first; recipients nobody could send to are only in the totals.
    public var senders: [Sender] = []
    /// Whether every recipient has a final state.
    public var final: Bool { totals.pending == 0 && totals.held == 0 }

    public init(tally: [(sender: String?, state: RecipientState, reason: RecipientReason, count: Int)]) {
        var bySender: [String: Counts] = [:]
        for row in tally {
            totals.add(row.state, reason: row.reason, count: row.count)
            if let sender = row.sender { bySender[sender, default: Counts()].add(row.state, reason: row.reason, count: row.count) }
        }
        senders = bySender.map { Sender(userID: $0.key, counts: $0.value) }
            .sorted { ($0.counts.recipients, $1.userID) > ($1.counts.recipients, $0.userID) }
    }

    enum CodingKeys: String, CodingKey { case totals, senders, final }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        totals = try c.decode(Counts.self, forKey: .totals)
        senders = try c.decode([Sender].self, forKey: .senders)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(totals, forKey: .totals)
        try c.encode(senders, forKey: .senders)
        try c.encode(final, forKey: .final)
    }
}
