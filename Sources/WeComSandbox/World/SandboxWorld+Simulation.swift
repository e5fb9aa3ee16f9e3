import Foundation
import WeCom

/// What happened when a simulated customer added a member.
public struct SimulatedAdd: Codable, Sendable, Equatable {
    public var externalUserID: String
    public var userID: String
    public var state: String?
    public var welcomeCode: String?

    enum CodingKeys: String, CodingKey {
        case externalUserID = "external_userid", userID = "userid", state, welcomeCode = "welcome_code"
    }
}

/// Actions of simulated people: each changes the world and returns the callbacks the platform would send.
extension SandboxWorld {
    /// A customer scans a contact way (or adds `userID` directly) and becomes a customer of one member.
    ///
    /// Multi-member contact ways hand customers to their members in turn. A welcome code is issued
    /// unless the member already had this customer (the platform issues none then).
    public func customerAdds(
        corpID: String, configID: String? = nil, userID: String? = nil, externalUserID: String? = nil,
        name: String? = nil, unionID: String? = nil, issueWelcomeCode: Bool = true
    ) throws(SandboxError) -> (SimulatedAdd, [SandboxEvent]) {
        let now = clock.unixNow
        let newID = externalUserID ?? ids.externalUserID()
        let welcomeCode = ids.text("", length: 43)
        let gender = ids.int(0...2)
        let generatedName = Self.customerNames[ids.int(0...(Self.customerNames.count - 1))] + String(ids.int(1...999))
        return try mutate(corpID) { corp throws(SandboxError) in
            var member: String
            var state: String?
            var addWay = 1
            if let configID {
                guard let way = corp.contactWays[configID] else { throw SandboxError(41044, "invalid config_id") }
                let users = way.user ?? []
                guard !users.isEmpty else { throw .invalidParameter("the contact way has no users") }
                let turn = corp.contactWayRotation[configID, default: 0]
                corp.contactWayRotation[configID] = turn + 1
                member = users[turn % users.count]
                state = way.state
                addWay = 1
            } else {
                guard let userID else { throw .invalidParameter("config_id or userid is required") }
                member = userID
                addWay = 0
            }
            guard corp.members[member] != nil else { throw .invalidUser }
            if corp.customers[newID] == nil {
                corp.customers[newID] = ExternalContact(
                    externalUserID: newID, name: name ?? generatedName,
                    avatar: avatarURL(corpID: corpID, externalUserID: newID), type: 1, gender: gender, unionID: unionID
                )
                corp.customerOrder.append(newID)
            } else if let name {
                corp.customers[newID]!.name = name
            }
            let alreadyFriends = corp.relation(newID, member) != nil
            if !alreadyFriends {
                corp.relations[newID, default: []].append(Relation(userID: member, createTime: now, addWay: addWay, state: state, operUserID: newID))
            }
            let code = issueWelcomeCode && !alreadyFriends ? welcomeCode : nil
            if let code { corp.welcomeCodes[code] = WelcomeCode(externalUserID: newID, userID: member, issuedAt: now) }
            var fields: [(name: String, value: SandboxEvent.Value)] = [("UserID", .text(member)), ("ExternalUserID", .text(newID))]
            if let state { fields.append(("State", .text(state))) }
            if let code { fields.append(("WelcomeCode", .text(code))) }
            let event = SandboxEvent(corpID: corpID, createTime: now, event: "change_external_contact", changeType: "add_external_contact", fields: fields)
            return (SimulatedAdd(externalUserID: newID, userID: member, state: state, welcomeCode: code), [event])
        }
    }

