#!/usr/bin/env python3
"""Generates Sources/WeCom/API/Models.generated.swift: the JSON shapes of the WeCom API.

Each model is a public Codable struct with the platform's exact field names as CodingKeys
and a public memberwise initialiser. Edit the SPEC below and run:
    python3 scripts/gen-wecom-models.py > Sources/WeCom/API/Models.generated.swift
"""

# type name -> (doc, [(swift name, json key, swift type, default or None)])
# A type ending in '?' is optional and defaults to nil.
SPEC = [
    ("AccessTokenResponse", "`gettoken` answer.", [
        ("accessToken", "access_token", "String", None), ("expiresIn", "expires_in", "Int", None)]),
    # Members and departments (used by sync and the sandbox)
    ("Department", "A department of `department/list`.", [
        ("id", "id", "Int", None), ("name", "name", "String", None), ("parentID", "parentid", "Int", "0"),
        ("order", "order", "Int?", None)]),
    ("DepartmentListResponse", "`department/list` answer.", [("department", "department", "[Department]", None)]),
    ("Member", "A member of `user/list`.", [
        ("userID", "userid", "String", None), ("name", "name", "String", None),
        ("department", "department", "[Int]", "[]"), ("position", "position", "String?", None),
        ("status", "status", "Int?", None)]),
    ("MemberListResponse", "`user/list` answer.", [("userList", "userlist", "[Member]", None)]),
    # Customers
    ("FollowUserListResponse", "`externalcontact/get_follow_user_list` answer.", [("followUser", "follow_user", "[String]", None)]),
    ("ExternalContactListResponse", "`externalcontact/list` answer.", [("externalUserID", "external_userid", "[String]", None)]),
    ("ExternalContact", "A customer as `externalcontact/get` describes them.", [
        ("externalUserID", "external_userid", "String", None), ("name", "name", "String", None),
        ("position", "position", "String?", None), ("avatar", "avatar", "String?", None),
        ("corpName", "corp_name", "String?", None), ("corpFullName", "corp_full_name", "String?", None),
        ("type", "type", "Int", "1"), ("gender", "gender", "Int", "0"), ("unionID", "unionid", "String?", None),
        ("externalProfile", "external_profile", "JSONValue?", None)]),
    ("FollowUserTag", "A tag on a follow relation.", [
        ("groupName", "group_name", "String?", None), ("tagName", "tag_name", "String?", None),
        ("tagID", "tag_id", "String?", None), ("type", "type", "Int", "1")]),
    ("FollowUser", "A member who added the customer (`externalcontact/get`).", [
        ("userID", "userid", "String", None), ("remark", "remark", "String?", None),
        ("description", "description", "String?", None), ("createTime", "createtime", "Int", None),
        ("tags", "tags", "[FollowUserTag]?", None), ("remarkCorpName", "remark_corp_name", "String?", None),
        ("remarkMobiles", "remark_mobiles", "[String]?", None), ("operUserID", "oper_userid", "String?", None),
        ("addWay", "add_way", "Int?", None), ("state", "state", "String?", None)]),
    ("ExternalContactDetail", "`externalcontact/get` answer.", [
        ("externalContact", "external_contact", "ExternalContact", None),
        ("followUser", "follow_user", "[FollowUser]", "[]"), ("nextCursor", "next_cursor", "String?", None)]),
    ("BatchGetByUserRequest", "`externalcontact/batch/get_by_user` body.", [
        ("userIDList", "userid_list", "[String]", None), ("cursor", "cursor", "String?", None), ("limit", "limit", "Int?", None)]),
    ("FollowInfo", "The follow relation in `batch/get_by_user`.", [
        ("userID", "userid", "String", None), ("remark", "remark", "String?", None),
        ("description", "description", "String?", None), ("createTime", "createtime", "Int", None),
        ("tagID", "tag_id", "[String]?", None), ("remarkCorpName", "remark_corp_name", "String?", None),
        ("remarkMobiles", "remark_mobiles", "[String]?", None), ("operUserID", "oper_userid", "String?", None),
        ("addWay", "add_way", "Int?", None), ("state", "state", "String?", None)]),
    ("BatchExternalContact", "One item of `batch/get_by_user`.", [
        ("externalContact", "external_contact", "ExternalContact", None), ("followInfo", "follow_info", "FollowInfo", None)]),
    ("BatchGetByUserResponse", "`batch/get_by_user` answer.", [
        ("externalContactList", "external_contact_list", "[BatchExternalContact]", "[]"), ("nextCursor", "next_cursor", "String?", None)]),
    ("RemarkRequest", "`externalcontact/remark` body.", [
        ("userID", "userid", "String", None), ("externalUserID", "external_userid", "String", None),
        ("remark", "remark", "String?", None), ("description", "description", "String?", None),
        ("remarkCompany", "remark_company", "String?", None), ("remarkMobiles", "remark_mobiles", "[String]?", None)]),
    # Tags
    ("MarkTagRequest", "`externalcontact/mark_tag` body (not both lists empty).", [
        ("userID", "userid", "String", None), ("externalUserID", "external_userid", "String", None),
        ("addTag", "add_tag", "[String]?", None), ("removeTag", "remove_tag", "[String]?", None)]),
    ("CorpTag", "An enterprise tag.", [
        ("id", "id", "String", None), ("name", "name", "String", None), ("createTime", "create_time", "Int", "0"),
        ("order", "order", "Int", "0"), ("deleted", "deleted", "Bool?", None)]),
    ("CorpTagGroup", "A group of enterprise tags.", [
        ("groupID", "group_id", "String", None), ("groupName", "group_name", "String", None),
        ("createTime", "create_time", "Int", "0"), ("order", "order", "Int", "0"), ("deleted", "deleted", "Bool?", None),
        ("tag", "tag", "[CorpTag]", "[]")]),
    ("CorpTagListRequest", "`externalcontact/get_corp_tag_list` body.", [
        ("tagID", "tag_id", "[String]?", None), ("groupID", "group_id", "[String]?", None)]),
    ("CorpTagListResponse", "`get_corp_tag_list` answer.", [("tagGroup", "tag_group", "[CorpTagGroup]", "[]")]),
    ("NewCorpTag", "A tag to create.", [("name", "name", "String", None), ("order", "order", "Int?", None)]),
    ("AddCorpTagRequest", "`externalcontact/add_corp_tag` body: into `group_id`, or a new group `group_name`.", [
        ("groupID", "group_id", "String?", None), ("groupName", "group_name", "String?", None),
        ("order", "order", "Int?", None), ("tag", "tag", "[NewCorpTag]", None)]),
    ("AddCorpTagResponse", "`add_corp_tag` answer.", [("tagGroup", "tag_group", "CorpTagGroup", None)]),
    ("EditCorpTagRequest", "`externalcontact/edit_corp_tag` body (a tag or a group id).", [
        ("id", "id", "String", None), ("name", "name", "String?", None), ("order", "order", "Int?", None)]),
    ("DeleteCorpTagRequest", "`externalcontact/del_corp_tag` body.", [
        ("tagID", "tag_id", "[String]?", None), ("groupID", "group_id", "[String]?", None)]),
    # Contact ways
    ("TextContent", "A text body.", [("content", "content", "String", None)]),
    ("ImageAttachment", "An image by media id or URL.", [("mediaID", "media_id", "String?", None), ("picURL", "pic_url", "String?", None)]),
    ("LinkAttachment", "A link card.", [
        ("title", "title", "String", None), ("picURL", "picurl", "String?", None), ("desc", "desc", "String?", None), ("url", "url", "String", None)]),
    ("MiniProgramAttachment", "A mini-program card.", [
        ("title", "title", "String", None), ("picMediaID", "pic_media_id", "String", None), ("appID", "appid", "String", None), ("page", "page", "String", None)]),
    ("MediaAttachment", "A video or file by media id.", [("mediaID", "media_id", "String", None)]),
    ("Attachment", "One attachment of a message: `msgtype` names the filled field.", [
        ("msgType", "msgtype", "String", None), ("image", "image", "ImageAttachment?", None),
        ("link", "link", "LinkAttachment?", None), ("miniprogram", "miniprogram", "MiniProgramAttachment?", None),
        ("video", "video", "MediaAttachment?", None), ("file", "file", "MediaAttachment?", None)]),
    ("Conclusions", "What a temporary contact way says when the conversation ends.", [
        ("text", "text", "TextContent?", None), ("image", "image", "ImageAttachment?", None),
        ("link", "link", "LinkAttachment?", None), ("miniprogram", "miniprogram", "MiniProgramAttachment?", None)]),
    ("ContactWay", "A 「联系我」 contact way: the WeCom side of a channel code.", [
        ("configID", "config_id", "String?", None), ("type", "type", "Int", None), ("scene", "scene", "Int", None),
        ("style", "style", "Int?", None), ("remark", "remark", "String?", None), ("skipVerify", "skip_verify", "Bool?", None),
        ("state", "state", "String?", None), ("user", "user", "[String]?", None), ("party", "party", "[Int]?", None),
        ("isTemp", "is_temp", "Bool?", None), ("expiresIn", "expires_in", "Int?", None),
        ("chatExpiresIn", "chat_expires_in", "Int?", None), ("unionID", "unionid", "String?", None),
        ("isExclusive", "is_exclusive", "Bool?", None), ("conclusions", "conclusions", "Conclusions?", None),
        ("qrCode", "qr_code", "String?", None)]),
    ("AddContactWayResponse", "`add_contact_way` answer (qr_code only for scene 2).", [
        ("configID", "config_id", "String", None), ("qrCode", "qr_code", "String?", None)]),
    ("ConfigIDRequest", "A body naming one contact way.", [("configID", "config_id", "String", None)]),
    ("GetContactWayResponse", "`get_contact_way` answer.", [("contactWay", "contact_way", "ContactWay", None)]),
    # Mass messages
    ("TagFilterGroup", "One group of a tag filter.", [("tagList", "tag_list", "[String]", None)]),
    ("TagFilter", "Recipients by tag.", [("groupList", "group_list", "[TagFilterGroup]", None)]),
    ("AddMsgTemplateRequest", "`externalcontact/add_msg_template` body: creates a mass-message task.", [
        ("chatType", "chat_type", "String?", None), ("externalUserID", "external_userid", "[String]?", None),
        ("chatIDList", "chat_id_list", "[String]?", None), ("tagFilter", "tag_filter", "TagFilter?", None),
        ("sender", "sender", "String?", None), ("allowSelect", "allow_select", "Bool?", None),
        ("text", "text", "TextContent?", None), ("attachments", "attachments", "[Attachment]?", None)]),
    ("AddMsgTemplateResponse", "`add_msg_template` answer.", [
        ("failList", "fail_list", "[String]?", None), ("msgID", "msgid", "String", None)]),
    ("GroupMsgListRequest", "`externalcontact/get_groupmsg_list_v2` body.", [
        ("chatType", "chat_type", "String", None), ("startTime", "start_time", "Int", None), ("endTime", "end_time", "Int", None),
        ("creator", "creator", "String?", None), ("filterType", "filter_type", "Int?", None),
        ("limit", "limit", "Int?", None), ("cursor", "cursor", "String?", None)]),
    ("GroupMsg", "A mass-message task.", [
        ("msgID", "msgid", "String", None), ("creator", "creator", "String?", None),
        ("createTime", "create_time", "String?", None), ("createType", "create_type", "Int?", None),
        ("text", "text", "TextContent?", None), ("attachments", "attachments", "[Attachment]?", None)]),
    ("GroupMsgListResponse", "`get_groupmsg_list_v2` answer.", [
        ("groupMsgList", "group_msg_list", "[GroupMsg]", "[]"), ("nextCursor", "next_cursor", "String?", None)]),
    ("GroupMsgTaskRequest", "`externalcontact/get_groupmsg_task` body.", [
        ("msgID", "msgid", "String", None), ("limit", "limit", "Int?", None), ("cursor", "cursor", "String?", None)]),
    ("GroupMsgTask", "One sender's part of a mass message; status 0 not sent, 2 sent.", [
        ("userID", "userid", "String", None), ("status", "status", "Int", None), ("sendTime", "send_time", "Int?", None)]),
    ("GroupMsgTaskResponse", "`get_groupmsg_task` answer.", [
        ("taskList", "task_list", "[GroupMsgTask]", "[]"), ("nextCursor", "next_cursor", "String?", None)]),
    ("GroupMsgSendResultRequest", "`externalcontact/get_groupmsg_send_result` body.", [
        ("msgID", "msgid", "String", None), ("userID", "userid", "String", None),
        ("limit", "limit", "Int?", None), ("cursor", "cursor", "String?", None)]),
    ("GroupMsgSendResult", "One recipient's outcome: 0 not sent, 1 sent, 2 not a friend, 3 over the platform cap.", [
        ("externalUserID", "external_userid", "String?", None), ("chatID", "chat_id", "String?", None),
        ("userID", "userid", "String", None), ("status", "status", "Int", None), ("sendTime", "send_time", "Int?", None)]),
    ("GroupMsgSendResultResponse", "`get_groupmsg_send_result` answer.", [
        ("sendList", "send_list", "[GroupMsgSendResult]", "[]"), ("nextCursor", "next_cursor", "String?", None)]),
    ("MsgIDRequest", "A body naming one mass message (remind, cancel).", [("msgID", "msgid", "String", None)]),
    ("GroupMsgResultResponse", "`externalcontact/get_group_msg_result` answer (the older, unpaged result API).", [
        ("checkStatus", "check_status", "Int?", None), ("detailList", "detail_list", "[GroupMsgSendResult]", "[]")]),
    ("SendWelcomeMsgRequest", "`externalcontact/send_welcome_msg` body: once, within 20 s of the add event.", [
        ("welcomeCode", "welcome_code", "String", None), ("text", "text", "TextContent?", None),
        ("attachments", "attachments", "[Attachment]?", None)]),
    # Customer groups
    ("OwnerFilter", "Groups by owner.", [("userIDList", "userid_list", "[String]", None)]),
    ("GroupChatListRequest", "`externalcontact/groupchat/list` body.", [
        ("statusFilter", "status_filter", "Int?", None), ("ownerFilter", "owner_filter", "OwnerFilter?", None),
        ("cursor", "cursor", "String?", None), ("limit", "limit", "Int", None)]),
    ("GroupChatStatus", "One group of `groupchat/list`.", [("chatID", "chat_id", "String", None), ("status", "status", "Int", "0")]),
    ("GroupChatListResponse", "`groupchat/list` answer.", [
        ("groupChatList", "group_chat_list", "[GroupChatStatus]", "[]"), ("nextCursor", "next_cursor", "String?", None)]),
    ("GroupChatGetRequest", "`externalcontact/groupchat/get` body.", [
        ("chatID", "chat_id", "String", None), ("needName", "need_name", "Int?", None)]),
    ("UserRef", "A member by id.", [("userID", "userid", "String", None)]),
    ("GroupChatMember", "A member of a customer group: type 1 member, 2 customer.", [
        ("userID", "userid", "String", None), ("type", "type", "Int", None), ("unionID", "unionid", "String?", None),
        ("joinTime", "join_time", "Int", None), ("joinScene", "join_scene", "Int", None),
        ("invitor", "invitor", "UserRef?", None), ("groupNickname", "group_nickname", "String?", None),
        ("name", "name", "String?", None), ("state", "state", "String?", None)]),
    ("GroupChat", "A customer group.", [
        ("chatID", "chat_id", "String", None), ("name", "name", "String", None), ("owner", "owner", "String", None),
        ("createTime", "create_time", "Int", None), ("notice", "notice", "String?", None),
        ("memberList", "member_list", "[GroupChatMember]", "[]"), ("adminList", "admin_list", "[UserRef]?", None),
        ("memberVersion", "member_version", "String?", None)]),
    ("GroupChatGetResponse", "`groupchat/get` answer.", [("groupChat", "group_chat", "GroupChat", None)]),
    ("GroupChatTransferRequest", "`externalcontact/groupchat/transfer` body (<= 100 groups).", [
        ("chatIDList", "chat_id_list", "[String]", None), ("newOwner", "new_owner", "String", None)]),
    ("FailedChat", "A group that could not be transferred.", [
        ("chatID", "chat_id", "String", None), ("errcode", "errcode", "Int", None), ("errmsg", "errmsg", "String?", None)]),
    ("GroupChatTransferResponse", "`groupchat/transfer` answer.", [("failedChatList", "failed_chat_list", "[FailedChat]", "[]")]),
    # Transfers
    ("TransferCustomerRequest", "`externalcontact/transfer_customer` body (in service; resigned omits the message).", [
        ("handoverUserID", "handover_userid", "String", None), ("takeoverUserID", "takeover_userid", "String", None),
        ("externalUserID", "external_userid", "[String]", None), ("transferSuccessMsg", "transfer_success_msg", "String?", None)]),
    ("TransferredCustomer", "A customer's transfer outcome.", [
        ("externalUserID", "external_userid", "String", None), ("errcode", "errcode", "Int", None)]),
    ("TransferCustomerResponse", "`transfer_customer` answer.", [("customer", "customer", "[TransferredCustomer]", "[]")]),
    ("TransferResultRequest", "`externalcontact/transfer_result` body.", [
        ("handoverUserID", "handover_userid", "String", None), ("takeoverUserID", "takeover_userid", "String", None),
        ("cursor", "cursor", "String?", None)]),
    ("TransferStatus", "1 done, 2 waiting, 3 refused, 4 over limit, 5 no record.", [
        ("externalUserID", "external_userid", "String", None), ("status", "status", "Int", None),
        ("takeoverTime", "takeover_time", "Int?", None)]),
    ("TransferResultResponse", "`transfer_result` answer.", [
        ("customer", "customer", "[TransferStatus]", "[]"), ("nextCursor", "next_cursor", "String?", None)]),
    ("UnassignedListRequest", "`externalcontact/get_unassigned_list` body.", [
        ("pageSize", "page_size", "Int?", None), ("cursor", "cursor", "String?", None)]),
    ("UnassignedCustomer", "A customer of a resigned member.", [
        ("handoverUserID", "handover_userid", "String", None), ("externalUserID", "external_userid", "String", None),
        ("dimissionTime", "dimission_time", "Int", None)]),
    ("UnassignedListResponse", "`get_unassigned_list` answer.", [
        ("info", "info", "[UnassignedCustomer]", "[]"), ("isLast", "is_last", "Bool", "true"), ("nextCursor", "next_cursor", "String?", None)]),
    # Moments and statistics
    ("SenderList", "Members who post a moment.", [
        ("userList", "user_list", "[String]?", None), ("departmentList", "department_list", "[Int]?", None)]),
    ("ExternalContactTagList", "Customers who see a moment, by tag.", [("tagList", "tag_list", "[String]", None)]),
    ("VisibleRange", "Who posts and who sees a moment.", [
        ("senderList", "sender_list", "SenderList?", None), ("externalContactList", "external_contact_list", "ExternalContactTagList?", None)]),
    ("AddMomentTaskRequest", "`externalcontact/add_moment_task` body.", [
        ("visibleRange", "visible_range", "VisibleRange?", None), ("text", "text", "TextContent?", None),
        ("attachments", "attachments", "[Attachment]?", None)]),
    ("AddMomentTaskResponse", "`add_moment_task` answer.", [("jobID", "jobid", "String", None)]),
    ("MomentTaskOutcome", "The result of a moment job.", [
        ("errcode", "errcode", "Int?", None), ("errmsg", "errmsg", "String?", None), ("momentID", "moment_id", "String?", None),
        ("invalidSenderList", "invalid_sender_list", "SenderList?", None),
        ("invalidExternalContactList", "invalid_external_contact_list", "ExternalContactTagList?", None)]),
    ("MomentTaskResultResponse", "`get_moment_task_result` answer: status 1 started, 2 running, 3 done.", [
        ("status", "status", "Int", None), ("type", "type", "String?", None), ("result", "result", "MomentTaskOutcome?", None)]),
    ("UserBehaviorDataRequest", "`externalcontact/get_user_behavior_data` body; span <= 30 days.", [
        ("userID", "userid", "[String]?", None), ("partyID", "partyid", "[Int]?", None),
        ("startTime", "start_time", "Int", None), ("endTime", "end_time", "Int", None)]),
    ("BehaviorData", "One day of a member's customer-contact statistics.", [
        ("statTime", "stat_time", "Int", None), ("chatCnt", "chat_cnt", "Int", "0"), ("messageCnt", "message_cnt", "Int", "0"),
        ("replyPercentage", "reply_percentage", "Double?", None), ("avgReplyTime", "avg_reply_time", "Int?", None),
        ("negativeFeedbackCnt", "negative_feedback_cnt", "Int", "0"), ("newApplyCnt", "new_apply_cnt", "Int", "0"),
        ("newContactCnt", "new_contact_cnt", "Int", "0")]),
    ("UserBehaviorDataResponse", "`get_user_behavior_data` answer.", [("behaviorData", "behavior_data", "[BehaviorData]", "[]")]),
]

