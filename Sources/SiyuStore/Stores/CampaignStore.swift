import Foundation
import SQLKit
import SiyuCore

/// Campaigns, their platform tasks and every recipient's state.
///
/// A campaign is accepted in `planning`; a job then plans it: inside one transaction that holds
/// the corp's budget lock, its recipients are planned against the ledger, their states written
/// in ``RecipientChunk``s and every send or hold reserved in the ledger (``LedgerSets``) under
/// the campaign's id. The transaction commits whole or not at all, so a crash mid-plan leaves
/// nothing behind and the retried job plans once. A reservation that does not end in a
/// delivery is released, so the ledger holds what reached people plus what is on its way.
public struct CampaignStore: Sendable {
    let database: SiyuDatabase
    let contacts: ContactStore

    public static let planJobKind = "campaign.plan"
    public static let dispatchJobKind = "campaign.dispatch"
    public static let pollJobKind = "campaign.poll"

    // MARK: Accepting and planning

    /// Stores a new campaign in `planning` and queues the job that plans it (``record(corpID:campaignID:targets:now:)``).
    public func accept(corpID: String, _ campaign: Campaign, now: Date) async throws {
        try await database.write { sql in
            try await Self.insert(campaign, on: sql, corpID: corpID, now: now)
            try await JobQueue.enqueue(on: sql, kind: Self.planJobKind, payload: campaign.campaignID, corpID: corpID, runAfter: now, maxAttempts: 5, now: now)
            try await AuditLog.append(
                on: sql, corpID: corpID, actor: campaign.createdBy, action: "campaign.create", target: campaign.campaignID,
                detail: ["name": campaign.name, "kind": campaign.kind.rawValue], now: now
            )
        }
    }

    /// Stores a new campaign and plans it at once, in one transaction: what the planning job does
    /// for an accepted campaign, for callers that have the targets already (tests, benchmarks).
    public func create(corpID: String, _ campaign: Campaign, targets: [CampaignTarget], now: Date) async throws -> CampaignPlan.Summary {
        let policy = try await contacts.policy(corpID: corpID)
        let resolved = try await resolve(corpID: corpID, kind: campaign.kind, targets: CampaignTargets(targets), policy: policy)
        return try await database.write { sql in
            try await Self.insert(campaign, on: sql, corpID: corpID, now: now)
            try await AuditLog.append(
                on: sql, corpID: corpID, actor: campaign.createdBy, action: "campaign.create", target: campaign.campaignID,
                detail: ["name": campaign.name, "kind": campaign.kind.rawValue], now: now
            )
            return try await Self.record(on: sql, corpID: corpID, campaignID: campaign.campaignID, targets: resolved, policy: policy, now: now)!
        }
    }

    /// Plans an accepted campaign and records the plan: the planning job's work. The audience's
    /// senders, opt-out tags and ordinals are read first; then, in one transaction under the
    /// budget lock, the ledger is read, the plan made, and recipients, reservations and the
    /// dispatch jobs written. Returns nil (doing nothing) when the campaign is no longer
    /// `planning`: already planned by an earlier attempt, or cancelled.
    ///
    /// With `sendersKnown`, message targets already carry their senders and ordinals (the segment
    /// index keeps them); only the opt-out tags are read.
    public func record(corpID: String, campaignID: String, targets: [CampaignTarget], sendersKnown: Bool = false, now: Date) async throws -> CampaignPlan.Summary? {
        try await record(corpID: corpID, campaignID: campaignID, targets: CampaignTargets(targets), sendersKnown: sendersKnown, now: now)
    }

    /// ``record(corpID:campaignID:targets:sendersKnown:now:)`` for targets made as they are read.
    public func record(corpID: String, campaignID: String, targets: CampaignTargets, sendersKnown: Bool = false, now: Date) async throws -> CampaignPlan.Summary? {
        guard let campaign = try await find(corpID: corpID, campaignID: campaignID), campaign.state == .planning else { return nil }
        let policy = try await contacts.policy(corpID: corpID)
        let resolved = try await resolve(corpID: corpID, kind: campaign.kind, targets: targets, policy: policy, sendersKnown: sendersKnown)
        try await setPlanning(corpID: corpID, campaignID: campaignID, Campaign.Planning(progress: 0.6), now: now)
        return try await database.write { sql in
            try await Self.record(on: sql, corpID: corpID, campaignID: campaignID, targets: resolved, policy: policy, now: now)
        }
    }

    /// How far planning has come (shown while the campaign is `planning`).
    public func setPlanning(corpID: String, campaignID: String, _ planning: Campaign.Planning, now: Date) async throws {
        try await database.write { sql in
            try await sql.raw("""
                UPDATE campaigns SET plan_progress = \(bind: Int64((planning.progress * 1000).rounded())), plan_recipients = COALESCE(\(bind: planning.recipients.map(Int64.init)), plan_recipients),
                  updated_at = \(bind: StoredTime.millis(now))
                WHERE corp_id = \(bind: corpID) AND campaign_id = \(bind: campaignID) AND state = 'planning'
                """).run()
        }
    }

