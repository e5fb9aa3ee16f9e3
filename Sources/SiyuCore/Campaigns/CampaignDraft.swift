import Foundation

/// A campaign as someone asked for it, before any rule is checked: the one input of creating
/// and of previewing (`POST /api/v1/campaigns` and `/campaigns/preview` take the same body).
public struct CampaignDraft: Sendable, Equatable {
    public static let nameLength = 1...80
    public static let deadlineHours = 1...720
    public static let defaultDeadlineHours = 72

    public var name: String
    public var kind: CampaignKind
    public var audience: CampaignAudience
    public var content: CampaignContent
    /// When to send; now (or a time already past) means at once.
    public var sendAt: Date?
    /// How long members have to send their tasks; 72 hours when absent.
    public var deadlineHours: Int?

    public init(
        name: String, kind: CampaignKind = .message, audience: CampaignAudience, content: CampaignContent,
        sendAt: Date? = nil, deadlineHours: Int? = nil
    ) {
        self.name = name
        self.kind = kind
        self.audience = audience
        self.content = content
        self.sendAt = sendAt
        self.deadlineHours = deadlineHours
    }

    /// Every rule a campaign must meet, in one place: the name, the content and its attachments,
    /// the audience for the kind, and the schedule.
    public func validate(now: Date) throws(ValidationError) -> ValidCampaign {
        if let first = problems(now: now).first { throw first }
        let (sendAt, deadlineAt) = try schedule(now: now)
        return ValidCampaign(
            name: name.trimmingCharacters(in: .whitespacesAndNewlines), kind: kind, audience: audience, content: content, sendAt: sendAt, deadlineAt: deadlineAt
        )
    }

    /// Every rule the draft breaks, one per part (name, content, audience, schedule), so a form
    /// can show them all at once; empty when ``validate(now:)`` succeeds.
    public func problems(now: Date) -> [ValidationError] {
        var found: [ValidationError] = []
        func check(_ rule: () throws -> Void) {
            // Every rule throws only ValidationError.
            do { try rule() } catch let error as ValidationError { found.append(error) } catch {}
        }
        check {
            guard Self.nameLength.contains(name.trimmingCharacters(in: .whitespacesAndNewlines).count) else {
                throw ValidationError(field: "name", message: "a campaign name is \(Self.nameLength.lowerBound) to \(Self.nameLength.upperBound) characters")
            }
        }
        check { try content.validate() }
        check { try audience.validate(for: kind) }
        check { _ = try Self.schedule(sendAt: nil, deadlineHours: deadlineHours, now: now) }
        check { _ = try Self.schedule(sendAt: sendAt, deadlineHours: nil, now: now) }
        return found
    }

    /// How far in the past a send time may be and still mean "now": a form picks whole minutes,
    /// so the current minute is not the past.
    public static let pastSendTimeGrace: TimeInterval = 60

    /// The send time (now when none is given, in whole seconds) and the deadline after it; a
    /// send time in the past is refused, not moved to now.
    public func schedule(now: Date) throws(ValidationError) -> (sendAt: Date, deadlineAt: Date) {
        try Self.schedule(sendAt: sendAt, deadlineHours: deadlineHours, now: now)
    }

    /// The schedule rule alone, for what has a send time but is not yet a whole draft (the
    /// deprecated audience-only preview).
    public static func schedule(sendAt: Date?, deadlineHours: Int?, now: Date) throws(ValidationError) -> (sendAt: Date, deadlineAt: Date) {
        let hours = deadlineHours ?? defaultDeadlineHours
        guard Self.deadlineHours.contains(hours) else {
            throw ValidationError(field: "deadline_hours", message: "deadline_hours is \(Self.deadlineHours.lowerBound) to \(Self.deadlineHours.upperBound)")
        }
        if let sendAt, sendAt < now.addingTimeInterval(-pastSendTimeGrace) {
            throw ValidationError(field: "send_at", message: "send_at is in the past; leave it out to send now", rule: "past")
        }
        let sendAt = Campaign.wholeSeconds(max(sendAt ?? now, now))
        return (sendAt, sendAt.addingTimeInterval(Double(hours) * 3600))
    }
}

/// A draft that met every rule: what the store persists.
public struct ValidCampaign: Sendable, Equatable {
    public let name: String
    public let kind: CampaignKind
    public let audience: CampaignAudience
    public let content: CampaignContent
    public let sendAt: Date
    public let deadlineAt: Date
}

