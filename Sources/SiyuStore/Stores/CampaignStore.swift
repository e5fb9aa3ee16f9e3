import Foundation
import SQLKit
import SiyuCore

/// Campaigns, their platform tasks and every recipient's state.
///
/// Planning reserves the contact budget: inside one transaction, serialised per corp, a campaign's
/// recipients are planned against the ledger and every send or hold is written to
/// `contact_touches` with the campaign's id. A reservation that does not end in a delivery is
/// released (deleted), so the ledger holds what reached people plus what is still on its way.
public struct CampaignStore: Sendable {
    let database: SiyuDatabase
    let contacts: ContactStore

    public static let dispatchJobKind = "campaign.dispatch"
    public static let pollJobKind = "campaign.poll"

    // MARK: Creating (and reserving the budget)

    /// Stores a new campaign and its plan: inside one transaction, serialised per corp, the
    /// targets are planned against the ledger (``CampaignPlan``), every recipient row and
    /// reservation is written, and the dispatch is queued for the send time and each hold's end.
    public func create(corpID: String, _ campaign: Campaign, targets: [CampaignTarget], now: Date) async throws -> CampaignPlan {
        let policy = try await contacts.policy(corpID: corpID)
        return try await database.write { sql in
            if let lock = sql.flavor.contactBudgetLock(corpID: corpID) { try await sql.raw(lock).run() }
            try await sql.raw("""
                INSERT INTO campaigns (corp_id, campaign_id, name, kind, audience, content, state, send_at, deadline_at, created_by, created_at, updated_at)
                VALUES (\(bind: corpID), \(bind: campaign.campaignID), \(bind: campaign.name), \(bind: campaign.kind.rawValue), \(bind: try Self.json(campaign.audience)),
                        \(bind: try Self.json(campaign.content)), \(bind: campaign.state.rawValue), \(bind: StoredTime.millis(campaign.sendAt)),
                        \(bind: StoredTime.millis(campaign.deadlineAt)), \(bind: campaign.createdBy), \(bind: StoredTime.millis(now)), \(bind: StoredTime.millis(now)))
                """).run()
            let plan = try await Self.plan(on: sql, corpID: corpID, campaignID: campaign.campaignID, kind: campaign.kind, sendAt: campaign.sendAt, targets: targets, policy: policy)
            try await Self.persist(plan, on: sql, corpID: corpID, campaignID: campaign.campaignID, now: now)
            for runAfter in [campaign.sendAt] + plan.holdTimes {
                try await JobQueue.enqueue(
                    on: sql, kind: Self.dispatchJobKind, payload: campaign.campaignID, corpID: corpID, runAfter: max(runAfter, now), maxAttempts: 5, now: now
                )
            }
            try await AuditLog.append(
                on: sql, corpID: corpID, actor: campaign.createdBy, action: "campaign.create", target: campaign.campaignID,
                detail: ["name": campaign.name, "kind": campaign.kind.rawValue, "recipients": String(plan.rows.count)], now: now
            )
            return plan
        }
    }

    /// What creating a campaign with these targets would plan now, reserving nothing: the same
    /// planning as ``create(corpID:_:targets:now:)`` on a read.
    public func plan(corpID: String, kind: CampaignKind, sendAt: Date, targets: [CampaignTarget], channel: TouchChannel? = nil) async throws -> CampaignPlan {
        let policy = try await contacts.policy(corpID: corpID)
        return try await database.read { sql in
            try await Self.plan(on: sql, corpID: corpID, campaignID: "preview", kind: kind, sendAt: sendAt, targets: targets, policy: policy, channel: channel)
        }
    }

    /// Message campaigns send to customers: their tags (for opt-outs) and the member closest to
    /// each come from the store. Group targets arrive with their owners.
    private static func plan(
        on sql: any SQLDatabase, corpID: String, campaignID: String, kind: CampaignKind, sendAt: Date, targets: [CampaignTarget], policy: ContactPolicy,
        channel: TouchChannel? = nil
    ) async throws -> CampaignPlan {
        var resolved = targets
        if kind == .message {
            resolved = try await ContactStore.audience(on: sql, corpID: corpID, externalUserIDs: targets.map(\.recipient.externalUserID))
                .map { CampaignTarget(recipient: $0.recipient, sender: $0.sender) }
        }
        var ledger = try await ContactStore.ledger(on: sql, corpID: corpID, since: CampaignPlan.ledgerStart(for: policy, at: sendAt))
        return CampaignPlan(campaignID: campaignID, kind: kind, sendAt: sendAt, targets: resolved, policy: policy, ledger: &ledger, channel: channel)
    }