    /// Planning gave up (its job's last attempt failed): the campaign ends cancelled with the error.
    public func failPlanning(corpID: String, campaignID: String, error: String, now: Date) async throws {
        try await database.write { sql in
            try await sql.raw("""
                UPDATE campaigns SET last_error = \(bind: "planning failed: " + String(error.prefix(480))), updated_at = \(bind: StoredTime.millis(now))
                WHERE corp_id = \(bind: corpID) AND campaign_id = \(bind: campaignID) AND state = 'planning'
                """).run()
            try await Self.setState(on: sql, corpID: corpID, campaignID: campaignID, .cancelled, now: now, onlyFrom: [.planning])
        }
    }

    /// What creating a campaign with these targets would plan now, reserving nothing: the same
    /// planning as ``record(corpID:campaignID:targets:now:)`` on a read.
    public func plan(
        corpID: String, kind: CampaignKind, sendAt: Date, targets: CampaignTargets, sendersKnown: Bool = false, channel: TouchChannel? = nil
    ) async throws -> CampaignPlan.Summary {
        let policy = try await contacts.policy(corpID: corpID)
        let resolved = try await resolve(corpID: corpID, kind: kind, targets: targets, policy: policy, sendersKnown: sendersKnown, numberNew: false)
        return try await database.read { sql in
            var ledger = try await ContactStore.ledger(on: sql, corpID: corpID, since: CampaignPlan.ledgerStart(for: policy, at: sendAt))
            return await CampaignPlan.bySender(
                campaignID: "preview", kind: kind, sendAt: sendAt, targets: resolved, policy: policy, ledger: &ledger, channel: channel
            ) { _ in }
        }
    }

    /// Targets with what planning needs: for message campaigns each customer's sender, opt-out
    /// tags and ordinal from the store; for group campaigns each group's ordinal (numbered now
    /// when it has none, unless `numberNew` is false: a preview writes nothing).
    private func resolve(
        corpID: String, kind: CampaignKind, targets: CampaignTargets, policy: ContactPolicy, sendersKnown: Bool = false, numberNew: Bool = true
    ) async throws -> CampaignTargets {
        switch kind {
        case .message where sendersKnown:
            guard !policy.optOutTagIDs.isEmpty else { return targets }
            let optedOut = try await database.read { sql in try await ContactStore.tagged(on: sql, corpID: corpID, tagIDs: policy.optOutTagIDs) }
            return CampaignTargets(count: targets.count) { index in
                var target = targets[index]
                if let tags = optedOut[target.recipient.externalUserID] { target.recipient.tagIDs = tags }
                return target
            }
        case .message:
            return CampaignTargets(try await database.read { sql in
                try await ContactStore.audience(on: sql, corpID: corpID, externalUserIDs: targets.map(\.recipient.externalUserID), onlyTags: policy.optOutTagIDs)
                    .map { CampaignTarget(recipient: $0.recipient, sender: $0.sender) }
            })
        case .groupMessage:
            let ids = targets.map(\.recipient.externalUserID)
            let ordinals = numberNew
                ? try await database.write { sql in try await SubjectOrdinals.resolve(on: sql, corpID: corpID, ids: ids) }
                : try await database.read { sql in try await SubjectOrdinals.known(on: sql, corpID: corpID, ids: ids) }
            return CampaignTargets(targets.map { target in
                var target = target
                target.recipient.ordinal = ordinals[target.recipient.externalUserID]
                return target
            })
        case .moment:
            return CampaignTargets([])
        }
    }

    private static func insert(_ campaign: Campaign, on sql: any SQLDatabase, corpID: String, now: Date) async throws {
        try await sql.raw("""
            INSERT INTO campaigns (corp_id, campaign_id, name, kind, audience, content, state, send_at, deadline_at, created_by, created_at, updated_at, plan_progress)
            VALUES (\(bind: corpID), \(bind: campaign.campaignID), \(bind: campaign.name), \(bind: campaign.kind.rawValue), \(bind: try Self.json(campaign.audience)),
                    \(bind: try Self.json(campaign.content)), 'planning', \(bind: StoredTime.millis(campaign.sendAt)),
                    \(bind: StoredTime.millis(campaign.deadlineAt)), \(bind: campaign.createdBy), \(bind: StoredTime.millis(now)), \(bind: StoredTime.millis(now)), 0)
            """).run()
    }

