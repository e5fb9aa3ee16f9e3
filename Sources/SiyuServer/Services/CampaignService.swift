import Foundation
import Logging
import SiyuCore
import SiyuStore
import WeCom

/// Campaigns from request to final state: resolves the audience, plans it against the contact
/// budget (in the store), creates one platform task per sender and chunk, polls the tasks until
/// every recipient has a final state, and handles reminders and cancellation.
struct CampaignService: Sendable {
    let store: SiyuStore
    let wecom: WeComConnections
    let indexes: SegmentIndexes
    /// Campaign time: when a campaign is due, quiet hours, deadlines (tests align it with the sandbox's clock).
    let time: TimeSource
    let pollInterval: Duration
    let logger: Logger

    // MARK: Creating and previewing

    /// Accepts a campaign: the draft's rules and the references it names are checked now (a bad
    /// body is refused at once); the campaign is stored in `planning` and the planning job
    /// (``plan(corpID:campaignID:)``) resolves its audience and reserves the budget, so the
    /// request takes the same time for ten recipients or a million.
    func create(corpID: String, _ draft: CampaignDraft, actor: String) async throws -> Campaign {
        let now = time()
        let valid = try draft.validate(now: now)
        try await checkReferences(corpID: corpID, valid.audience)
        if valid.kind == .message {
            _ = try SegmentController.checked { try SegmentParser.parse(valid.audience.segment ?? "") }
        }
        let campaign = Campaign(id: "cmp_" + Hex.random(bytes: 8), valid, createdBy: actor, now: now)
        try await store.campaigns.accept(corpID: corpID, campaign, now: now)
        return campaign
    }

    /// What a sender confirms before creating: every problem of the draft at once (its rules,
    /// the ids it names, the segment's syntax, and an audience with no one in it), or else the
    /// preview that creating it now would plan.
    struct Review: Sendable {
        var problems: [any Error]
        var preview: Wire.CampaignPreview?
    }

    func review(corpID: String, _ draft: CampaignDraft) async throws -> Review {
        var problems: [any Error] = draft.problems(now: time())
        let audience = draft.audience
        for (kind, ids, field) in [
            (CorpReferences.Kind.member, audience.members, "audience.members"), (.chat, audience.chatIDs, "audience.chat_ids"), (.tag, audience.tagIDs, "audience.tag_ids"),
        ] {
            do { try await store.references.require(kind, ids ?? [], corpID: corpID, field: field) } catch let error as ValidationError { problems.append(error) }
        }
        if draft.kind == .message, let segment = audience.segment, !segment.isEmpty {
            do { _ = try SegmentController.checked { try SegmentParser.parse(segment) } } catch let refusal as SegmentRefusal { problems.append(refusal) }
        }
        guard problems.isEmpty else { return Review(problems: problems) }
        let preview: Wire.CampaignPreview
        do {
            preview = try await self.preview(corpID: corpID, draft)
        } catch let refusal as SegmentRefusal {
            return Review(problems: [refusal])
        }
        if draft.kind != .moment && preview.summary.audience == 0 {
            let field = draft.kind == .message ? "audience.segment" : "audience.members"
            return Review(problems: [ValidationError(field: field, message: "the audience has no one in it now", rule: "empty")], preview: preview)
        }
        return Review(problems: [], preview: preview)
    }

    /// `campaign.plan`: resolves the audience and records the plan. Restart-safe: the plan is
    /// recorded in one transaction that also moves the campaign out of `planning`, so an attempt
    /// cut off anywhere leaves nothing, and an attempt after a recorded plan does nothing.
    func plan(corpID: String, campaignID: String) async throws {
        guard let campaign = try await store.campaigns.find(corpID: corpID, campaignID: campaignID), campaign.state == .planning else { return }
        try await store.campaigns.setPlanning(corpID: corpID, campaignID: campaignID, Campaign.Planning(progress: 0.05), now: time())
        let targets = try await targets(corpID: corpID, campaign.kind, campaign.audience)
        try await store.campaigns.setPlanning(
            corpID: corpID, campaignID: campaignID, Campaign.Planning(progress: 0.3, recipients: targets.count), now: time()
        )
        guard let summary = try await store.campaigns.record(corpID: corpID, campaignID: campaignID, targets: targets, sendersKnown: true, now: time()) else { return }
        logger.info("campaign planned", metadata: [
            "corp": .string(corpID), "campaign": .string(campaignID), "recipients": .stringConvertible(summary.audience),
            "reserved": .stringConvertible(summary.send + summary.hold.values.reduce(0, +)),
        ])
    }