    /// The customer deletes the member (a lost customer): `del_follow_user`, dated `at` (Unix seconds) when given.
    public func customerDeletesMember(corpID: String, externalUserID: String, userID: String, at: Int? = nil) throws(SandboxError) -> [SandboxEvent] {
        let now = at ?? clock.unixNow
        return try mutate(corpID) { corp throws(SandboxError) in
            guard corp.customers[externalUserID] != nil else { throw .invalidExternalUser }
            guard corp.relation(externalUserID, userID) != nil else { throw .noRelation }
            corp.relations[externalUserID]!.removeAll { $0.userID == userID }
            return [SandboxEvent(corpID: corpID, createTime: now, event: "change_external_contact", changeType: "del_follow_user",
                                 fields: [("UserID", .text(userID)), ("ExternalUserID", .text(externalUserID))])]
        }
    }

    /// The member deletes the customer: `del_external_contact`.
    public func memberDeletesCustomer(corpID: String, userID: String, externalUserID: String) throws(SandboxError) -> [SandboxEvent] {
        let now = clock.unixNow
        return try mutate(corpID) { corp throws(SandboxError) in
            guard corp.customers[externalUserID] != nil else { throw .invalidExternalUser }
            guard corp.relation(externalUserID, userID) != nil else { throw .noRelation }
            corp.relations[externalUserID]!.removeAll { $0.userID == userID }
            return [SandboxEvent(corpID: corpID, createTime: now, event: "change_external_contact", changeType: "del_external_contact",
                                 fields: [("UserID", .text(userID)), ("ExternalUserID", .text(externalUserID))])]
        }
    }

    /// A member creates a customer group.
    public func createGroup(corpID: String, owner: String, name: String) throws(SandboxError) -> (String, [SandboxEvent]) {
        let now = clock.unixNow
        let chatID = ids.chatID()
        let version = ids.hex(32)
        return try mutate(corpID) { corp throws(SandboxError) in
            guard corp.members[owner] != nil else { throw .invalidUser }
            corp.groups[chatID] = GroupChat(
                chatID: chatID, name: name, owner: owner, createTime: now, notice: "",
                memberList: [GroupChatMember(userID: owner, type: 1, joinTime: now, joinScene: 1)], adminList: [], memberVersion: version
            )
            corp.groupOrder.append(chatID)
            return (chatID, [SandboxEvent(corpID: corpID, createTime: now, event: "change_external_chat", changeType: "create", fields: [("ChatId", .text(chatID))])])
        }
    }

    /// A customer joins (by QR code, scene 3) or leaves a group.
    public func customerInGroup(corpID: String, chatID: String, externalUserID: String, joins: Bool) throws(SandboxError) -> [SandboxEvent] {
        let now = clock.unixNow
        let version = ids.hex(32)
        return try mutate(corpID) { corp throws(SandboxError) in
            guard var group = corp.groups[chatID] else { throw .invalidChat }
            guard corp.customers[externalUserID] != nil else { throw .invalidExternalUser }
            let present = group.memberList.contains { $0.userID == externalUserID }
            if joins {
                guard !present else { throw .invalidParameter("already in the group") }
                guard group.memberList.count < Self.maxGroupSize else { throw SandboxError(41050, "the group is full") }
                group.memberList.append(GroupChatMember(userID: externalUserID, type: 2, unionID: corp.customers[externalUserID]?.unionID, joinTime: now, joinScene: 3))
            } else {
                guard present else { throw .invalidParameter("not in the group") }
                group.memberList.removeAll { $0.userID == externalUserID }
            }
            let last = group.memberVersion ?? ""
            group.memberVersion = version
            corp.groups[chatID] = group
            var fields: [(name: String, value: SandboxEvent.Value)] = [("ChatId", .text(chatID)), ("UpdateDetail", .text(joins ? "add_member" : "del_member"))]
            fields.append(joins ? ("JoinScene", .integer(3)) : ("QuitScene", .integer(0)))
            fields += [("MemChangeCnt", .integer(1)), ("MemChangeList", .items([externalUserID])), ("LastMemVer", .text(last)), ("CurMemVer", .text(version))]
            return [SandboxEvent(corpID: corpID, createTime: now, event: "change_external_chat", changeType: "update", fields: fields)]
        }
    }