    /// Plans and records inside the caller's transaction, once: the campaign leaves `planning`
    /// in the same transaction, so a second run (a retried job) finds nothing to do.
    private static func record(
        on sql: any SQLDatabase, corpID: String, campaignID: String, targets: CampaignTargets, policy: ContactPolicy, now: Date
    ) async throws -> CampaignPlan.Summary? {
        if let lock = sql.flavor.contactBudgetLock(corpID: corpID) { try await sql.raw(lock).run() }
        guard let row = try await sql.raw("""
            UPDATE campaigns SET state = 'scheduled', plan_progress = 1000, updated_at = \(bind: StoredTime.millis(now))
            WHERE corp_id = \(bind: corpID) AND campaign_id = \(bind: campaignID) AND state = 'planning'
            RETURNING kind, send_at
            """).first() else { return nil }
        let kind = try row.decodeStored(column: "kind", as: CampaignKind.self)
        let sendAt = StoredTime.date(try row.decode(column: "send_at", as: Int64.self))
        // Whoever could be sent to is reserved under an ordinal: number any the reads left without.
        var targets = targets
        let unnumbered = targets.filter { $0.recipient.ordinal == nil && $0.sender != nil }.map(\.recipient.externalUserID)
        if !unnumbered.isEmpty {
            let numbered = try await SubjectOrdinals.resolve(on: sql, corpID: corpID, ids: unnumbered)
            targets = CampaignTargets(targets.map { target in
                var target = target
                if target.recipient.ordinal == nil { target.recipient.ordinal = numbered[target.recipient.externalUserID] }
                return target
            })
        }
        var ledger = try await ContactStore.ledger(on: sql, corpID: corpID, since: CampaignPlan.ledgerStart(for: policy, at: sendAt))
        // One sender's part at a time: its rows become chunks at once; only the reserved ordinals are kept.
        var chunkNumber = 0
        var reserved: [Date: (channel: TouchChannel, ordinals: [Int64])] = [:]
        let summary = try await CampaignPlan.bySender(campaignID: campaignID, kind: kind, sendAt: sendAt, targets: targets, policy: policy, ledger: &ledger) { plan in
            for var chunk in RecipientChunk.chunks(of: plan, perChunk: kind.recipientsPerTask, now: now) {
                chunk.number = chunkNumber
                chunkNumber += 1
                try await chunk.write(on: sql, corpID: corpID, campaignID: campaignID)
            }
            for touch in plan.touches {
                reserved[touch.at, default: (touch.channel, [])].ordinals.append(touch.ordinal ?? 0)
            }
        }
        for at in reserved.keys.sorted() {
            try await LedgerSets.add(
                on: sql, corpID: corpID, campaignID: campaignID, channel: reserved[at]!.channel, at: at, members: OrdinalSet(reserved[at]!.ordinals.filter { $0 > 0 })
            )
        }
        try await sql.raw("""
            UPDATE campaigns SET plan_recipients = \(bind: Int64(summary.audience)) WHERE corp_id = \(bind: corpID) AND campaign_id = \(bind: campaignID)
            """).run()
        for runAfter in [sendAt] + summary.holdTimes {
            try await JobQueue.enqueue(on: sql, kind: Self.dispatchJobKind, payload: campaignID, corpID: corpID, runAfter: max(runAfter, now), maxAttempts: 5, now: now)
        }
        return summary
    }

    // MARK: Reading

    public func find(corpID: String, campaignID: String) async throws -> Campaign? {
        try await database.read { sql in
            try await sql.raw("SELECT * FROM campaigns WHERE corp_id = \(bind: corpID) AND campaign_id = \(bind: campaignID)").first().map(Self.campaign)
        }
    }

    /// Newest first; `before` is the `created_at` cursor of the previous page.
    public func list(corpID: String, limit: Int, before: Date? = nil) async throws -> [Campaign] {
        try await database.read { sql in
            let cursor = before.map(StoredTime.millis) ?? Int64.max
            return try await sql.raw("""
                SELECT * FROM campaigns WHERE corp_id = \(bind: corpID) AND created_at < \(bind: cursor)
                ORDER BY created_at DESC, campaign_id DESC LIMIT \(bind: limit)
                """).all().map(Self.campaign)
        }
    }

    /// Counts per sender, state and reason: the raw material of a campaign's results.
    public func tally(corpID: String, campaignID: String) async throws -> [(sender: String?, state: RecipientState, reason: RecipientReason, count: Int)] {
        try await database.read { sql in
            struct Key: Hashable { var sender: String?; var state: UInt8; var reason: UInt8 }
            var counts: [Key: Int] = [:]
            for row in try await sql.raw("SELECT sender, states FROM campaign_chunks WHERE corp_id = \(bind: corpID) AND campaign_id = \(bind: campaignID)").all() {
                let sender = try row.decode(column: "sender", as: String?.self)
                let packed = [UInt8](try row.decode(column: "states", as: Data.self))
                for index in stride(from: 0, to: packed.count - 1, by: 2) {
                    counts[Key(sender: sender, state: packed[index], reason: packed[index + 1]), default: 0] += 1
                }
            }
            return try counts.map { key, count in
                guard let state = RecipientState(code: key.state) else {
                    throw StoreError(.corruptRow, "state holds code \(key.state), which this build's RecipientState does not know")
                }
                guard let reason = RecipientReason(code: key.reason) else {
                    throw StoreError(.corruptRow, "reason holds code \(key.reason), which this build's RecipientReason does not know")
                }
                return (key.sender, state, reason, count)
            }
        }
    }

