import Foundation

/// What a campaign sends and to whom: a mass message to customers (群发给客户), a mass message
/// to customer groups (群发到客户群), or a post on the members' moments (客户朋友圈).
public enum CampaignKind: String, Codable, Sendable, CaseIterable {
    case message
    case groupMessage = "group_message"
    case moment

    /// The contact-budget channel a delivery of this kind spends.
    public var touchChannel: TouchChannel {
        switch self {
        case .message: .massMessage
        case .groupMessage: .groupMassMessage
        case .moment: .moment
        }
    }

    /// Recipients per `add_msg_template` call: the platform's limits (moments have no per-recipient task).
    public var recipientsPerTask: Int {
        switch self {
        case .message: 10_000
        case .groupMessage: 2000
        case .moment: 0
        }
    }
}

/// Where a campaign is in its life.
public enum CampaignState: String, Codable, Sendable, CaseIterable {
    /// Accepted; its audience is being resolved and planned against the contact budget in a job.
    case planning
    /// Planned and reserved; waiting for its send time.
    case scheduled
    /// Tasks are out with the members; results are being collected.
    case sending
    /// Every recipient has a final state.
    case finished
    /// Cancelled; what had already gone out stays delivered.
    case cancelled
}

/// Where one recipient (a customer, or a group for group campaigns) is.
///
/// `planned`, `held` and `submitted` are on the way; the rest are final.
public enum RecipientState: String, Codable, Sendable, CaseIterable, CodingKeyRepresentable {
    /// Budget reserved; the task is created at the campaign's send time.
    case planned
    /// Budget reserved for the end of quiet hours; the task is created then.
    case held
    /// In a member's task on the platform, waiting for the member to send it.
    case submitted
    /// The platform delivered it.
    case delivered
    /// Not delivered; `reason` says why.
    case failed
    /// Left out by the contact budget (or no member to send it); `reason` says why.
    case skipped
    /// The campaign was cancelled before it went out.
    case cancelled

    public var isFinal: Bool {
        switch self {
        case .planned, .held, .submitted: false
        case .delivered, .failed, .skipped, .cancelled: true
        }
    }

    /// The state's code in a packed recipient chunk; stored, so never renumber one.
    public var code: UInt8 {
        switch self {
        case .planned: 1
        case .held: 2
        case .submitted: 3
        case .delivered: 4
        case .failed: 5
        case .skipped: 6
        case .cancelled: 7
        }
    }

    /// The state a packed code stands for, or nil for a code this build does not know.
    public init?(code: UInt8) {
        guard let state = Self.allCases.first(where: { $0.code == code }) else { return nil }
        self = state
    }
}

/// Why a recipient ended where it did. Budget holds and skips keep ``ContactBudget``'s names.
///
/// Stored as its raw value; a stored value no case knows is a migration bug, never a default.
public enum RecipientReason: String, Codable, Sendable, CaseIterable, CodingKeyRepresentable {
    case sent
    case quietHours = "quiet_hours"
    /// The customer has no active relation with any member, so nobody can send.
    case noMember = "no_member"
    case optedOut = "opted_out"
    case platformCap = "platform_cap"
    case brandCap = "brand_cap"
    case duplicateRecipient = "duplicate_recipient"
    /// `add_msg_template` returned the recipient in `fail_list`.
    case rejected = "rejected_by_platform"
    /// `get_groupmsg_send_result` status 2: no longer the member's customer (or the group is gone).
    case notFriend = "not_friend"
    /// `get_groupmsg_send_result` status 3: the platform's receive limit was already reached.
    case platformLimit = "platform_limit"
    /// The member sent the task but left this recipient out (`get_groupmsg_send_result` status 0).
    case notSelected = "not_selected_by_sender"
    /// The member did not send before the campaign's deadline; the task was cancelled.
    case senderDidNotSend = "sender_did_not_send"
    /// The platform refused the task (the error is in the campaign's events).
    case apiError = "api_error"
    case cancelled

    public init(_ hold: ContactBudget.HoldReason) {
        switch hold {
        case .quietHours: self = .quietHours
        }
    }

    public init(_ skip: ContactBudget.SkipReason) {
        switch skip {
        case .optedOut: self = .optedOut
        case .platformCap: self = .platformCap
        case .brandCap: self = .brandCap
        case .duplicateRecipient: self = .duplicateRecipient
        }
    }

    /// The reason's code in a packed recipient chunk; stored, so never renumber one.
    public var code: UInt8 {
        switch self {
        case .sent: 1
        case .quietHours: 2
        case .noMember: 3
        case .optedOut: 4
        case .platformCap: 5
        case .brandCap: 6
        case .duplicateRecipient: 7
        case .rejected: 8
        case .notFriend: 9
        case .platformLimit: 10
        case .notSelected: 11
        case .senderDidNotSend: 12
        case .apiError: 13
        case .cancelled: 14
        }
    }

    /// The reason a packed code stands for, or nil for a code this build does not know.
    public init?(code: UInt8) {
        guard let reason = Self.allCases.first(where: { $0.code == code }) else { return nil }
        self = reason
    }

    /// The final state and reason for a `get_groupmsg_send_result` status, or nil while unsent.
    public static func outcome(platformStatus: Int) -> (RecipientState, RecipientReason)? {
        switch platformStatus {
        case 1: (.delivered, .sent)
        case 2: (.failed, .notFriend)
        case 3: (.failed, .platformLimit)
        default: nil
        }
    }
}

