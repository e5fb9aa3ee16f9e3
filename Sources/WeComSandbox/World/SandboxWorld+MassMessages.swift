import WeCom

extension SandboxWorld {
    static let maxRecipients = 10_000
    static let maxChats = 2000
    static let maxTextBytes = 4000
    static let maxAttachments = 9

    /// `add_msg_template`: creates one task per sender; nothing reaches anyone until a sender confirms.
    func addMessageTemplate(_ corpID: String, _ request: AddMsgTemplateRequest) throws(SandboxError) -> AddMsgTemplateResponse {
        let chatType = request.chatType ?? "single"
        guard ["single", "group"].contains(chatType) else { throw .invalidParameter("chat_type is single or group") }
        if let text = request.text, text.content.utf8.count > Self.maxTextBytes {
            throw .invalidParameter("text.content is at most \(Self.maxTextBytes) bytes")
        }
        guard (request.attachments ?? []).count <= Self.maxAttachments else { throw .invalidParameter("at most \(Self.maxAttachments) attachments") }
        guard request.text != nil || !(request.attachments ?? []).isEmpty else { throw .invalidParameter("text or attachments is required") }
        guard (request.externalUserID ?? []).count <= Self.maxRecipients else { throw .invalidParameter("at most \(Self.maxRecipients) external_userid") }
        guard (request.chatIDList ?? []).count <= Self.maxChats else { throw .invalidParameter("at most \(Self.maxChats) chat_id_list") }
        let msgID = ids.msgID()
        let now = clock.unixNow
        return try mutate(corpID) { corp throws(SandboxError) in
            if let sender = request.sender, corp.members[sender] == nil { throw .invalidUser }
            var failList: [String] = []
            var bySender: [String: [MassRecipient]] = [:]
            var senderOrder: [String] = []
            func assign(_ sender: String, _ recipient: MassRecipient) {
                if bySender[sender] == nil { senderOrder.append(sender) }
                bySender[sender, default: []].append(recipient)
            }
            if chatType == "single" {
                let targets = try Self.singleTargets(corp, request)
                for externalUserID in targets {
                    let relations = corp.relations[externalUserID] ?? []
                    if let sender = request.sender {
                        guard relations.contains(where: { $0.userID == sender }) else { failList.append(externalUserID); continue }
                        assign(sender, MassRecipient(externalUserID: externalUserID))
                    } else if let first = relations.first {
                        assign(first.userID, MassRecipient(externalUserID: externalUserID))
                    } else {
                        failList.append(externalUserID)
                    }
                }
            } else {
                for chatID in request.chatIDList ?? [] {
                    guard let group = corp.groups[chatID] else { failList.append(chatID); continue }
                    if let sender = request.sender, group.owner != sender { failList.append(chatID); continue }
                    assign(group.owner, MassRecipient(chatID: chatID))
                }
            }
            guard !senderOrder.isEmpty else { throw SandboxError(41048, "no valid recipients") }
            corp.massMessages[msgID] = MassMessage(
                msgID: msgID, chatType: chatType, creator: request.sender, createTime: now, text: request.text,
                attachments: request.attachments, senders: senderOrder.map { SenderTask(userID: $0, recipients: bySender[$0]!) }
            )
            corp.massMessageOrder.append(msgID)
            return AddMsgTemplateResponse(failList: failList, msgID: msgID)
        }
    }

    private static func singleTargets(_ corp: CorpState, _ request: AddMsgTemplateRequest) throws(SandboxError) -> [String] {
        if let explicit = request.externalUserID, !explicit.isEmpty {
            return explicit
        }
        guard let filter = request.tagFilter else {
            guard let sender = request.sender else { throw .invalidParameter("external_userid, tag_filter or sender is required") }
            return corp.customerOrder.filter { corp.relation($0, sender) != nil }
        }
        // Each group is an OR of tags; the groups are ANDed.
        return corp.customerOrder.filter { externalUserID in
            let tags = Set((corp.relations[externalUserID] ?? []).flatMap(\.tagIDs))
            return filter.groupList.allSatisfy { group in group.tagList.contains { tags.contains($0) } }
        }
    }