    /// Recipients in key order after `after`, optionally of one state and one reason.
    public func recipients(
        corpID: String, campaignID: String, state: RecipientState? = nil, reason: RecipientReason? = nil, after: String? = nil, limit: Int
    ) async throws -> [CampaignRecipient] {
        try await database.read { sql in
            var query = SQLQueryString("SELECT \(Self.chunkColumns) FROM campaign_chunks WHERE corp_id = \(bind: corpID) AND campaign_id = \(bind: campaignID)")
            if let after { query = query + " AND last_recipient > \(bind: after)" }
            var found: [CampaignRecipient] = []
            for row in try await sql.raw(query).all() {
                let chunk = try RecipientChunk(row: row)
                for index in chunk.recipients.indices
                where (state == nil || chunk.states[index] == state) && (reason == nil || chunk.reasons[index] == reason)
                    && (after.map { chunk.recipients[index] > $0 } ?? true) {
                    found.append(chunk.recipient(at: index))
                }
            }
            found.sort { $0.recipient < $1.recipient }
            return Array(found.prefix(max(0, limit)))
        }
    }

    static let chunkColumns: SQLQueryString = "chunk, sender, msgid, send_at, recipients, ordinals, states, updated_at"

    /// A campaign with how many recipients it has and how many the platform delivered to.
    public struct Reach: Sendable, Equatable {
        public var campaignID: String
        public var name: String
        public var state: CampaignState
        public var sendAt: Date
        public var recipients: Int
        public var reached: Int
    }

    /// The newest campaigns with their reach (the dashboard's "recent campaigns").
    public func recentReach(corpID: String, limit: Int = 5) async throws -> [Reach] {
        try await database.read { sql in
            try await sql.raw("""
                SELECT c.campaign_id, c.name, c.state, c.send_at, CAST(COALESCE(SUM(k.size), 0) AS BIGINT) AS recipients, CAST(COALESCE(SUM(k.delivered), 0) AS BIGINT) AS reached
                FROM campaigns c LEFT JOIN campaign_chunks k ON k.corp_id = c.corp_id AND k.campaign_id = c.campaign_id
                WHERE c.corp_id = \(bind: corpID)
                GROUP BY c.campaign_id, c.name, c.state, c.send_at, c.created_at
                ORDER BY c.created_at DESC, c.campaign_id DESC LIMIT \(literal: max(1, min(limit, 100)))
                """).all().map { row in
                Reach(
                    campaignID: try row.decode(column: "campaign_id", as: String.self), name: try row.decode(column: "name", as: String.self),
                    state: try row.decodeStored(column: "state", as: CampaignState.self),
                    sendAt: StoredTime.date(try row.decode(column: "send_at", as: Int64.self)),
                    recipients: Int(try row.decode(column: "recipients", as: Int64.self)), reached: Int(try row.decode(column: "reached", as: Int64.self))
                )
            }
        }
    }

    /// A platform task still waiting for its member to send it, with its campaign's name.
    public struct MemberTask: Sendable, Equatable {
        public var campaignID: String
        public var campaignName: String
        public var msgID: String
        public var recipients: Int
        public var createdAt: Date
        public var deadlineAt: Date
    }

    /// The unsent tasks one member is the sender of, newest first (an employee's "my tasks").
    public func pendingTasks(corpID: String, sender: String, limit: Int = 100) async throws -> [MemberTask] {
        try await database.read { sql in
            try await sql.raw("""
                SELECT t.campaign_id, c.name, t.msgid, t.recipients, t.created_at, c.deadline_at
                FROM campaign_tasks t JOIN campaigns c ON c.corp_id = t.corp_id AND c.campaign_id = t.campaign_id
                WHERE t.corp_id = \(bind: corpID) AND t.sender = \(bind: sender) AND t.state = 'pending'
                ORDER BY t.created_at DESC, t.msgid LIMIT \(literal: max(1, min(limit, 1000)))
                """).all().map { row in
                MemberTask(
                    campaignID: try row.decode(column: "campaign_id", as: String.self), campaignName: try row.decode(column: "name", as: String.self),
                    msgID: try row.decode(column: "msgid", as: String.self), recipients: Int(try row.decode(column: "recipients", as: Int64.self)),
                    createdAt: StoredTime.date(try row.decode(column: "created_at", as: Int64.self)),
                    deadlineAt: StoredTime.date(try row.decode(column: "deadline_at", as: Int64.self))
                )
            }
        }
    }

