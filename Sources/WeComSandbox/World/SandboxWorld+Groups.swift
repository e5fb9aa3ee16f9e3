import Foundation
import SiyuCore
import WeCom

extension SandboxWorld {
    /// Group size on the platform (200 when joining by QR code); unverified, so configurable here.
    static let maxGroupSize = 500

    func groupChats(_ corpID: String, _ request: GroupChatListRequest) throws(SandboxError) -> GroupChatListResponse {
        guard (1...1000).contains(request.limit) else { throw .invalidParameter("limit is 1 to 1000") }
        let owners = request.ownerFilter?.userIDList ?? []
        guard owners.count <= 100 else { throw SandboxError(81017, "too many owners in owner_filter") }
        return try read(corpID) { corp in
            let all = corp.groupOrder.compactMap { corp.groups[$0] }.filter { owners.isEmpty || owners.contains($0.owner) }
            let start = Int(request.cursor ?? "") ?? 0
            let page = all.dropFirst(start).prefix(request.limit)
            return GroupChatListResponse(
                groupChatList: page.map { GroupChatStatus(chatID: $0.chatID, status: 0) },
                nextCursor: start + page.count < all.count ? String(start + page.count) : ""
            )
        }
    }

    func groupChat(_ corpID: String, _ request: GroupChatGetRequest) throws(SandboxError) -> GroupChatGetResponse {
        try read(corpID) { corp throws(SandboxError) in
            guard let group = corp.groups[request.chatID] else { throw .invalidChat }
            return GroupChatGetResponse(groupChat: group)
        }
    }

    func transferGroupChats(_ corpID: String, _ request: GroupChatTransferRequest) throws(SandboxError) -> GroupChatTransferResponse {
        guard (1...100).contains(request.chatIDList.count) else { throw .invalidParameter("chat_id_list holds 1 to 100 groups") }
        return try mutate(corpID) { corp throws(SandboxError) in
            guard corp.members[request.newOwner] != nil else { throw .invalidUser }
            var failed: [FailedChat] = []
            for chatID in request.chatIDList {
                guard corp.groups[chatID] != nil else {
                    failed.append(FailedChat(chatID: chatID, errcode: 40050, errmsg: "invalid chatid"))
                    continue
                }
                corp.groups[chatID]!.owner = request.newOwner
            }
            return GroupChatTransferResponse(failedChatList: failed)
        }
    }

    // MARK: Transfers

    func transferCustomers(_ corpID: String, _ request: TransferCustomerRequest, resigned: Bool) throws(SandboxError) -> TransferCustomerResponse {
        guard (1...100).contains(request.externalUserID.count) else { throw .invalidParameter("external_userid holds 1 to 100 customers") }
        let now = clock.unixNow
        let delay = resigned ? 0 : takeoverDelay
        return try mutate(corpID) { corp throws(SandboxError) in
            guard corp.members[request.handoverUserID] != nil, corp.members[request.takeoverUserID] != nil else { throw .invalidUser }
            var outcomes: [TransferredCustomer] = []
            for externalUserID in request.externalUserID {
                guard corp.relation(externalUserID, request.handoverUserID) != nil else {
                    outcomes.append(TransferredCustomer(externalUserID: externalUserID, errcode: 84061))
                    continue
                }
                let recent = corp.transfers.filter {
                    $0.externalUserID == externalUserID && !$0.resigned && now - $0.requestedAt < 90 * 24 * 3600
                }
                if !resigned, recent.count >= 2 {
                    // The platform allows 2 in-service transfers per customer per 90 days (errcode unverified).
                    outcomes.append(TransferredCustomer(externalUserID: externalUserID, errcode: 40129))
                    continue
                }
                corp.transfers.append(TransferRecord(
                    handover: request.handoverUserID, takeover: request.takeoverUserID, externalUserID: externalUserID,
                    requestedAt: now, takeoverTime: now + delay, status: 2, resigned: resigned
                ))
                outcomes.append(TransferredCustomer(externalUserID: externalUserID, errcode: 0))
            }
            return TransferCustomerResponse(customer: outcomes)
        }
    }

    func transferResults(_ corpID: String, _ request: TransferResultRequest, resigned: Bool) throws(SandboxError) -> TransferResultResponse {
        try read(corpID) { corp in
            let matching = corp.transfers.filter {
                $0.handover == request.handoverUserID && $0.takeover == request.takeoverUserID && $0.resigned == resigned
            }
            let start = Int(request.cursor ?? "") ?? 0
            let page = matching.dropFirst(start).prefix(1000)
            return TransferResultResponse(
                customer: page.map { TransferStatus(externalUserID: $0.externalUserID, status: $0.status, takeoverTime: $0.status == 1 ? $0.takeoverTime : nil) },
                nextCursor: start + page.count < matching.count ? String(start + page.count) : ""
            )
        }
    }