    /// What creating `draft` now would do: the same rules, targets and plan, reserving nothing.
    func preview(corpID: String, _ draft: CampaignDraft) async throws -> Wire.CampaignPreview {
        let valid = try draft.validate(now: time())
        return try await preview(corpID: corpID, kind: valid.kind, audience: valid.audience, sendAt: valid.sendAt)
    }

    /// A message campaign's audience alone against the budget: the compose page's live count and
    /// the deprecated `{"audience": "<expression>"}` preview, which has no name or content yet.
    func previewAudience(corpID: String, segment: String, channel: TouchChannel? = nil, sendAt: Date?) async throws -> Wire.CampaignPreview {
        let audience = CampaignAudience(segment: segment)
        try audience.validate(for: .message)
        let (sendAt, _) = try CampaignDraft.schedule(sendAt: sendAt, deadlineHours: nil, now: time())
        return try await preview(corpID: corpID, kind: .message, audience: audience, sendAt: sendAt, channel: channel)
    }

    private func preview(corpID: String, kind: CampaignKind, audience: CampaignAudience, sendAt: Date, channel: TouchChannel? = nil) async throws -> Wire.CampaignPreview {
        let targets = try await targets(corpID: corpID, kind, audience)
        let summary = try await store.campaigns.plan(corpID: corpID, kind: kind, sendAt: sendAt, targets: targets, sendersKnown: true, channel: channel)
        let expression = try audience.segment.map { text in try SegmentController.checked { try SegmentParser.parse(text) }.description }
        return Wire.CampaignPreview(summary: summary, expression: kind == .message ? expression : nil)
    }

    /// The members, groups and tags an audience names must be the corp's own.
    private func checkReferences(corpID: String, _ audience: CampaignAudience) async throws {
        try await store.references.require(.member, audience.members ?? [], corpID: corpID, field: "audience.members")
        try await store.references.require(.chat, audience.chatIDs ?? [], corpID: corpID, field: "audience.chat_ids")
        try await store.references.require(.tag, audience.tagIDs ?? [], corpID: corpID, field: "audience.tag_ids")
    }

    /// Who the campaign is for: the segment's customers (the store finds who sends to each), or
    /// groups with their owners (the only member who may send to a group). Moments have no
    /// per-recipient targets. The members, groups and tags named must be the corp's own.
    private func targets(corpID: String, _ kind: CampaignKind, _ audience: CampaignAudience) async throws -> CampaignTargets {
        try await checkReferences(corpID: corpID, audience)
        switch kind {
        case .message:
            let expression = try SegmentController.checked { try SegmentParser.parse(audience.segment ?? "") }
            let built = try await indexes.index(for: corpID)
            // The index keeps each customer's sender and ledger ordinal: a million targets cost no read.
            return built.targets(try SegmentController.checked { try built.index.members(expression, now: time()) })
        case .groupMessage:
            let client = try await wecom.client(for: corpID)
            var targets: [CampaignTarget] = []
            for owner in audience.members ?? [] {
                for group in try await client.allGroupChats(statusFilter: 0, owners: [owner]) {
                    targets.append(CampaignTarget(group.chatID, sender: owner))
                }
            }
            var seen = Set(targets.map(\.recipient.externalUserID))
            for chatID in audience.chatIDs ?? [] where seen.insert(chatID).inserted {
                do {
                    targets.append(CampaignTarget(chatID, sender: try await client.groupChat(chatID, needName: false).owner))
                } catch let error as WeComAPIError where Self.isRefusal(error) {
                    targets.append(CampaignTarget(chatID, sender: nil))  // planned as no_member: nobody can send to it
                }
            }
            return CampaignTargets(targets)
        case .moment:
            return CampaignTargets([])
        }
    }

    // MARK: Dispatching