    public func tasks(corpID: String, campaignID: String) async throws -> [CampaignTask] {
        try await database.read { sql in try await Self.tasks(on: sql, corpID: corpID, campaignID: campaignID) }
    }

    private static func tasks(on sql: any SQLDatabase, corpID: String, campaignID: String) async throws -> [CampaignTask] {
        try await sql.raw("SELECT * FROM campaign_tasks WHERE corp_id = \(bind: corpID) AND campaign_id = \(bind: campaignID) ORDER BY created_at, msgid")
            .all().map { row in
                let reminders = try JSONDecoder().decode([Int64].self, from: Data(try row.decode(column: "reminders", as: String.self).utf8))
                return CampaignTask(
                    msgID: try row.decode(column: "msgid", as: String.self), sender: try row.decode(column: "sender", as: String.self),
                    recipients: Int(try row.decode(column: "recipients", as: Int64.self)), state: try row.decodeStored(column: "state", as: CampaignTaskState.self),
                    reminders: reminders.map(StoredTime.date)
                )
            }
    }

    // MARK: Dispatching

    /// One chunk whose time has come: a platform task for `sender` to `recipients`.
    public struct DueTask: Sendable, Equatable {
        public var sender: String
        public var recipients: [String]
    }

    /// The chunks whose time has come (planned, or held until `now` or earlier), by sender: each
    /// becomes one platform task.
    public func due(corpID: String, campaignID: String, now: Date) async throws -> [DueTask] {
        try await database.read { sql in
            try await sql.raw("""
                SELECT \(Self.chunkColumns) FROM campaign_chunks
                WHERE corp_id = \(bind: corpID) AND campaign_id = \(bind: campaignID) AND sender IS NOT NULL
                  AND (due_state = 'planned' OR (due_state = 'held' AND send_at <= \(bind: StoredTime.millis(now))))
                ORDER BY sender, chunk
                """).all().map { row in
                let chunk = try RecipientChunk(row: row)
                return DueTask(sender: chunk.sender!, recipients: chunk.recipients.indices.filter { chunk.states[$0] == .planned || chunk.states[$0] == .held }.map { chunk.recipients[$0] })
            }
        }
    }

    /// The earliest time a held recipient waits for, if any still waits.
    public func nextHold(corpID: String, campaignID: String) async throws -> Date? {
        try await database.read { sql in
            try await sql.raw("""
                SELECT MIN(send_at) AS next FROM campaign_chunks WHERE corp_id = \(bind: corpID) AND campaign_id = \(bind: campaignID) AND due_state = 'held'
                """).first()?.decode(column: "next", as: Int64?.self).map(StoredTime.date)
        }
    }

    /// Records one platform task: its recipients are submitted, those in `failList` failed.
    public func recordTask(
        corpID: String, campaignID: String, msgID: String, sender: String, recipients: [String], failList: [String], now: Date
    ) async throws {
        let failed = Set(failList)
        let ids = Set(recipients)
        try await database.write { sql in
            try await Self.lock(on: sql, corpID: corpID)
            var released: [Int64] = []
            for var chunk in try await Self.unsentChunks(on: sql, corpID: corpID, campaignID: campaignID, sender: sender, containing: recipients) {
                let submitted = chunk.indexes(of: ids).filter { chunk.states[$0] == .planned || chunk.states[$0] == .held }
                guard !submitted.isEmpty else { continue }  // a chunk whose key range overlaps, without these recipients
                for index in submitted {
                    if failed.contains(chunk.recipients[index]) {
                        (chunk.states[index], chunk.reasons[index]) = (.failed, .rejected)
                        released.append(chunk.ordinals[index])
                    } else {
                        (chunk.states[index], chunk.reasons[index]) = (.submitted, .sent)
                    }
                }
                chunk.msgID = msgID
                chunk.updatedAt = now
                try await chunk.write(on: sql, corpID: corpID, campaignID: campaignID)
            }
            try await sql.raw("""
                INSERT INTO campaign_tasks (corp_id, campaign_id, msgid, sender, recipients, state, created_at, updated_at)
                VALUES (\(bind: corpID), \(bind: campaignID), \(bind: msgID), \(bind: sender), \(bind: Int64(ids.subtracting(failed).count)), 'pending', \(bind: StoredTime.millis(now)), \(bind: StoredTime.millis(now)))
                """).run()
            try await Self.release(on: sql, corpID: corpID, campaignID: campaignID, ordinals: released)
            try await Self.setState(on: sql, corpID: corpID, campaignID: campaignID, .sending, now: now, onlyFrom: [.scheduled])
        }
    }