    private static func persist(_ plan: CampaignPlan, on sql: any SQLDatabase, corpID: String, campaignID: String, now: Date) async throws {
        for chunk in sql.bindChunks(plan.rows, bindsPerItem: 8) {
            let values = chunk.map { row -> SQLQueryString in
                "(\(bind: corpID), \(bind: campaignID), \(bind: row.recipient), \(bind: row.sender), \(bind: row.state.rawValue), \(bind: row.reason.rawValue), \(bind: row.sendAt.map(StoredTime.millis)), \(bind: StoredTime.millis(now)))"
            }.joined(separator: ", ")
            try await sql.raw("""
                INSERT INTO campaign_recipients (corp_id, campaign_id, recipient, sender, state, reason, send_at, updated_at) VALUES \(values)
                """).run()
        }
        try await ContactStore.record(on: sql, corpID: corpID, touches: plan.touches.map { ($0.externalUserID, $0.channel, $0.at, $0.campaignID) })
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
            try await sql.raw("""
                SELECT sender, state, reason, COUNT(*) AS n FROM campaign_recipients
                WHERE corp_id = \(bind: corpID) AND campaign_id = \(bind: campaignID) GROUP BY sender, state, reason
                """).all().map { row in
                (try row.decode(column: "sender", as: String?.self), try row.decodeStored(column: "state", as: RecipientState.self),
                 try row.decodeStored(column: "reason", as: RecipientReason.self), Int(try row.decode(column: "n", as: Int64.self)))
            }
        }
    }

    /// Recipients in key order after `after`, optionally of one state.
    public func recipients(corpID: String, campaignID: String, state: RecipientState? = nil, after: String? = nil, limit: Int) async throws -> [CampaignRecipient] {
        try await database.read { sql in
            var query = SQLQueryString("SELECT * FROM campaign_recipients WHERE corp_id = \(bind: corpID) AND campaign_id = \(bind: campaignID)")
            if let state { query = query + " AND state = \(bind: state.rawValue)" }
            if let after { query = query + " AND recipient > \(bind: after)" }
            query = query + " ORDER BY recipient LIMIT \(bind: limit)"
            return try await sql.raw(query).all().map(Self.recipient)
        }
    }

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
                SELECT c.campaign_id, c.name, c.state, c.send_at, COUNT(r.recipient) AS recipients,
                       COALESCE(SUM(CASE WHEN r.state = 'delivered' THEN 1 ELSE 0 END), 0) AS reached
                FROM campaigns c LEFT JOIN campaign_recipients r ON r.corp_id = c.corp_id AND r.campaign_id = c.campaign_id
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

    /// Recipients whose time has come (planned, or held until `now` or earlier), grouped by sender.
    public func due(corpID: String, campaignID: String, now: Date) async throws -> [String: [String]] {
        try await database.read { sql in
            var bySender: [String: [String]] = [:]
            for row in try await sql.raw("""
                SELECT recipient, sender FROM campaign_recipients
                WHERE corp_id = \(bind: corpID) AND campaign_id = \(bind: campaignID)
                  AND (state = 'planned' OR (state = 'held' AND send_at <= \(bind: StoredTime.millis(now))))
                ORDER BY sender, recipient
                """).all() {
                guard let sender = try row.decode(column: "sender", as: String?.self) else { continue }
                bySender[sender, default: []].append(try row.decode(column: "recipient", as: String.self))
            }
            return bySender
        }
    }

    /// The earliest time a held recipient waits for, if any still waits.
    public func nextHold(corpID: String, campaignID: String) async throws -> Date? {
        try await database.read { sql in
            try await sql.raw("""
                SELECT MIN(send_at) AS next FROM campaign_recipients WHERE corp_id = \(bind: corpID) AND campaign_id = \(bind: campaignID) AND state = 'held'
                """).first()?.decode(column: "next", as: Int64?.self).map(StoredTime.date)
        }
    }

    /// Records one platform task: its recipients are submitted, those in `failList` failed.
    public func recordTask(
        corpID: String, campaignID: String, msgID: String, sender: String, recipients: [String], failList: [String], now: Date
    ) async throws {
        let failed = Set(failList)
        let submitted = recipients.filter { !failed.contains($0) }
        try await database.write { sql in
            try await sql.raw("""
                INSERT INTO campaign_tasks (corp_id, campaign_id, msgid, sender, recipients, state, created_at, updated_at)
                VALUES (\(bind: corpID), \(bind: campaignID), \(bind: msgID), \(bind: sender), \(bind: Int64(submitted.count)), 'pending', \(bind: StoredTime.millis(now)), \(bind: StoredTime.millis(now)))
                """).run()
            try await Self.set(on: sql, corpID: corpID, campaignID: campaignID, recipients: submitted, state: .submitted, reason: .sent, msgID: msgID, now: now)
            try await Self.set(on: sql, corpID: corpID, campaignID: campaignID, recipients: Array(failed), state: .failed, reason: .rejected, msgID: msgID, now: now)
            try await Self.release(on: sql, corpID: corpID, campaignID: campaignID, recipients: Array(failed))
            try await Self.setState(on: sql, corpID: corpID, campaignID: campaignID, .sending, now: now, onlyFrom: [.scheduled])
        }
    }

    /// The platform refused a task outright: its recipients fail with `api_error`.
    public func recordTaskError(corpID: String, campaignID: String, recipients: [String], error: String, now: Date) async throws {
        try await database.write { sql in
            try await Self.set(on: sql, corpID: corpID, campaignID: campaignID, recipients: recipients, state: .failed, reason: .apiError, msgID: nil, now: now)
            try await Self.release(on: sql, corpID: corpID, campaignID: campaignID, recipients: recipients)
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
            let groups = Dictionary(grouping: outcomes) { "\($0.state.rawValue)\u{1F}\($0.reason.rawValue)" }
            for (_, group) in groups {
                try await Self.set(
                    on: sql, corpID: corpID, campaignID: campaignID, recipients: group.map(\.recipient), state: group[0].state,
                    reason: group[0].reason, msgID: msgID, now: now, onlyPending: true
                )
            }
            try await Self.release(on: sql, corpID: corpID, campaignID: campaignID, recipients: outcomes.filter { $0.state != .delivered }.map(\.recipient))
            for (sentAt, group) in Dictionary(grouping: outcomes.filter { $0.state == .delivered && $0.sentAt != nil }, by: { $0.sentAt! }) {
                for chunk in sql.bindChunks(group) {
                    let binds: [any Encodable & Sendable] = chunk.map(\.recipient)
                    try await sql.raw("""
                        UPDATE contact_touches SET at = \(bind: StoredTime.millis(sentAt))
                        WHERE corp_id = \(bind: corpID) AND campaign_id = \(bind: campaignID) AND external_userid IN (\(binds: binds))
                        """).run()
                }
            }
            try await sql.raw("""
                UPDATE campaign_tasks SET state = \(bind: taskState.rawValue), updated_at = \(bind: StoredTime.millis(now))
                WHERE corp_id = \(bind: corpID) AND campaign_id = \(bind: campaignID) AND msgid = \(bind: msgID)
                """).run()
            // Deliveries move `last_contact`, a segment fact.
            let delivered = outcomes.filter { $0.state == .delivered }.map(\.recipient)
            if !delivered.isEmpty { try await SegmentStore.bumpRevision(on: sql, corpID: corpID, customers: delivered) }
        }
    }

    /// Ends a task the member never sent (after the deadline, or on cancel): its still-submitted
    /// recipients get `state`/`reason` and their reservations are released.
    public func closeTask(corpID: String, campaignID: String, msgID: String, taskState: CampaignTaskState, state: RecipientState, reason: RecipientReason, now: Date) async throws {
        try await database.write { sql in
            let pending = try await sql.raw("""
                SELECT recipient FROM campaign_recipients
                WHERE corp_id = \(bind: corpID) AND campaign_id = \(bind: campaignID) AND msgid = \(bind: msgID) AND state = 'submitted'
                """).all().map { try $0.decode(column: "recipient", as: String.self) }
            try await Self.set(on: sql, corpID: corpID, campaignID: campaignID, recipients: pending, state: state, reason: reason, msgID: msgID, now: now)
            try await Self.release(on: sql, corpID: corpID, campaignID: campaignID, recipients: pending)
            try await sql.raw("""
                UPDATE campaign_tasks SET state = \(bind: taskState.rawValue), updated_at = \(bind: StoredTime.millis(now))
                WHERE corp_id = \(bind: corpID) AND campaign_id = \(bind: campaignID) AND msgid = \(bind: msgID)
                """).run()
        }
    }

    /// Cancels what has not gone out: planned and held recipients, and the campaign itself.
    /// Tasks still with members are closed by the caller (after `cancel_groupmsg_send`).
    public func cancelUnsent(corpID: String, campaignID: String, actor: String, now: Date) async throws -> Bool {
        try await database.write { sql in
            guard let current = try await sql.raw("SELECT state FROM campaigns WHERE corp_id = \(bind: corpID) AND campaign_id = \(bind: campaignID)").first()?
                .decodeStored(column: "state", as: CampaignState.self) else { throw StoreError(.notFound, "no campaign \(campaignID)") }
            guard current == .scheduled || current == .sending else { return false }
            let pending = try await sql.raw("""
                SELECT recipient FROM campaign_recipients
                WHERE corp_id = \(bind: corpID) AND campaign_id = \(bind: campaignID) AND state IN ('planned', 'held')
                """).all().map { try $0.decode(column: "recipient", as: String.self) }
            try await Self.set(on: sql, corpID: corpID, campaignID: campaignID, recipients: pending, state: .cancelled, reason: .cancelled, msgID: nil, now: now)
            try await Self.release(on: sql, corpID: corpID, campaignID: campaignID, recipients: pending)
            try await Self.setState(on: sql, corpID: corpID, campaignID: campaignID, .cancelled, now: now, onlyFrom: [.scheduled, .sending])
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
                  (SELECT COUNT(*) FROM campaign_recipients WHERE corp_id = \(bind: corpID) AND campaign_id = \(bind: campaignID) AND state IN ('planned', 'held', 'submitted')) AS recipients,
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

    private static func set(
        on sql: any SQLDatabase, corpID: String, campaignID: String, recipients: [String], state: RecipientState, reason: RecipientReason,
        msgID: String?, now: Date, onlyPending: Bool = false
    ) async throws {
        for chunk in sql.bindChunks(recipients) {
            let binds: [any Encodable & Sendable] = Array(chunk)
            var query: SQLQueryString = """
                UPDATE campaign_recipients SET state = \(bind: state.rawValue), reason = \(bind: reason.rawValue),
                  msgid = COALESCE(\(bind: msgID), msgid), updated_at = \(bind: StoredTime.millis(now))
                WHERE corp_id = \(bind: corpID) AND campaign_id = \(bind: campaignID) AND recipient IN (\(binds: binds))
                """
            if onlyPending { query = query + " AND state = 'submitted'" }
            try await sql.raw(query).run()
        }
    }

    /// Deletes the reservations of recipients that will not receive this campaign.
    private static func release(on sql: any SQLDatabase, corpID: String, campaignID: String, recipients: [String]) async throws {
        for chunk in sql.bindChunks(recipients) {
            let binds: [any Encodable & Sendable] = Array(chunk)
            try await sql.raw("""
                DELETE FROM contact_touches WHERE corp_id = \(bind: corpID) AND campaign_id = \(bind: campaignID) AND external_userid IN (\(binds: binds))
                """).run()
        }
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
            lastError: try row.decode(column: "last_error", as: String?.self)
        )
    }

    private static func recipient(_ row: any SQLRow) throws -> CampaignRecipient {
        CampaignRecipient(
            recipient: try row.decode(column: "recipient", as: String.self), sender: try row.decode(column: "sender", as: String?.self),
            state: try row.decodeStored(column: "state", as: RecipientState.self),
            reason: try row.decodeStored(column: "reason", as: RecipientReason.self), msgID: try row.decode(column: "msgid", as: String?.self),
            sendAt: try row.decode(column: "send_at", as: Int64?.self).map(StoredTime.date), updatedAt: StoredTime.date(try row.decode(column: "updated_at", as: Int64.self))
        )
    }

    private static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