def main():
    out = []
    out.append("// Generated by scripts/gen-wecom-models.py from its SPEC; edit the SPEC, not this file.")
    out.append("// The JSON shapes of the WeCom API (wecom-protocol.md §B, §C), field names exactly as the platform sends them.")
    out.append("")
    for name, doc, fields in SPEC:
        out.append(f"/// {doc}")
        out.append(f"public struct {name}: Codable, Sendable, Equatable {{")
        for swift, _, typ, _ in fields:
            out.append(f"    public var {swift}: {typ}")
        out.append("")
        out.append("    enum CodingKeys: String, CodingKey {")
        for swift, key, _, _ in fields:
            out.append(f'        case {swift} = "{key}"' if swift != key else f"        case {swift}")
        out.append("    }")
        out.append("")
        params = []
        for swift, _, typ, default in fields:
            if default is not None:
                params.append(f"{swift}: {typ} = {default}")
            elif typ.endswith("?"):
                params.append(f"{swift}: {typ} = nil")
            else:
                params.append(f"{swift}: {typ}")
        out.append(f"    public init({', '.join(params)}) {{")
        for swift, _, _, _ in fields:
            out.append(f"        self.{swift} = {swift}")
        out.append("    }")
        # Decoding tolerates absent fields that have defaults, as the platform omits empty ones.
        defaults = [(s, k, t, d) for s, k, t, d in fields if d is not None and not t.endswith("?")]
        if defaults:
            out.append("")
            out.append("    public init(from decoder: any Decoder) throws {")
            out.append("        let container = try decoder.container(keyedBy: CodingKeys.self)")
            for swift, _, typ, default in fields:
                if typ.endswith("?"):
                    out.append(f"        self.{swift} = try container.decodeIfPresent({typ[:-1]}.self, forKey: .{swift})")
                elif default is not None:
                    out.append(f"        self.{swift} = try container.decodeIfPresent({typ}.self, forKey: .{swift}) ?? {default}")
                else:
                    out.append(f"        self.{swift} = try container.decode({typ}.self, forKey: .{swift})")
            out.append("    }")
        out.append("}")
        out.append("")
    print("\n".join(out).rstrip() + "\n")

main()