/// Where one platform task (`add_msg_template`'s `msgid` for one sender) is.
public enum CampaignTaskState: String, Codable, Sendable, CaseIterable {
    /// With the member, not sent yet.
    case pending
    /// The member sent it; its results are recorded.
    case sent
    /// The deadline passed before the member sent it.
    case expired
    /// The campaign was cancelled before the member sent it.
    case cancelled
}

/// What one reminder (`remind_groupmsg_send`) for a member's unsent task did.
public enum ReminderOutcome: Sendable, Equatable {
    case reminded
    /// The task already had ``CampaignTask/remindersPerWindow`` reminders in the window.
    case limitReached
    /// The platform refused; its errcode and message.
    case refused(errcode: Int, message: String)

    /// The short name the API and console use: `reminded`, `limit_reached`, `refused`.
    public var code: String {
        switch self {
        case .reminded: "reminded"
        case .limitReached: "limit_reached"
        case .refused: "refused"
        }
    }

    /// The API's text: the code, and the platform's message after a refusal (`refused: …`).
    public var text: String {
        if case .refused(_, let message) = self { return "refused: \(message)" }
        return code
    }
}

/// A campaign's content: text plus up to 9 attachments, in WeCom's attachment JSON.
public struct CampaignContent: Codable, Sendable, Equatable {
    public static let maxAttachments = 9
    public static let maxTextBytes = 4000

    public var text: String?
    /// Attachments as WeCom takes them (`msgtype` + `image` / `link` / `miniprogram` / `video` / `file`).
    public var attachments: [CampaignAttachment]

    public init(text: String?, attachments: [CampaignAttachment] = []) {
        self.text = text
        self.attachments = attachments
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        text = try c.decodeIfPresent(String.self, forKey: .text)
        attachments = try c.decodeIfPresent([CampaignAttachment].self, forKey: .attachments) ?? []
    }

    public func validate() throws(ValidationError) {
        let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard !trimmed.isEmpty || !attachments.isEmpty else {
            throw ValidationError(field: "text", message: "a campaign needs text or at least one attachment")
        }
        if let text, text.utf8.count > Self.maxTextBytes {
            throw ValidationError(field: "text", message: "text is at most \(Self.maxTextBytes) bytes (UTF-8); this one has \(text.utf8.count)")
        }
        guard attachments.count <= Self.maxAttachments else {
            throw ValidationError(field: "attachments", message: "at most \(Self.maxAttachments) attachments; got \(attachments.count)")
        }
        for (index, attachment) in attachments.enumerated() {
            try attachment.validate(field: "attachments[\(index)]")
        }
    }
}

/// One attachment: its `msgtype` and the object WeCom expects under that name, kept as JSON.
public struct CampaignAttachment: Codable, Sendable, Equatable {
    public static let types: Set<String> = ["image", "link", "miniprogram", "video", "file"]

    public var msgType: String
    /// The object under the `msgtype` key, exactly as given (e.g. `{"media_id": "…"}`).
    public var body: [String: String]

    public init(msgType: String, body: [String: String]) {
        self.msgType = msgType
        self.body = body
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        msgType = try c.decode(String.self, forKey: AnyCodingKey("msgtype"))
        body = try c.decodeIfPresent([String: String].self, forKey: AnyCodingKey(msgType)) ?? [:]
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        try c.encode(msgType, forKey: AnyCodingKey("msgtype"))
        try c.encode(body, forKey: AnyCodingKey(msgType))
    }

    func validate(field: String) throws(ValidationError) {
        guard Self.types.contains(msgType) else {
            throw ValidationError(field: field, message: "msgtype must be one of \(Self.types.sorted().joined(separator: ", ")); got \(msgType)")
        }
        let required: [String] = switch msgType {
        case "link": ["title", "url"]
        case "miniprogram": ["title", "appid", "page"]
        case "image": body["pic_url"] != nil ? ["pic_url"] : ["media_id"]
        default: ["media_id"]
        }
        for key in required where (body[key] ?? "").isEmpty {
            throw ValidationError(field: "\(field).\(msgType).\(key)", message: "\(msgType) attachments need \(key)")
        }
    }
}

/// Who a campaign is for.
public struct CampaignAudience: Codable, Sendable, Equatable {
    /// Customers matching a segment expression (message campaigns).
    public var segment: String?
    /// Groups, by chat id (group campaigns).
    public var chatIDs: [String]?
    /// Every group owned by these members (group campaigns), or the members who post (moments).
    public var members: [String]?
    /// Moments: only customers with any of these tags see the post.
    public var tagIDs: [String]?

    public init(segment: String? = nil, chatIDs: [String]? = nil, members: [String]? = nil, tagIDs: [String]? = nil) {
        self.segment = segment
        self.chatIDs = chatIDs
        self.members = members
        self.tagIDs = tagIDs
    }

    enum CodingKeys: String, CodingKey { case segment, chatIDs = "chat_ids", members, tagIDs = "tag_ids" }

    public func validate(for kind: CampaignKind) throws(ValidationError) {
        switch kind {
        case .message:
            guard let segment, !segment.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ValidationError(field: "audience.segment", message: "a message campaign needs a segment expression (for example: all)")
            }
        case .groupMessage:
            guard !(chatIDs ?? []).isEmpty || !(members ?? []).isEmpty else {
                throw ValidationError(field: "audience", message: "a group campaign needs chat_ids or members (whose groups receive it)")
            }
        case .moment:
            break  // no members means every member may post it
        }
    }
}