    /// A message between a member and a customer lands in the session archive.
    public func archiveMessage(corpID: String, from: String, to: String, content: String, roomID: String = "") throws(SandboxError) -> (ArchivedMessage, [SandboxEvent]) {
        let now = clock.now
        let msgID = ids.text("", length: 24) + "_sandbox"
        return try mutate(corpID) { corp in
            let message = ArchivedMessage(
                seq: corp.archive.count + 1, msgID: msgID, action: "send", from: from, toList: [to], roomID: roomID,
                msgTime: Int64(now.timeIntervalSince1970 * 1000), msgType: "text", content: content
            )
            corp.archive.append(message)
            return (message, [SandboxEvent(corpID: corpID, createTime: Int(now.timeIntervalSince1970), event: "msgaudit_notify", changeType: nil, fields: [])])
        }
    }

    /// Archived messages after `seq`, at most `limit` (the shape of `GetChatData`).
    public func archivedMessages(corpID: String, after seq: Int, limit: Int) -> [ArchivedMessage] {
        Array((corps[corpID]?.archive ?? []).filter { $0.seq > seq }.prefix(max(1, min(limit, 1000))))
    }

    /// A customer orders something (at `at`, Unix seconds, when given).
    public func placeOrder(corpID: String, externalUserID: String, amountFen: Int, at: Int? = nil) throws(SandboxError) -> SandboxOrder {
        let now = at ?? clock.unixNow
        let orderID = "SO" + ids.hex(16)
        return try mutate(corpID) { corp throws(SandboxError) in
            guard corp.customers[externalUserID] != nil else { throw .invalidExternalUser }
            let order = SandboxOrder(orderID: orderID, externalUserID: externalUserID, amountFen: amountFen, at: now)
            corp.orders.append(order)
            return order
        }
    }

    /// A snapshot of one customer for inspection: relations with tag ids, and what they received.
    public func customerSnapshot(corpID: String, externalUserID: String) -> CustomerSnapshot? {
        guard let corp = corps[corpID], let contact = corp.customers[externalUserID] else { return nil }
        return CustomerSnapshot(
            externalUserID: externalUserID, name: contact.name,
            relations: (corp.relations[externalUserID] ?? []).map { .init(userID: $0.userID, state: $0.state, tagIDs: $0.tagIDs, createTime: $0.createTime) },
            welcomes: corp.welcomes.filter { $0.externalUserID == externalUserID },
            massMessagesReceived: corp.receipts[externalUserID]?.count ?? 0
        )
    }

    /// Counts for a quick look at the world.
    public func stats(corpID: String) -> [String: Int] {
        guard let corp = corps[corpID] else { return [:] }
        return [
            "members": corp.members.count, "customers": corp.customers.count,
            "relations": corp.relations.values.reduce(0) { $0 + $1.count },
            "tags": corp.allTagIDs.count, "contact_ways": corp.contactWays.count, "groups": corp.groups.count,
            "mass_messages": corp.massMessages.count, "welcomes": corp.welcomes.count, "archived_messages": corp.archive.count,
            "orders": corp.orders.count,
        ]
    }

    static let customerNames = ["小王", "小李", "张女士", "陈先生", "Lily", "阿杰", "周周", "Momo", "老刘", "Coco", "小鱼", "安安"]
}

/// One customer as the sandbox sees them.
public struct CustomerSnapshot: Codable, Sendable, Equatable {
    public struct RelationView: Codable, Sendable, Equatable {
        public var userID: String
        public var state: String?
        public var tagIDs: [String]
        public var createTime: Int
        enum CodingKeys: String, CodingKey { case userID = "userid", state, tagIDs = "tag_ids", createTime = "createtime" }
    }

    public var externalUserID: String
    public var name: String
    public var relations: [RelationView]
    public var welcomes: [WelcomeRecord]
    public var massMessagesReceived: Int

    enum CodingKeys: String, CodingKey {
        case externalUserID = "external_userid", name, relations, welcomes, massMessagesReceived = "mass_messages_received"
    }
}
