import Foundation

/// Where a member's relation with a customer stands.
public enum RelationStatus: String, Codable, Sendable, CaseIterable {
    /// The customer is in the member's contacts.
    case active
    /// The customer deleted the member (`del_follow_user`): a lost customer.
    case lost
    /// The member deleted the customer (`del_external_contact`).
    case deleted
}

/// What the platform says about a customer (from `externalcontact/get` or `batch/get_by_user`).
public struct CustomerFacts: Codable, Sendable, Equatable {
    public var externalUserID: String
    public var name: String
    public var avatar: String
    public var type: Int
    public var gender: Int
    public var unionID: String?
    public var corpName: String

    public init(externalUserID: String, name: String, avatar: String = "", type: Int = 1, gender: Int = 0, unionID: String? = nil, corpName: String = "") {
        self.externalUserID = externalUserID
        self.name = name
        self.avatar = avatar
        self.type = type
        self.gender = gender
        self.unionID = unionID
        self.corpName = corpName
    }

    enum CodingKeys: String, CodingKey {
        case externalUserID = "external_userid", name, avatar, type, gender, unionID = "unionid", corpName = "corp_name"
    }
}

/// What the platform says about one member's relation with the customer.
public struct RelationFacts: Sendable, Equatable {
    public var userID: String
    public var remark: String
    public var description: String
    public var state: String?
    public var addWay: Int
    public var addedAt: Date
    public var tagIDs: [String]

    public init(userID: String, remark: String = "", description: String = "", state: String? = nil, addWay: Int = 0, addedAt: Date, tagIDs: [String] = []) {
        self.userID = userID
        self.remark = remark
        self.description = description
        self.state = state
        self.addWay = addWay
        self.addedAt = addedAt
        self.tagIDs = tagIDs
    }
}

/// Which change a callback reported.
public enum ContactEvent: String, Sendable, Equatable {
    case added
    case edited
    /// The customer deleted the member.
    case customerDeletedMember = "lost"
    /// The member deleted the customer.
    case memberDeletedCustomer = "deleted"
    /// No event: a periodic reconciliation.
    case sync
}

/// A callback (or a sync) combined with what the platform says now.
///
/// Callbacks can be lost, repeated or reordered, so the store never trusts the event alone: it
/// reconciles with `current`, the platform's present view, read right after the event.
public struct ContactObservation: Sendable, Equatable {
    public var externalUserID: String
    public var event: ContactEvent
    /// The member the event is about.
    public var userID: String?
    /// `State` carried by the event, for attribution when the platform no longer shows the relation.
    public var state: String?
    public var at: Date
    /// The customer now, or nil when the platform no longer knows them (no relation left).
    public var customer: CustomerFacts?
    /// Every relation the platform shows now (empty when none).
    public var relations: [RelationFacts]

    public init(externalUserID: String, event: ContactEvent, userID: String?, state: String?, at: Date, customer: CustomerFacts?, relations: [RelationFacts]) {
        self.externalUserID = externalUserID
        self.event = event
        self.userID = userID
        self.state = state
        self.at = at
        self.customer = customer
        self.relations = relations
    }
}

/// How reconciling one observation changed the store.
public struct ReconcileOutcome: Sendable, Equatable {
    /// Members whose relation became active now (a new customer for them).
    public var newlyActive: [String] = []
    /// Members whose relation ended now, with how it ended.
    public var ended: [String: RelationStatus] = [:]
    /// The channel each relation is attributed to, by member.
    public var channels: [String: String] = [:]

    public init(newlyActive: [String] = [], ended: [String: RelationStatus] = [:], channels: [String: String] = [:]) {
        self.newlyActive = newlyActive
        self.ended = ended
        self.channels = channels
    }
}