    /// `campaign.dispatch`: creates the platform tasks for everything that is due.
    func dispatch(corpID: String, campaignID: String) async throws {
        guard let campaign = try await store.campaigns.find(corpID: corpID, campaignID: campaignID) else { return }
        guard campaign.isOpen else { return }
        let now = time()
        if campaign.sendAt > now {
            try await store.jobs.enqueue(
                kind: CampaignStore.dispatchJobKind, payload: campaignID, corpID: corpID, runAfter: campaign.sendAt, maxAttempts: 5, now: now
            )
            return
        }
        let client = try await wecom.client(for: corpID)
        if campaign.kind == .moment {
            if campaign.momentJobID == nil { try await publishMoment(campaign, corpID: corpID, client: client, now: now) }
        } else {
            // Each due chunk is one platform task (chunks hold at most the kind's per-task limit).
            for task in try await store.campaigns.due(corpID: corpID, campaignID: campaignID, now: now) {
                try await submit(campaign, corpID: corpID, sender: task.sender, recipients: task.recipients, client: client)
            }
            // Holds not yet due (this run came early, or they end later): come back for them.
            if let next = try await store.campaigns.nextHold(corpID: corpID, campaignID: campaignID), next > now,
               try await !store.jobs.hasQueued(kind: CampaignStore.dispatchJobKind, corpID: corpID, payload: campaignID) {
                try await store.jobs.enqueue(
                    kind: CampaignStore.dispatchJobKind, payload: campaignID, corpID: corpID, runAfter: next, maxAttempts: 5, now: now
                )
            }
        }
        // One poll chain per campaign: it runs while tasks are with members and stops when none
        // are; a later dispatch (quiet hours ended) starts it again.
        if try await !store.jobs.hasQueued(kind: CampaignStore.pollJobKind, corpID: corpID, payload: campaignID) {
            try await schedulePoll(corpID: corpID, campaignID: campaignID)
        }
    }

    /// One `add_msg_template` call. Platform refusals fail the chunk with a reason; transport
    /// failures and throttling throw so the job retries (what was already submitted is not resent).
    private func submit(_ campaign: Campaign, corpID: String, sender: String, recipients: [String], client: WeComClient) async throws {
        let single = campaign.kind == .message
        let request = AddMsgTemplateRequest(
            chatType: single ? "single" : "group", externalUserID: single ? recipients : nil, chatIDList: single ? nil : recipients,
            sender: sender, text: campaign.content.text.map { TextContent(content: $0) }, attachments: try Self.attachments(campaign.content)
        )
        do {
            let response = try await client.addMessageTemplate(request)
            try await store.campaigns.recordTask(
                corpID: corpID, campaignID: campaign.campaignID, msgID: response.msgID, sender: sender, recipients: recipients,
                failList: response.failList ?? [], now: time()
            )
        } catch let error as WeComAPIError where Self.isRefusal(error) {
            logger.warning("campaign task refused", metadata: ["corp": .string(corpID), "campaign": .string(campaign.campaignID), "error": .string(error.description)])
            try await store.campaigns.recordTaskError(corpID: corpID, campaignID: campaign.campaignID, recipients: recipients, error: error.description, now: time())
        }
    }

    private func publishMoment(_ campaign: Campaign, corpID: String, client: WeComClient, now: Date) async throws {
        let members = campaign.audience.members ?? []
        let tags = campaign.audience.tagIDs ?? []
        let range = members.isEmpty && tags.isEmpty ? nil : VisibleRange(
            senderList: members.isEmpty ? nil : SenderList(userList: members),
            externalContactList: tags.isEmpty ? nil : ExternalContactTagList(tagList: tags)
        )
        do {
            let jobID = try await client.addMomentTask(AddMomentTaskRequest(
                visibleRange: range, text: campaign.content.text.map { TextContent(content: $0) }, attachments: try Self.attachments(campaign.content)
            ))
            try await store.campaigns.recordMoment(corpID: corpID, campaignID: campaign.campaignID, jobID: jobID, momentID: nil, error: nil, finished: false, now: now)
        } catch let error as WeComAPIError where Self.isRefusal(error) {
            try await store.campaigns.recordMoment(corpID: corpID, campaignID: campaign.campaignID, jobID: nil, momentID: nil, error: error.description, finished: true, now: now)
        }
    }