    func unassignedCustomers(_ corpID: String, _ request: UnassignedListRequest) throws(SandboxError) -> UnassignedListResponse {
        try read(corpID) { corp in
            let size = min(max(request.pageSize ?? 1000, 1), 1000)
            let start = Int(request.cursor ?? "") ?? 0
            let page = corp.unassigned.dropFirst(start).prefix(size)
            let last = start + page.count >= corp.unassigned.count
            return UnassignedListResponse(info: Array(page), isLast: last, nextCursor: last ? "" : String(start + page.count))
        }
    }

    /// Applies transfers whose takeover time has come: the relation moves to the new member.
    func settleTransfers(_ corpID: String) {
        guard var corp = corps[corpID] else { return }
        let now = clock.unixNow
        var changed = false
        for index in corp.transfers.indices where corp.transfers[index].status == 2 && corp.transfers[index].takeoverTime <= now {
            let transfer = corp.transfers[index]
            guard var list = corp.relations[transfer.externalUserID],
                  let from = list.firstIndex(where: { $0.userID == transfer.handover })
            else {
                corp.transfers[index].status = 5
                changed = true
                continue
            }
            guard !list.contains(where: { $0.userID == transfer.takeover }) else {
                list.remove(at: from)
                corp.relations[transfer.externalUserID] = list
                corp.transfers[index].status = 1
                changed = true
                continue
            }
            list[from].userID = transfer.takeover
            list[from].operUserID = transfer.takeover
            corp.relations[transfer.externalUserID] = list
            corp.transfers[index].status = 1
            changed = true
        }
        if changed { corps[corpID] = corp }
    }

    // MARK: Moments and statistics

    func addMomentTask(_ corpID: String, _ request: AddMomentTaskRequest) throws(SandboxError) -> AddMomentTaskResponse {
        if let text = request.text, text.content.count > 2000 { throw .invalidParameter("text.content is at most 2000 characters") }
        guard request.text != nil || !(request.attachments ?? []).isEmpty else { throw .invalidParameter("text or attachments is required") }
        let jobID = ids.text("job", length: 24)
        let momentID = ids.text("mom", length: 24)
        return try mutate(corpID) { corp in
            let senders = request.visibleRange?.senderList?.userList ?? []
            corp.moments[jobID] = Moment(jobID: jobID, momentID: momentID, invalidSenders: senders.filter { corp.members[$0] == nil })
            return AddMomentTaskResponse(jobID: jobID)
        }
    }

    func momentTaskResult(_ corpID: String, jobID: String) throws(SandboxError) -> MomentTaskResultResponse {
        try read(corpID) { corp throws(SandboxError) in
            guard let moment = corp.moments[jobID] else { throw .invalidParameter("unknown jobid") }
            return MomentTaskResultResponse(status: 3, type: "add_moment_task", result: MomentTaskOutcome(
                errcode: 0, errmsg: "ok", momentID: moment.momentID,
                invalidSenderList: SenderList(userList: moment.invalidSenders, departmentList: [])
            ))
        }
    }

    func userBehaviorData(_ corpID: String, _ request: UserBehaviorDataRequest) throws(SandboxError) -> UserBehaviorDataResponse {
        guard request.endTime >= request.startTime, request.endTime - request.startTime <= 30 * 86400 else {
            throw .invalidParameter("the span is at most 30 days")
        }
        return try read(corpID) { corp throws(SandboxError) in
            let users = request.userID ?? []
            guard !users.isEmpty else { throw .invalidParameter("userid is required") }
            for user in users where corp.members[user] == nil { throw .invalidUser }
            let calendar = MassMessageRule.calendar
            var days: [BehaviorData] = []
            var from = Int(calendar.start(ofDay: calendar.day(Int64(request.startTime))))
            while from <= request.endTime {
                let to = from + 86400
                let adds = corp.relations.values.flatMap { $0 }.filter { users.contains($0.userID) && $0.createTime >= from && $0.createTime < to }
                let messages = corp.archive.filter { users.contains($0.from) && Int($0.msgTime / 1000) >= from && Int($0.msgTime / 1000) < to }
                days.append(BehaviorData(
                    statTime: from, chatCnt: Set(messages.map { $0.toList.first ?? "" }).count, messageCnt: messages.count,
                    replyPercentage: messages.isEmpty ? 0 : 100, avgReplyTime: messages.isEmpty ? 0 : 1,
                    negativeFeedbackCnt: 0, newApplyCnt: adds.count, newContactCnt: adds.count
                ))
                from = to
            }
            return UserBehaviorDataResponse(behaviorData: days)
        }
    }
}
