/// Typed calls for the endpoints of wecom-protocol.md §B and §C.
extension WeComClient {
    // MARK: Members and departments

    public func departments(id: Int? = nil) async throws -> [Department] {
        try await get("department/list", query: id.map { [("id", String($0))] } ?? [], as: DepartmentListResponse.self).department
    }

    /// Members of a department and, with `recursive`, of its sub-departments.
    public func members(departmentID: Int, recursive: Bool = true) async throws -> [Member] {
        try await get("user/list", query: [("department_id", String(departmentID)), ("fetch_child", recursive ? "1" : "0")], as: MemberListResponse.self).userList
    }

    // MARK: Customers

    /// Members who have the customer-contact feature.
    public func followUsers() async throws -> [String] {
        try await get("externalcontact/get_follow_user_list", as: FollowUserListResponse.self).followUser
    }

    /// The external user ids of one member's customers.
    public func externalContacts(of userID: String) async throws -> [String] {
        try await get("externalcontact/list", query: [("userid", userID)], as: ExternalContactListResponse.self).externalUserID
    }

    /// One customer with every member who added them (one page of `follow_user`).
    public func externalContact(_ externalUserID: String, cursor: String? = nil) async throws -> ExternalContactDetail {
        var query = [("external_userid", externalUserID)]
        if let cursor, !cursor.isEmpty { query.append(("cursor", cursor)) }
        return try await get("externalcontact/get", query: query)
    }

    /// One customer with every follow relation, walking `next_cursor`.
    public func externalContactWithAllFollowers(_ externalUserID: String) async throws -> ExternalContactDetail {
        var first = try await externalContact(externalUserID)
        var cursor = first.nextCursor
        var seen: Set<String> = []
        while let next = cursor, !next.isEmpty, seen.insert(next).inserted {
            let page = try await externalContact(externalUserID, cursor: next)
            first.followUser += page.followUser
            cursor = page.nextCursor
        }
        first.nextCursor = nil
        return first
    }

    public func batchExternalContacts(_ request: BatchGetByUserRequest) async throws -> BatchGetByUserResponse {
        try await post("externalcontact/batch/get_by_user", body: request)
    }

    /// Every customer of the given members (≤ 100 per call), walking every page.
    public func allExternalContacts(of userIDs: [String], pageSize: Int = 100) async throws -> [BatchExternalContact] {
        var all: [BatchExternalContact] = []
        for start in stride(from: 0, to: userIDs.count, by: 100) {
            let chunk = Array(userIDs[start..<min(start + 100, userIDs.count)])
            all += try await Self.collectPages { cursor in
                let page = try await self.batchExternalContacts(BatchGetByUserRequest(userIDList: chunk, cursor: cursor, limit: pageSize))
                return (page.externalContactList, page.nextCursor)
            }
        }
        return all
    }

    public func remark(_ request: RemarkRequest) async throws {
        let _: OK = try await post("externalcontact/remark", body: request)
    }

    // MARK: Tags

    public func markTag(_ request: MarkTagRequest) async throws {
        let _: OK = try await post("externalcontact/mark_tag", body: request)
    }

    public func corpTags(_ request: CorpTagListRequest = CorpTagListRequest()) async throws -> [CorpTagGroup] {
        try await post("externalcontact/get_corp_tag_list", body: request, as: CorpTagListResponse.self).tagGroup
    }

    public func addCorpTag(_ request: AddCorpTagRequest) async throws -> CorpTagGroup {
        try await post("externalcontact/add_corp_tag", body: request, as: AddCorpTagResponse.self).tagGroup
    }

    public func editCorpTag(_ request: EditCorpTagRequest) async throws {
        let _: OK = try await post("externalcontact/edit_corp_tag", body: request)
    }

    public func deleteCorpTag(_ request: DeleteCorpTagRequest) async throws {
        let _: OK = try await post("externalcontact/del_corp_tag", body: request)
    }

    // MARK: Contact ways

    public func addContactWay(_ way: ContactWay) async throws -> AddContactWayResponse {
        try await post("externalcontact/add_contact_way", body: way)
    }

    public func contactWay(_ configID: String) async throws -> ContactWay {
        try await post("externalcontact/get_contact_way", body: ConfigIDRequest(configID: configID), as: GetContactWayResponse.self).contactWay
    }

    /// `way.configID` names the contact way to update.
    public func updateContactWay(_ way: ContactWay) async throws {
        let _: OK = try await post("externalcontact/update_contact_way", body: way)
    }

    public func deleteContactWay(_ configID: String) async throws {
        let _: OK = try await post("externalcontact/del_contact_way", body: ConfigIDRequest(configID: configID))
    }

    // MARK: Mass messages and welcome messages

    public func addMessageTemplate(_ request: AddMsgTemplateRequest) async throws -> AddMsgTemplateResponse {
        try await post("externalcontact/add_msg_template", body: request)
    }

    public func groupMessages(_ request: GroupMsgListRequest) async throws -> GroupMsgListResponse {
        try await post("externalcontact/get_groupmsg_list_v2", body: request)
    }

    /// Every sender's task of a mass message, walking every page.
    public func groupMessageTasks(msgID: String) async throws -> [GroupMsgTask] {
        try await Self.collectPages { cursor in
            let page: GroupMsgTaskResponse = try await self.post(
                "externalcontact/get_groupmsg_task", body: GroupMsgTaskRequest(msgID: msgID, limit: 1000, cursor: cursor)
            )
            return (page.taskList, page.nextCursor)
        }
    }