    func groupMessages(_ corpID: String, _ request: GroupMsgListRequest) throws(SandboxError) -> GroupMsgListResponse {
        try read(corpID) { corp in
            let all = corp.massMessageOrder.compactMap { corp.massMessages[$0] }.filter {
                $0.chatType == request.chatType && $0.createTime >= request.startTime && $0.createTime <= request.endTime
                    && (request.creator == nil || $0.creator == request.creator)
            }
            let start = Int(request.cursor ?? "") ?? 0
            let limit = min(max(request.limit ?? 50, 1), 100)
            let page = all.dropFirst(start).prefix(limit)
            return GroupMsgListResponse(
                groupMsgList: page.map { GroupMsg(msgID: $0.msgID, creator: $0.creator, createTime: String($0.createTime), createType: 0, text: $0.text, attachments: $0.attachments) },
                nextCursor: start + page.count < all.count ? String(start + page.count) : ""
            )
        }
    }

    func groupMessageTasks(_ corpID: String, _ request: GroupMsgTaskRequest) throws(SandboxError) -> GroupMsgTaskResponse {
        try read(corpID) { corp throws(SandboxError) in
            guard let message = corp.massMessages[request.msgID] else { throw .invalidParameter("unknown msgid") }
            let start = Int(request.cursor ?? "") ?? 0
            let limit = min(max(request.limit ?? 500, 1), 1000)
            let page = message.senders.dropFirst(start).prefix(limit)
            return GroupMsgTaskResponse(
                taskList: page.map { GroupMsgTask(userID: $0.userID, status: $0.status, sendTime: $0.sendTime) },
                nextCursor: start + page.count < message.senders.count ? String(start + page.count) : ""
            )
        }
    }

    func groupMessageResults(_ corpID: String, _ request: GroupMsgSendResultRequest) throws(SandboxError) -> GroupMsgSendResultResponse {
        try read(corpID) { corp throws(SandboxError) in
            guard let message = corp.massMessages[request.msgID] else { throw .invalidParameter("unknown msgid") }
            guard let task = message.senders.first(where: { $0.userID == request.userID }) else { throw .invalidUser }
            let start = Int(request.cursor ?? "") ?? 0
            let limit = min(max(request.limit ?? 500, 1), 1000)
            let page = task.recipients.dropFirst(start).prefix(limit)
            return GroupMsgSendResultResponse(
                sendList: page.map {
                    GroupMsgSendResult(externalUserID: $0.externalUserID, chatID: $0.chatID, userID: task.userID, status: $0.status, sendTime: $0.sendTime)
                },
                nextCursor: start + page.count < task.recipients.count ? String(start + page.count) : ""
            )
        }
    }

    /// The older result API: every sender's recipients in one list.
    func groupMessageResultLegacy(_ corpID: String, _ msgID: String) throws(SandboxError) -> GroupMsgResultResponse {
        try read(corpID) { corp throws(SandboxError) in
            guard let message = corp.massMessages[msgID] else { throw .invalidParameter("unknown msgid") }
            return GroupMsgResultResponse(checkStatus: 1, detailList: message.senders.flatMap { task in
                task.recipients.map {
                    GroupMsgSendResult(externalUserID: $0.externalUserID, chatID: $0.chatID, userID: task.userID, status: $0.status, sendTime: $0.sendTime)
                }
            })
        }
    }

    func remindGroupMessage(_ corpID: String, _ msgID: String) throws(SandboxError) {
        let now = clock.unixNow
        try mutate(corpID) { corp throws(SandboxError) in
            guard var message = corp.massMessages[msgID] else { throw .invalidParameter("unknown msgid") }
            for index in message.senders.indices where message.senders[index].status == 0 {
                let recent = message.senders[index].reminders.filter { now - $0 < 24 * 3600 }
                guard recent.count < 3 else { throw SandboxError(41063, "remind limit reached: 3 per 24 hours") }
                message.senders[index].reminders = recent + [now]
            }
            corp.massMessages[msgID] = message
        }
    }

    func cancelGroupMessage(_ corpID: String, _ msgID: String) throws(SandboxError) {
        try mutate(corpID) { corp throws(SandboxError) in
            guard corp.massMessages[msgID] != nil else { throw .invalidParameter("unknown msgid") }
            corp.massMessages[msgID]!.cancelled = true
        }
    }