    /// The platform refused a task outright: its recipients fail with `api_error`.
    public func recordTaskError(corpID: String, campaignID: String, recipients: [String], error: String, now: Date) async throws {
        let ids = Set(recipients)
        try await database.write { sql in
            try await Self.lock(on: sql, corpID: corpID)
            var released: [Int64] = []
            for var chunk in try await Self.unsentChunks(on: sql, corpID: corpID, campaignID: campaignID, sender: nil, containing: recipients) {
                let failing = chunk.indexes(of: ids).filter { chunk.states[$0] == .planned || chunk.states[$0] == .held }
                guard !failing.isEmpty else { continue }
                for index in failing {
                    (chunk.states[index], chunk.reasons[index]) = (.failed, .apiError)
                    released.append(chunk.ordinals[index])
                }
                chunk.updatedAt = now
                try await chunk.write(on: sql, corpID: corpID, campaignID: campaignID)
            }
            try await Self.release(on: sql, corpID: corpID, campaignID: campaignID, ordinals: released)
            try await sql.raw("""
                UPDATE campaigns SET last_error = \(bind: String(error.prefix(500))), updated_at = \(bind: StoredTime.millis(now))
                WHERE corp_id = \(bind: corpID) AND campaign_id = \(bind: campaignID)
                """).run()
            try await Self.setState(on: sql, corpID: corpID, campaignID: campaignID, .sending, now: now, onlyFrom: [.scheduled])
        }
    }

    /// Outcomes from `get_groupmsg_send_result` for one task that the member sent: delivered
    /// touches move to the real send time; the rest are released.
    public func recordResults(
        corpID: String, campaignID: String, msgID: String,
        outcomes: [(recipient: String, state: RecipientState, reason: RecipientReason, sentAt: Date?)], taskState: CampaignTaskState, now: Date
    ) async throws {
        try await database.write { sql in
            try await Self.lock(on: sql, corpID: corpID)
            let byRecipient = Dictionary(outcomes.map { ($0.recipient, $0) }, uniquingKeysWith: { first, _ in first })
            var released: [Int64] = []
            var deliveredAt: [Date: [Int64]] = [:]
            var delivered: [String] = []
            for var chunk in try await Self.taskChunks(on: sql, corpID: corpID, campaignID: campaignID, msgID: msgID) {
                for index in chunk.recipients.indices {
                    guard let outcome = byRecipient[chunk.recipients[index]] else { continue }
                    if chunk.states[index] == .submitted { (chunk.states[index], chunk.reasons[index]) = (outcome.state, outcome.reason) }
                    if outcome.state == .delivered {
                        delivered.append(outcome.recipient)
                        if let sentAt = outcome.sentAt { deliveredAt[sentAt, default: []].append(chunk.ordinals[index]) }
                    } else {
                        released.append(chunk.ordinals[index])
                    }
                }
                chunk.updatedAt = now
                try await chunk.write(on: sql, corpID: corpID, campaignID: campaignID)
            }
            try await Self.release(on: sql, corpID: corpID, campaignID: campaignID, ordinals: released)
            try await LedgerSets.move(on: sql, corpID: corpID, campaignID: campaignID, deliveredAt.mapValues { OrdinalSet($0.filter { $0 > 0 }) })
            try await sql.raw("""
                UPDATE campaign_tasks SET state = \(bind: taskState.rawValue), updated_at = \(bind: StoredTime.millis(now))
                WHERE corp_id = \(bind: corpID) AND campaign_id = \(bind: campaignID) AND msgid = \(bind: msgID)
                """).run()
            // Deliveries move `last_contact`, a segment fact.
            if !delivered.isEmpty { try await SegmentStore.bumpRevision(on: sql, corpID: corpID, customers: delivered) }
        }
    }

    /// Ends a task the member never sent (after the deadline, or on cancel): its still-submitted
    /// recipients get `state`/`reason` and their reservations are released.
    public func closeTask(corpID: String, campaignID: String, msgID: String, taskState: CampaignTaskState, state: RecipientState, reason: RecipientReason, now: Date) async throws {
        try await database.write { sql in
            try await Self.lock(on: sql, corpID: corpID)
            var released: [Int64] = []
            for var chunk in try await Self.taskChunks(on: sql, corpID: corpID, campaignID: campaignID, msgID: msgID) {
                let pending = chunk.states.indices.filter { chunk.states[$0] == .submitted }
                guard !pending.isEmpty else { continue }
                for index in pending {
                    (chunk.states[index], chunk.reasons[index]) = (state, reason)
                    released.append(chunk.ordinals[index])
                }
                chunk.updatedAt = now
                try await chunk.write(on: sql, corpID: corpID, campaignID: campaignID)
            }
            try await Self.release(on: sql, corpID: corpID, campaignID: campaignID, ordinals: released)
            try await sql.raw("""
                UPDATE campaign_tasks SET state = \(bind: taskState.rawValue), updated_at = \(bind: StoredTime.millis(now))
                WHERE corp_id = \(bind: corpID) AND campaign_id = \(bind: campaignID) AND msgid = \(bind: msgID)
                """).run()
        }
    }