    /// An error that retrying will not fix (as opposed to throttling, tokens and transport).
    static func isRefusal(_ error: WeComAPIError) -> Bool {
        !error.isBusy && !error.isTokenProblem && error.errcode != WeComAPIError.transportFailure && error.errcode != WeComAPIError.badResponse
    }

    /// The campaign's attachments in the platform's model (the same JSON shape).
    static func attachments(_ content: CampaignContent) throws -> [Attachment]? {
        guard !content.attachments.isEmpty else { return nil }
        return try JSONDecoder().decode([Attachment].self, from: JSONEncoder().encode(content.attachments))
    }

    // MARK: Polling

    private func schedulePoll(corpID: String, campaignID: String) async throws {
        let now = time()
        try await store.jobs.enqueue(
            kind: CampaignStore.pollJobKind, payload: campaignID, corpID: corpID,
            runAfter: now.addingTimeInterval(pollInterval.timeInterval), maxAttempts: 10, now: now
        )
    }

    /// `campaign.poll`: collects results of tasks the members sent, expires tasks past the
    /// deadline, finishes the campaign when nothing is on its way, and otherwise polls again.
    func poll(corpID: String, campaignID: String) async throws {
        guard let campaign = try await store.campaigns.find(corpID: corpID, campaignID: campaignID),
              campaign.isOpen else { return }
        let client = try await wecom.client(for: corpID)
        if campaign.kind == .moment {
            guard let jobID = campaign.momentJobID else { return }
            let result = try await client.momentTaskResult(jobID: jobID)
            if result.status == 3 {
                let failed = result.result.flatMap { $0.errcode == 0 || $0.errcode == nil ? nil : "errcode \($0.errcode!), \($0.errmsg ?? "")" }
                try await store.campaigns.recordMoment(
                    corpID: corpID, campaignID: campaignID, jobID: nil, momentID: result.result?.momentID, error: failed, finished: true, now: time()
                )
                return
            }
            return try await schedulePoll(corpID: corpID, campaignID: campaignID)
        }
        for task in try await store.campaigns.tasks(corpID: corpID, campaignID: campaignID) where task.state == .pending {
            try await collect(task, campaign: campaign, corpID: corpID, client: client, expireAt: campaign.deadlineAt)
        }
        let state = try await store.campaigns.finishIfDone(corpID: corpID, campaignID: campaignID, now: time())
        let stillOut = try await store.campaigns.tasks(corpID: corpID, campaignID: campaignID).contains { $0.state == .pending }
        if (state == .sending || state == .scheduled) && stillOut { try await schedulePoll(corpID: corpID, campaignID: campaignID) }
    }

    /// Reads one task's status; records results when the member has sent it, or closes it when
    /// `expireAt` has passed (cancelling it on the platform first so it cannot go out later).
    private func collect(_ task: CampaignTask, campaign: Campaign, corpID: String, client: WeComClient, expireAt: Date?) async throws {
        let status = try await client.groupMessageTasks(msgID: task.msgID).first { $0.userID == task.sender }?.status ?? 0
        if status == 2 {
            let results = try await client.groupMessageResults(msgID: task.msgID, userID: task.sender)
            let outcomes = results.compactMap { result -> (recipient: String, state: RecipientState, reason: RecipientReason, sentAt: Date?)? in
                guard let recipient = result.externalUserID ?? result.chatID else { return nil }
                let (state, reason) = RecipientReason.outcome(platformStatus: result.status) ?? (.failed, .notSelected)
                return (recipient, state, reason, result.sendTime.map { Date(timeIntervalSince1970: TimeInterval($0)) })
            }
            try await store.campaigns.recordResults(
                corpID: corpID, campaignID: campaign.campaignID, msgID: task.msgID, outcomes: outcomes, taskState: .sent, now: time()
            )
            // Anyone the platform did not list is not in the member's sent task either.
            try await store.campaigns.closeTask(
                corpID: corpID, campaignID: campaign.campaignID, msgID: task.msgID, taskState: .sent, state: .failed,
                reason: .notSelected, now: time()
            )
        } else if let expireAt, time() >= expireAt {
            do { try await client.cancelGroupMessage(msgID: task.msgID) } catch let error as WeComAPIError where Self.isRefusal(error) {
                logger.info("cancel of an expired task refused", metadata: ["msgid": .string(task.msgID), "error": .string(error.description)])
            }
            let expired = expireAt == campaign.deadlineAt
            try await store.campaigns.closeTask(
                corpID: corpID, campaignID: campaign.campaignID, msgID: task.msgID, taskState: expired ? .expired : .cancelled,
                state: expired ? .failed : .cancelled, reason: expired ? .senderDidNotSend : .cancelled, now: time()
            )
        }
    }