    /// A member confirms their part of a mass message in the client: each recipient gets it
    /// (status 1), is no longer a friend (2), or is over the platform's cap (3).
    public func confirmMassMessage(corpID: String, msgID: String, userID: String) throws(SandboxError) -> [String: Int] {
        let now = clock.unixNow
        let rule = massMessageRule
        return try mutate(corpID) { corp throws(SandboxError) in
            guard var message = corp.massMessages[msgID] else { throw .invalidParameter("unknown msgid") }
            guard !message.cancelled else { throw SandboxError(41060, "the mass message was cancelled") }
            guard let index = message.senders.firstIndex(where: { $0.userID == userID }) else { throw .invalidUser }
            guard message.senders[index].status == 0 else { throw SandboxError(41061, "already sent") }
            var counts: [String: Int] = ["1": 0, "2": 0, "3": 0]
            for r in message.senders[index].recipients.indices {
                let recipient = message.senders[index].recipients[r]
                let key = recipient.externalUserID ?? recipient.chatID ?? ""
                let reachable: Bool
                if let externalUserID = recipient.externalUserID {
                    reachable = corp.relation(externalUserID, userID) != nil
                } else {
                    reachable = recipient.chatID.flatMap { corp.groups[$0] } != nil
                }
                let status: Int
                if !reachable {
                    status = 2
                } else if !rule.allows(receipts: corp.receipts[key] ?? [], now: now) {
                    status = 3
                } else {
                    status = 1
                    corp.receipts[key, default: []].append(now)
                }
                message.senders[index].recipients[r].status = status
                message.senders[index].recipients[r].sendTime = status == 1 ? now : nil
                counts[String(status), default: 0] += 1
            }
            message.senders[index].status = 2
            message.senders[index].sendTime = now
            corp.massMessages[msgID] = message
            return counts
        }
    }

    /// Mass messages a customer or group actually received (Unix seconds): the world's own record.
    public func receipts(corpID: String, recipient: String) -> [Int] {
        corps[corpID]?.receipts[recipient] ?? []
    }

    /// Every recipient's receipt count, for checks over a whole campaign.
    public func allReceipts(corpID: String) -> [String: [Int]] {
        corps[corpID]?.receipts ?? [:]
    }

    /// Members' parts of mass messages that are neither sent nor cancelled: what a member would
    /// see waiting in the client.
    public func unsentMassTasks(corpID: String) -> [(msgID: String, userID: String, createTime: Int)] {
        guard let corp = corps[corpID] else { return [] }
        return corp.massMessageOrder.compactMap { corp.massMessages[$0] }.filter { !$0.cancelled }.flatMap { message in
            message.senders.filter { $0.status == 0 }.map { (message.msgID, $0.userID, message.createTime) }
        }
    }

    public func massMessageIDs(corpID: String) -> [String] {
        corps[corpID]?.massMessageOrder ?? []
    }

    // MARK: Welcome messages

    func sendWelcomeMessage(_ corpID: String, _ request: SendWelcomeMsgRequest) throws(SandboxError) {
        if let text = request.text, text.content.utf8.count > Self.maxTextBytes { throw .invalidParameter("text.content is at most 4000 bytes") }
        guard (request.attachments ?? []).count <= Self.maxAttachments else { throw .invalidParameter("at most 9 attachments") }
        guard request.text != nil || !(request.attachments ?? []).isEmpty else { throw .invalidParameter("text or attachments is required") }
        let now = clock.unixNow
        let window = welcomeWindow
        try mutate(corpID) { corp throws(SandboxError) in
            guard let code = corp.welcomeCodes[request.welcomeCode], !code.used, now - code.issuedAt <= window else { throw .welcomeCodeUsed }
            corp.welcomeCodes[request.welcomeCode]!.used = true
            corp.welcomes.append(WelcomeRecord(
                externalUserID: code.externalUserID, userID: code.userID, text: request.text?.content,
                attachmentCount: request.attachments?.count ?? 0, at: now
            ))
        }
    }

    public func welcomes(corpID: String) -> [WelcomeRecord] {
        corps[corpID]?.welcomes ?? []
    }
}
