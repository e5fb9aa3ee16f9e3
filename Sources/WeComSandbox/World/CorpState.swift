import Foundation
import SiyuCore
import WeCom

/// How an enterprise is set up in the sandbox: what `gettoken` accepts and where callbacks go.
public struct SandboxCorpConfig: Codable, Sendable, Equatable {
    public var corpID: String
    public var secret: String
    public var token: String
    public var encodingAESKey: String
    public var callbackURL: String?
    public var agentID: String

    enum CodingKeys: String, CodingKey {
        case corpID = "corp_id", secret, token, encodingAESKey = "aes_key", callbackURL = "callback_url", agentID = "agent_id"
    }

    public init(corpID: String, secret: String, token: String, encodingAESKey: String, callbackURL: String? = nil, agentID: String = "1000002") {
        self.corpID = corpID
        self.secret = secret
        self.token = token
        self.encodingAESKey = encodingAESKey
        self.callbackURL = callbackURL
        self.agentID = agentID
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        corpID = try c.decode(String.self, forKey: .corpID)
        secret = try c.decode(String.self, forKey: .secret)
        token = try c.decode(String.self, forKey: .token)
        encodingAESKey = try c.decode(String.self, forKey: .encodingAESKey)
        callbackURL = try c.decodeIfPresent(String.self, forKey: .callbackURL)
        agentID = try c.decodeIfPresent(String.self, forKey: .agentID) ?? "1000002"
    }
}

/// The platform's cap on mass messages a customer or group receives (doc 92135): a versioned rule.
public enum MassMessageRule: String, Codable, Sendable, CaseIterable {
    /// Since 2025-11: at most as many as the month has days.
    case daysInMonth = "days_in_month"
    /// Set by an admin: at most 7 a week.
    case sevenPerWeek = "7_per_week"
    /// Set by an admin: at most 1 a day.
    case onePerDay = "1_per_day"
    /// The older rule: 4 a month.
    case fourPerMonth = "4_per_month"

    /// The platform counts its days in China time.
    static let calendar = BusinessCalendar.platform

    /// Whether one more message at `now` stays within the rule, given earlier receipts (Unix seconds).
    func allows(receipts: [Int], now: Int) -> Bool {
        let time = Int64(now)
        let calendar = Self.calendar
        let window: BusinessCalendar.Window
        let limit: Int
        switch self {
        case .daysInMonth: (window, limit) = calendar.monthWindow(time)
        case .sevenPerWeek: (window, limit) = (calendar.weekWindow(time), 7)
        case .onePerDay: (window, limit) = (calendar.dayWindow(time), 1)
        case .fourPerMonth: (window, limit) = (calendar.monthWindow(time).window, 4)
        }
        return receipts.filter { window.contains(Int64($0)) }.count < limit
    }
}

/// A member's relation with a customer, as the platform keeps it.
struct Relation: Sendable {
    var userID: String
    var remark: String = ""
    var description: String = ""
    var createTime: Int
    var tagIDs: [String] = []
    var addWay: Int
    var state: String?
    var operUserID: String
}

struct WelcomeCode: Sendable {
    var externalUserID: String
    var userID: String
    var issuedAt: Int
    var used = false
}

/// A welcome message the customer received.
public struct WelcomeRecord: Codable, Sendable, Equatable {
    public var externalUserID: String
    public var userID: String
    public var text: String?
    public var attachmentCount: Int
    public var at: Int

    enum CodingKeys: String, CodingKey {
        case externalUserID = "external_userid", userID = "userid", text, attachmentCount = "attachment_count", at
    }
}

struct MassRecipient: Sendable {
    var externalUserID: String?
    var chatID: String?
    var status = 0
    var sendTime: Int?
}

struct SenderTask: Sendable {
    var userID: String
    var status = 0
    var sendTime: Int?
    var recipients: [MassRecipient]
    var reminders: [Int] = []
}

struct MassMessage: Sendable {
    var msgID: String
    var chatType: String
    var creator: String?
    var createTime: Int
    var text: TextContent?
    var attachments: [Attachment]?
    var senders: [SenderTask]
    var cancelled = false
}

struct TransferRecord: Sendable {
    var handover: String
    var takeover: String
    var externalUserID: String
    var requestedAt: Int
    var takeoverTime: Int
    var status: Int
    var resigned: Bool
}

struct Moment: Sendable {
    var jobID: String
    var momentID: String
    var invalidSenders: [String]
}

/// A message in the session archive (会话存档).
public struct ArchivedMessage: Codable, Sendable, Equatable {
    public var seq: Int
    public var msgID: String
    public var action: String
    public var from: String
    public var toList: [String]
    public var roomID: String
    public var msgTime: Int64
    public var msgType: String
    public var content: String

    enum CodingKeys: String, CodingKey {
        case seq, msgID = "msgid", action, from, toList = "tolist", roomID = "roomid", msgTime = "msgtime", msgType = "msgtype", content
    }
}

/// An order a simulated customer placed (the brand's order feed would report it to Siyu).
public struct SandboxOrder: Codable, Sendable, Equatable {
    public var orderID: String
    public var externalUserID: String
    public var amountFen: Int
    public var at: Int

    enum CodingKeys: String, CodingKey {
        case orderID = "order_id", externalUserID = "external_userid", amountFen = "amount_fen", at
    }
}

/// One enterprise's world.
struct CorpState: Sendable {
    var config: SandboxCorpConfig
    var tokens: [String: Int] = [:]
    var departments: [Department] = [Department(id: 1, name: "总部", parentID: 0, order: 1)]
    var members: [String: Member] = [:]
    var memberOrder: [String] = []
    var customers: [String: ExternalContact] = [:]
    var customerOrder: [String] = []
    var relations: [String: [Relation]] = [:]
    var tagGroups: [CorpTagGroup] = []
    var contactWays: [String: ContactWay] = [:]
    var contactWayOrder: [String] = []
    var contactWayRotation: [String: Int] = [:]
    var groups: [String: GroupChat] = [:]
    var groupOrder: [String] = []
    var massMessages: [String: MassMessage] = [:]
    var massMessageOrder: [String] = []
    var receipts: [String: [Int]] = [:]
    var welcomeCodes: [String: WelcomeCode] = [:]
    var welcomes: [WelcomeRecord] = []
    var moments: [String: Moment] = [:]
    var transfers: [TransferRecord] = []
    var archive: [ArchivedMessage] = []
    var orders: [SandboxOrder] = []
    var unassigned: [UnassignedCustomer] = []

    init(config: SandboxCorpConfig) {
        self.config = config
    }

    func relation(_ externalUserID: String, _ userID: String) -> Relation? {
        relations[externalUserID]?.first { $0.userID == userID }
    }

    var allTagIDs: Set<String> {
        Set(tagGroups.flatMap { $0.tag.map(\.id) })
    }
}
