import WeCom

/// A customer with a past: who they are and when they added which members. Used to give a
/// world weeks of history at once (a demo brand); the platform would have sent these
/// callbacks long ago, so importing delivers none.
public struct HistoricalCustomer: Sendable {
    public struct Relation: Sendable {
        public var userID: String
        /// Unix seconds.
        public var createTime: Int
        public var state: String?
        public var tagIDs: [String]
        public var remark: String

        public init(userID: String, createTime: Int, state: String? = nil, tagIDs: [String] = [], remark: String = "") {
            self.userID = userID
            self.createTime = createTime
            self.state = state
            self.tagIDs = tagIDs
            self.remark = remark
        }
    }

    public var name: String
    public var gender: Int
    public var relations: [Relation]

    public init(name: String, gender: Int = 0, relations: [Relation]) {
        self.name = name
        self.gender = gender
        self.relations = relations
    }
}

extension SandboxWorld {
    /// Adds customers with their past relations (add way 1 when a `state` names a contact way,
    /// else 0); returns their new external user ids, in order. No callbacks.
    public func importCustomers(corpID: String, _ customers: [HistoricalCustomer]) throws(SandboxError) -> [String] {
        let newIDs = customers.map { _ in ids.externalUserID() }
        return try mutate(corpID) { corp throws(SandboxError) in
            let knownTags = corp.allTagIDs
            for (customer, id) in zip(customers, newIDs) {
                for relation in customer.relations {
                    guard corp.members[relation.userID] != nil else { throw .invalidUser }
                    for tag in relation.tagIDs where !knownTags.contains(tag) { throw .invalidTag }
                }
                corp.customers[id] = ExternalContact(
                    externalUserID: id, name: customer.name, avatar: avatarURL(corpID: corpID, externalUserID: id), type: 1, gender: customer.gender
                )
                corp.customerOrder.append(id)
                corp.relations[id] = customer.relations.map {
                    Relation(userID: $0.userID, remark: $0.remark, createTime: $0.createTime, tagIDs: $0.tagIDs, addWay: $0.state == nil ? 0 : 1, state: $0.state, operUserID: id)
                }
            }
            return newIDs
        }
    }

    /// Creates a tag group with tags (or adds tags to the group of that name); returns the group.
    public func addTags(corpID: String, groupName: String, names: [String]) throws(SandboxError) -> CorpTagGroup {
        try addCorpTag(corpID, AddCorpTagRequest(groupName: groupName, tag: names.map { NewCorpTag(name: $0) })).tagGroup
    }

    /// A customer group created at `createTime` with customers who joined at the given times. No callbacks.
    public func importGroup(corpID: String, owner: String, name: String, createTime: Int, joined: [(externalUserID: String, at: Int)]) throws(SandboxError) -> String {
        let chatID = ids.chatID()
        let version = ids.hex(32)
        return try mutate(corpID) { corp throws(SandboxError) in
            guard corp.members[owner] != nil else { throw .invalidUser }
            var members = [GroupChatMember(userID: owner, type: 1, joinTime: createTime, joinScene: 1)]
            for entry in joined.prefix(Self.maxGroupSize - 1) {
                guard let customer = corp.customers[entry.externalUserID] else { throw .invalidExternalUser }
                members.append(GroupChatMember(userID: entry.externalUserID, type: 2, unionID: customer.unionID, joinTime: entry.at, joinScene: 3))
            }
            corp.groups[chatID] = GroupChat(
                chatID: chatID, name: name, owner: owner, createTime: createTime, notice: "", memberList: members, adminList: [], memberVersion: version
            )
            corp.groupOrder.append(chatID)
            return chatID
        }
    }

    /// External user ids of every customer with at least one member, in the order they came.
    public func activeCustomerIDs(corpID: String) -> [String] {
        guard let corp = corps[corpID] else { return [] }
        return corp.customerOrder.filter { !(corp.relations[$0] ?? []).isEmpty }
    }

    /// The members a customer is a friend of now.
    public func members(corpID: String, of externalUserID: String) -> [String] {
        corps[corpID]?.relations[externalUserID]?.map(\.userID) ?? []
    }
}