    // MARK: Cancel and remind

    /// Cancels what has not gone out. Tasks the members already sent keep their results.
    func cancel(corpID: String, campaignID: String, actor: String) async throws -> Bool {
        guard let campaign = try await store.campaigns.find(corpID: corpID, campaignID: campaignID) else {
            throw StoreError(.notFound, "no campaign \(campaignID)")
        }
        guard try await store.campaigns.cancelUnsent(corpID: corpID, campaignID: campaignID, actor: actor, now: time()) else { return false }
        guard campaign.kind != .moment else { return true }
        let client = try await wecom.client(for: corpID)
        for task in try await store.campaigns.tasks(corpID: corpID, campaignID: campaignID) where task.state == .pending {
            do { try await client.cancelGroupMessage(msgID: task.msgID) } catch let error as WeComAPIError where Self.isRefusal(error) {
                logger.info("cancel refused", metadata: ["msgid": .string(task.msgID), "error": .string(error.description)])
            }
            // A member may have sent it just before: collect what went out, cancel the rest.
            try await collect(task, campaign: campaign, corpID: corpID, client: client, expireAt: .distantPast)
        }
        return true
    }

    /// What a reminder round did, per member with an unsent task.
    struct Reminders: Sendable {
        var outcomes: [String: ReminderOutcome]
        /// No member has an unsent task.
        var nothingPending: Bool { outcomes.isEmpty }
        /// Every unsent task already had its reminders for the window.
        var limitReached: Bool { !outcomes.isEmpty && outcomes.values.allSatisfy { $0 == .limitReached } }
    }

    /// Reminds every member whose task is still unsent, within the platform's limit per task.
    func remind(corpID: String, campaignID: String) async throws -> Reminders {
        guard try await store.campaigns.find(corpID: corpID, campaignID: campaignID) != nil else {
            throw StoreError(.notFound, "no campaign \(campaignID)")
        }
        let client = try await wecom.client(for: corpID)
        var outcome: [String: ReminderOutcome] = [:]
        for task in try await store.campaigns.tasks(corpID: corpID, campaignID: campaignID) where task.state == .pending {
            guard try await store.campaigns.recordReminder(corpID: corpID, campaignID: campaignID, msgID: task.msgID, now: time()) else {
                outcome[task.sender] = .limitReached
                continue
            }
            do {
                try await client.remindGroupMessage(msgID: task.msgID)
                outcome[task.sender] = .reminded
            } catch let error as WeComAPIError where Self.isRefusal(error) {
                outcome[task.sender] = .refused(errcode: error.errcode, message: error.errmsg)
            }
        }
        return Reminders(outcomes: outcome)
    }

    // MARK: Reading

    /// A campaign with its results so far.
    struct Summary: Sendable {
        var campaign: Campaign
        var results: CampaignResults
    }

    func results(corpID: String, campaignID: String) async throws -> CampaignResults {
        CampaignResults(tally: try await store.campaigns.tally(corpID: corpID, campaignID: campaignID))
    }

    /// Campaigns newest first with their results; `cursor` is the `next` of the previous page
    /// (milliseconds of the last campaign's creation), nil when this is the last page.
    func page(corpID: String, limit: Int, cursor: String?) async throws -> (items: [Summary], next: String?) {
        let before = try cursor.map { cursor -> Date in
            guard let millis = Int64(cursor) else { throw ValidationError(field: "cursor", message: "cursor is the next_cursor of a previous page") }
            return Date(timeIntervalSince1970: Double(millis) / 1000)
        }
        let page = try await store.campaigns.list(corpID: corpID, limit: limit, before: before)
        var items: [Summary] = []
        for campaign in page { items.append(Summary(campaign: campaign, results: try await results(corpID: corpID, campaignID: campaign.campaignID))) }
        let next = page.count == limit ? page.last.map { String(Int64(($0.createdAt.timeIntervalSince1970 * 1000).rounded())) } : nil
        return (items, next)
    }
}
