import Foundation

/// Filters for the customer list. Empty filters match everyone.
public struct CustomerQuery: Sendable, Equatable {
    /// Customers carrying any of these tags (on any relation).
    public var tagIDs: [String] = []
    public var channelID: String?
    /// Customers of this member (a relation in any status).
    public var userID: String?
    public var departmentID: Int?
    public var addedAfter: Date?
    public var addedBefore: Date?
    /// `active`: at least one active relation; `lost`: none active, at least one lost.
    public var status: RelationStatus?
    /// Matched against the customer's name and the members' remarks.
    public var keyword: String?
    /// Only these customers (a list's ticked rows), when given.
    public var externalUserIDs: [String]?
    /// The last `external_userid` of the previous page (the `id` order only).
    public var cursor: String?
    public var limit: Int = 50
    /// The order; other orders than `id` page by `offset`.
    public var sort: CustomerSort = .id
    public var offset = 0

    public init() {}
}

/// How the customer list is ordered.
public enum CustomerSort: String, Sendable, Equatable, CaseIterable {
    /// By `external_userid`: stable, pages by cursor (the API's order).
    case id
    /// Newest first add first.
    case addedNewest = "added_desc"
    case addedOldest = "added_asc"
    /// The latest interaction on the timeline (added, welcomed, tagged…) first.
    case lastInteraction = "interaction_desc"
    /// The most paid order value first.
    case orders = "orders_desc"
}

/// One row of the customer list.
public struct CustomerSummary: Codable, Sendable, Equatable {
    public var externalUserID: String
    public var name: String
    public var avatar: String
    public var gender: Int
    public var firstAddedAt: Date
    /// `active` if any member has them, else `lost` or `deleted`.
    public var status: RelationStatus
    public var members: [String]
    public var channelIDs: [String]
    public var tagIDs: [String]
    public var customFields: [String: String]

    enum CodingKeys: String, CodingKey {
        case externalUserID = "external_userid", name, avatar, gender, firstAddedAt = "first_added_at", status, members
        case channelIDs = "channel_ids", tagIDs = "tag_ids", customFields = "custom_fields"
    }

    public init(externalUserID: String, name: String, avatar: String, gender: Int, firstAddedAt: Date, status: RelationStatus, members: [String], channelIDs: [String], tagIDs: [String], customFields: [String: String] = [:]) {
        self.externalUserID = externalUserID
        self.name = name
        self.avatar = avatar
        self.gender = gender
        self.firstAddedAt = firstAddedAt
        self.status = status
        self.members = members
        self.channelIDs = channelIDs
        self.tagIDs = tagIDs
        self.customFields = customFields
    }
}

/// A customer with everything Siyu knows about them.
///
/// The platform's facts about the customer (``CustomerFacts``) are one value, flattened into the
/// profile's JSON and readable as the profile's own properties (`profile.name`).
@dynamicMemberLookup
public struct CustomerProfile: Codable, Sendable, Equatable {
    public struct Relation: Codable, Sendable, Equatable {
        public var userID: String
        public var remark: String
        public var state: String?
        public var channelID: String?
        public var addWay: Int
        public var status: RelationStatus
        public var addedAt: Date
        public var endedAt: Date?
        public var tagIDs: [String]

        enum CodingKeys: String, CodingKey {
            case userID = "userid", remark, state, channelID = "channel_id", addWay = "add_way", status
            case addedAt = "added_at", endedAt = "ended_at", tagIDs = "tag_ids"
        }

        public init(userID: String, remark: String, state: String?, channelID: String?, addWay: Int, status: RelationStatus, addedAt: Date, endedAt: Date?, tagIDs: [String]) {
            self.userID = userID
            self.remark = remark
            self.state = state
            self.channelID = channelID
            self.addWay = addWay
            self.status = status
            self.addedAt = addedAt
            self.endedAt = endedAt
            self.tagIDs = tagIDs
        }
    }

    public struct TimelineEntry: Codable, Sendable, Equatable {
        public var at: Date
        public var kind: String
        public var userID: String
        public var detail: [String: String]

        enum CodingKeys: String, CodingKey { case at, kind, userID = "userid", detail }

        public init(at: Date, kind: String, userID: String, detail: [String: String]) {
            self.at = at
            self.kind = kind
            self.userID = userID
            self.detail = detail
        }
    }

    public var facts: CustomerFacts
    public var firstAddedAt: Date
    public var customFields: [String: String]
    public var relations: [Relation]
    public var timeline: [TimelineEntry]

    public subscript<Value>(dynamicMember fact: KeyPath<CustomerFacts, Value>) -> Value { facts[keyPath: fact] }

    enum CodingKeys: String, CodingKey {
        case firstAddedAt = "first_added_at", customFields = "custom_fields", relations, timeline
    }

    public init(facts: CustomerFacts, firstAddedAt: Date, customFields: [String: String], relations: [Relation], timeline: [TimelineEntry]) {
        self.facts = facts
        self.firstAddedAt = firstAddedAt
        self.customFields = customFields
        self.relations = relations
        self.timeline = timeline
    }

    public init(from decoder: any Decoder) throws {
        facts = try CustomerFacts(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        firstAddedAt = try c.decode(Date.self, forKey: .firstAddedAt)
        customFields = try c.decode([String: String].self, forKey: .customFields)
        relations = try c.decode([Relation].self, forKey: .relations)
        timeline = try c.decode([TimelineEntry].self, forKey: .timeline)
    }

    public func encode(to encoder: any Encoder) throws {
        try facts.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(firstAddedAt, forKey: .firstAddedAt)
        try c.encode(customFields, forKey: .customFields)
        try c.encode(relations, forKey: .relations)
        try c.encode(timeline, forKey: .timeline)
    }
}