    /// Every recipient's outcome of one sender's part of a mass message, walking every page.
    public func groupMessageResults(msgID: String, userID: String) async throws -> [GroupMsgSendResult] {
        try await Self.collectPages { cursor in
            let page: GroupMsgSendResultResponse = try await self.post(
                "externalcontact/get_groupmsg_send_result",
                body: GroupMsgSendResultRequest(msgID: msgID, userID: userID, limit: 1000, cursor: cursor)
            )
            return (page.sendList, page.nextCursor)
        }
    }

    /// Every recipient's outcome across all senders, through the older unpaged API.
    public func groupMessageResultLegacy(msgID: String) async throws -> [GroupMsgSendResult] {
        try await post("externalcontact/get_group_msg_result", body: MsgIDRequest(msgID: msgID), as: GroupMsgResultResponse.self).detailList
    }

    public func remindGroupMessage(msgID: String) async throws {
        let _: OK = try await post("externalcontact/remind_groupmsg_send", body: MsgIDRequest(msgID: msgID))
    }

    public func cancelGroupMessage(msgID: String) async throws {
        let _: OK = try await post("externalcontact/cancel_groupmsg_send", body: MsgIDRequest(msgID: msgID))
    }

    public func sendWelcomeMessage(_ request: SendWelcomeMsgRequest) async throws {
        let _: OK = try await post("externalcontact/send_welcome_msg", body: request)
    }

    // MARK: Customer groups

    public func groupChats(_ request: GroupChatListRequest) async throws -> GroupChatListResponse {
        try await post("externalcontact/groupchat/list", body: request)
    }

    /// Every customer group (optionally of some owners), walking every page.
    public func allGroupChats(statusFilter: Int = 0, owners: [String]? = nil) async throws -> [GroupChatStatus] {
        try await Self.collectPages { cursor in
            let page = try await self.groupChats(GroupChatListRequest(
                statusFilter: statusFilter, ownerFilter: owners.map { OwnerFilter(userIDList: $0) }, cursor: cursor, limit: 1000
            ))
            return (page.groupChatList, page.nextCursor)
        }
    }

    public func groupChat(_ chatID: String, needName: Bool = true) async throws -> GroupChat {
        try await post("externalcontact/groupchat/get", body: GroupChatGetRequest(chatID: chatID, needName: needName ? 1 : 0), as: GroupChatGetResponse.self).groupChat
    }

    public func transferGroupChats(_ request: GroupChatTransferRequest) async throws -> [FailedChat] {
        try await post("externalcontact/groupchat/transfer", body: request, as: GroupChatTransferResponse.self).failedChatList
    }

    // MARK: Transfers (继承)

    public func transferCustomers(_ request: TransferCustomerRequest) async throws -> [TransferredCustomer] {
        try await post("externalcontact/transfer_customer", body: request, as: TransferCustomerResponse.self).customer
    }

    public func transferResignedCustomers(_ request: TransferCustomerRequest) async throws -> [TransferredCustomer] {
        var request = request
        request.transferSuccessMsg = nil
        return try await post("externalcontact/resigned/transfer_customer", body: request, as: TransferCustomerResponse.self).customer
    }

    public func transferResults(handover: String, takeover: String, resigned: Bool = false) async throws -> [TransferStatus] {
        let path = resigned ? "externalcontact/resigned/transfer_result" : "externalcontact/transfer_result"
        return try await Self.collectPages { cursor in
            let page: TransferResultResponse = try await self.post(
                path, body: TransferResultRequest(handoverUserID: handover, takeoverUserID: takeover, cursor: cursor)
            )
            return (page.customer, page.nextCursor)
        }
    }

    public func unassignedCustomers() async throws -> [UnassignedCustomer] {
        try await Self.collectPages { cursor in
            let page: UnassignedListResponse = try await self.post(
                "externalcontact/get_unassigned_list", body: UnassignedListRequest(pageSize: 1000, cursor: cursor)
            )
            return (page.info, page.isLast ? nil : page.nextCursor)
        }
    }

    // MARK: Moments and statistics

    public func addMomentTask(_ request: AddMomentTaskRequest) async throws -> String {
        try await post("externalcontact/add_moment_task", body: request, as: AddMomentTaskResponse.self).jobID
    }

    public func momentTaskResult(jobID: String) async throws -> MomentTaskResultResponse {
        try await get("externalcontact/get_moment_task_result", query: [("jobid", jobID)])
    }

    public func userBehaviorData(_ request: UserBehaviorDataRequest) async throws -> [BehaviorData] {
        try await post("externalcontact/get_user_behavior_data", body: request, as: UserBehaviorDataResponse.self).behaviorData
    }

    // MARK: Cursors

    /// Calls `fetch` with each `next_cursor` until the platform returns an empty one.
    /// A cursor seen twice ends the walk instead of looping forever.
    public static func collectPages<Item>(
        maxPages: Int = 100_000,
        _ fetch: (String?) async throws -> (items: [Item], next: String?)
    ) async throws -> [Item] {
        var items: [Item] = []
        var cursor: String? = nil
        var seen: Set<String> = []
        for _ in 0..<maxPages {
            let page = try await fetch(cursor)
            items += page.items
            guard let next = page.next, !next.isEmpty, seen.insert(next).inserted else { break }
            cursor = next
        }
        return items
    }
}