/// A campaign as stored: what it sends, to whom, when, and where it is.
public struct Campaign: Codable, Sendable, Equatable {
    public var campaignID: String
    public var name: String
    public var kind: CampaignKind
    public var audience: CampaignAudience
    public var content: CampaignContent
    public var state: CampaignState
    public var sendAt: Date
    public var deadlineAt: Date
    public var createdBy: String
    public var createdAt: Date
    public var updatedAt: Date
    public var finishedAt: Date?
    public var momentJobID: String?
    public var momentID: String?
    public var lastError: String?
    /// How far planning has come while the campaign is `planning` (and 1 once it is planned).
    public var planning: Planning?

    /// Planning's progress: the share done, and the audience's size once it is known.
    public struct Planning: Codable, Sendable, Equatable {
        /// 0 to 1.
        public var progress: Double
        /// Distinct recipients (or groups) in the audience; nil until the audience is resolved.
        public var recipients: Int?

        public init(progress: Double, recipients: Int? = nil) {
            self.progress = progress
            self.recipients = recipients
        }
    }

    public init(
        campaignID: String, name: String, kind: CampaignKind, audience: CampaignAudience, content: CampaignContent, state: CampaignState,
        sendAt: Date, deadlineAt: Date, createdBy: String, createdAt: Date, updatedAt: Date, finishedAt: Date? = nil,
        momentJobID: String? = nil, momentID: String? = nil, lastError: String? = nil, planning: Planning? = nil
    ) {
        self.campaignID = campaignID
        self.name = name
        self.kind = kind
        self.audience = audience
        self.content = content
        self.state = state
        self.sendAt = sendAt
        self.deadlineAt = deadlineAt
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.finishedAt = finishedAt
        self.momentJobID = momentJobID
        self.momentID = momentID
        self.lastError = lastError
        self.planning = planning
    }

    /// A new campaign from a valid draft: planning, created now by `actor`.
    public init(id: String, _ valid: ValidCampaign, createdBy actor: String, now: Date) {
        self.init(
            campaignID: id, name: valid.name, kind: valid.kind, audience: valid.audience, content: valid.content, state: .planning,
            sendAt: valid.sendAt, deadlineAt: valid.deadlineAt, createdBy: actor, createdAt: now, updatedAt: now,
            planning: Planning(progress: 0)
        )
    }

    /// Still able to change: planning, waiting for its send time, or sending.
    public var isOpen: Bool { state == .planning || state == .scheduled || state == .sending }

    enum CodingKeys: String, CodingKey {
        case campaignID = "campaign_id", name, kind, audience, content, state, sendAt = "send_at", deadlineAt = "deadline_at"
        case createdBy = "created_by", createdAt = "created_at", updatedAt = "updated_at", finishedAt = "finished_at"
        case momentJobID = "moment_job_id", momentID = "moment_id", lastError = "last_error", planning
    }

    /// Campaign times are whole seconds: the platform's `send_time` and the ledger count in seconds.
    public static func wholeSeconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }
}

/// One platform task: a member's `add_msg_template` with its recipients, and its reminders.
public struct CampaignTask: Codable, Sendable, Equatable {
    /// The platform's limit: reminders per task in ``reminderWindow``.
    public static let remindersPerWindow = 3
    public static let reminderWindow: TimeInterval = 24 * 3600

    public var msgID: String
    public var sender: String
    public var recipients: Int
    public var state: CampaignTaskState
    /// Reminders sent (times), oldest first.
    public var reminders: [Date]

    public init(msgID: String, sender: String, recipients: Int, state: CampaignTaskState, reminders: [Date]) {
        self.msgID = msgID
        self.sender = sender
        self.recipients = recipients
        self.state = state
        self.reminders = reminders
    }

    /// Reminders in the window that ends at `now`.
    public func recentReminders(now: Date) -> [Date] {
        reminders.filter { $0 > now.addingTimeInterval(-Self.reminderWindow) }
    }

    /// Whether one more reminder at `now` stays within the platform's limit.
    public func mayRemind(now: Date) -> Bool {
        state == .pending && recentReminders(now: now).count < Self.remindersPerWindow
    }

    enum CodingKeys: String, CodingKey { case msgID = "msgid", sender, recipients, state, reminders }
}

/// One recipient of a campaign (a customer, or a group for group campaigns) and where it is.
public struct CampaignRecipient: Codable, Sendable, Equatable {
    public var recipient: String
    public var sender: String?
    public var state: RecipientState
    public var reason: RecipientReason
    public var msgID: String?
    public var sendAt: Date?
    public var updatedAt: Date

    public init(recipient: String, sender: String?, state: RecipientState, reason: RecipientReason, msgID: String?, sendAt: Date?, updatedAt: Date) {
        self.recipient = recipient
        self.sender = sender
        self.state = state
        self.reason = reason
        self.msgID = msgID
        self.sendAt = sendAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case recipient, sender, state, reason, msgID = "msgid", sendAt = "send_at", updatedAt = "updated_at"
    }
}