    /// Cancels what has not gone out: planned and held recipients, and the campaign itself (a
    /// campaign still planning is cancelled before it reserves anything). Tasks still with members
    /// are closed by the caller (after `cancel_groupmsg_send`).
    public func cancelUnsent(corpID: String, campaignID: String, actor: String, now: Date) async throws -> Bool {
        try await database.write { sql in
            try await Self.lock(on: sql, corpID: corpID)
            guard let current = try await sql.raw("SELECT state FROM campaigns WHERE corp_id = \(bind: corpID) AND campaign_id = \(bind: campaignID)").first()?
                .decodeStored(column: "state", as: CampaignState.self) else { throw StoreError(.notFound, "no campaign \(campaignID)") }
            guard current == .planning || current == .scheduled || current == .sending else { return false }
            var released: [Int64] = []
            for var chunk in try await Self.unsentChunks(on: sql, corpID: corpID, campaignID: campaignID, sender: nil, containing: nil) {
                for index in chunk.states.indices where chunk.states[index] == .planned || chunk.states[index] == .held {
                    (chunk.states[index], chunk.reasons[index]) = (.cancelled, .cancelled)
                    released.append(chunk.ordinals[index])
                }
                chunk.updatedAt = now
                try await chunk.write(on: sql, corpID: corpID, campaignID: campaignID)
            }
            try await Self.release(on: sql, corpID: corpID, campaignID: campaignID, ordinals: released)
            try await Self.setState(on: sql, corpID: corpID, campaignID: campaignID, .cancelled, now: now, onlyFrom: [.planning, .scheduled, .sending])
            try await AuditLog.append(on: sql, corpID: corpID, actor: actor, action: "campaign.cancel", target: campaignID, detail: [:], now: now)
            return true
        }
    }

    /// Records a reminder if the task may have one more now (``CampaignTask/mayRemind(now:)``);
    /// returns whether it may go out.
    public func recordReminder(corpID: String, campaignID: String, msgID: String, now: Date) async throws -> Bool {
        try await database.write { sql in
            guard let task = try await Self.tasks(on: sql, corpID: corpID, campaignID: campaignID).first(where: { $0.msgID == msgID }),
                  task.mayRemind(now: now) else { return false }
            let kept = (task.recentReminders(now: now) + [now]).map(StoredTime.millis)
            try await sql.raw("""
                UPDATE campaign_tasks SET reminders = \(bind: try Self.json(kept)), updated_at = \(bind: StoredTime.millis(now))
                WHERE corp_id = \(bind: corpID) AND campaign_id = \(bind: campaignID) AND msgid = \(bind: msgID)
                """).run()
            return true
        }
    }

    /// Marks the campaign finished when no recipient and no task is on its way; returns the state.
    public func finishIfDone(corpID: String, campaignID: String, now: Date) async throws -> CampaignState? {
        try await database.write { sql in
            let open = try await sql.raw("""
                SELECT
                  (SELECT CAST(COALESCE(SUM(open), 0) AS BIGINT) FROM campaign_chunks WHERE corp_id = \(bind: corpID) AND campaign_id = \(bind: campaignID)) AS recipients,
                  (SELECT COUNT(*) FROM campaign_tasks WHERE corp_id = \(bind: corpID) AND campaign_id = \(bind: campaignID) AND state = 'pending') AS tasks
                """).first()
            let openRecipients = try open?.decode(column: "recipients", as: Int64.self) ?? 0
            let openTasks = try open?.decode(column: "tasks", as: Int64.self) ?? 0
            if openRecipients == 0 && openTasks == 0 {
                try await Self.setState(on: sql, corpID: corpID, campaignID: campaignID, .finished, now: now, onlyFrom: [.scheduled, .sending])
            }
            return try await sql.raw("SELECT state FROM campaigns WHERE corp_id = \(bind: corpID) AND campaign_id = \(bind: campaignID)").first()
                .map { try $0.decodeStored(column: "state", as: CampaignState.self) }
        }
    }

    /// Moments: the platform job that publishes the post, then its outcome.
    public func recordMoment(corpID: String, campaignID: String, jobID: String?, momentID: String?, error: String?, finished: Bool, now: Date) async throws {
        try await database.write { sql in
            try await sql.raw("""
                UPDATE campaigns SET moment_job_id = COALESCE(\(bind: jobID), moment_job_id), moment_id = COALESCE(\(bind: momentID), moment_id),
                  last_error = COALESCE(\(bind: error), last_error), updated_at = \(bind: StoredTime.millis(now))
                WHERE corp_id = \(bind: corpID) AND campaign_id = \(bind: campaignID)
                """).run()
            try await Self.setState(on: sql, corpID: corpID, campaignID: campaignID, finished ? .finished : .sending, now: now, onlyFrom: [.scheduled, .sending])
        }
    }

    // MARK: Helpers

    /// Chunks and ledger sets are rewritten whole: every change to them holds the corp's budget lock.
    private static func lock(on sql: any SQLDatabase, corpID: String) async throws {
        if let lock = sql.flavor.contactBudgetLock(corpID: corpID) { try await sql.raw(lock).run() }
    }

    /// Chunks still to go out (of one sender, and overlapping `containing`'s key range, when given).
    private static func unsentChunks(on sql: any SQLDatabase, corpID: String, campaignID: String, sender: String?, containing: [String]?) async throws -> [RecipientChunk] {
        var query = SQLQueryString("""
            SELECT \(chunkColumns) FROM campaign_chunks WHERE corp_id = \(bind: corpID) AND campaign_id = \(bind: campaignID) AND due_state IS NOT NULL
            """)
        if let sender { query = query + " AND sender = \(bind: sender)" }
        if let containing, let low = containing.min(), let high = containing.max() {
            query = query + " AND first_recipient <= \(bind: high) AND last_recipient >= \(bind: low)"
        }
        return try await sql.raw(query + " ORDER BY chunk").all().map(RecipientChunk.init(row:))
    }

    /// The chunks that went out as one platform task.
    private static func taskChunks(on sql: any SQLDatabase, corpID: String, campaignID: String, msgID: String) async throws -> [RecipientChunk] {
        try await sql.raw("""
            SELECT \(chunkColumns) FROM campaign_chunks WHERE corp_id = \(bind: corpID) AND campaign_id = \(bind: campaignID) AND msgid = \(bind: msgID) ORDER BY chunk
            """).all().map(RecipientChunk.init(row:))
    }

    /// Gives back the reservations of recipients (by ordinal) that will not receive this campaign.
    private static func release(on sql: any SQLDatabase, corpID: String, campaignID: String, ordinals: [Int64]) async throws {
        try await LedgerSets.remove(on: sql, corpID: corpID, campaignID: campaignID, members: OrdinalSet(ordinals.filter { $0 > 0 }))
    }

    private static func setState(
        on sql: any SQLDatabase, corpID: String, campaignID: String, _ state: CampaignState, now: Date, onlyFrom: [CampaignState]
    ) async throws {
        let from: [any Encodable & Sendable] = onlyFrom.map(\.rawValue)
        let finished: Int64? = state == .finished || state == .cancelled ? StoredTime.millis(now) : nil
        try await sql.raw("""
            UPDATE campaigns SET state = \(bind: state.rawValue), updated_at = \(bind: StoredTime.millis(now)), finished_at = COALESCE(\(bind: finished), finished_at)
            WHERE corp_id = \(bind: corpID) AND campaign_id = \(bind: campaignID) AND state IN (\(binds: from))
            """).run()
    }

    private static func campaign(_ row: any SQLRow) throws -> Campaign {
        let decoder = JSONDecoder()
        return Campaign(
            campaignID: try row.decode(column: "campaign_id", as: String.self), name: try row.decode(column: "name", as: String.self),
            kind: try row.decodeStored(column: "kind", as: CampaignKind.self),
            audience: try decoder.decode(CampaignAudience.self, from: Data(try row.decode(column: "audience", as: String.self).utf8)),
            content: try decoder.decode(CampaignContent.self, from: Data(try row.decode(column: "content", as: String.self).utf8)),
            state: try row.decodeStored(column: "state", as: CampaignState.self),
            sendAt: StoredTime.date(try row.decode(column: "send_at", as: Int64.self)), deadlineAt: StoredTime.date(try row.decode(column: "deadline_at", as: Int64.self)),
            createdBy: try row.decode(column: "created_by", as: String.self), createdAt: StoredTime.date(try row.decode(column: "created_at", as: Int64.self)),
            updatedAt: StoredTime.date(try row.decode(column: "updated_at", as: Int64.self)),
            finishedAt: try row.decode(column: "finished_at", as: Int64?.self).map(StoredTime.date),
            momentJobID: try row.decode(column: "moment_job_id", as: String?.self), momentID: try row.decode(column: "moment_id", as: String?.self),
            lastError: try row.decode(column: "last_error", as: String?.self),
            planning: try row.decode(column: "plan_progress", as: Int64?.self).map {
                Campaign.Planning(progress: Double($0) / 1000, recipients: try row.decode(column: "plan_recipients", as: Int64?.self).map(Int.init))
            }
        )
    }

    private static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
