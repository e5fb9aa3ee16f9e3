import Testing
import WeCom

/// Decodes `xml` and records an issue unless it fails with `code` naming `field`.
func expectCallbackError(
    _ code: WeComCallbackError.Code,
    field: String?,
    _ xml: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    do {
        let callback = try WeComCallback.decode(xml)
        Issue.record("expected \(code.rawValue), decoded \(callback.payload)", sourceLocation: sourceLocation)
    } catch {
        #expect(error.code == code, sourceLocation: sourceLocation)
        #expect(error.field == field, sourceLocation: sourceLocation)
    }
}

@Suite("WeCom customer events")
struct WeComCustomerEventTests {
    private let pair = WeComCallback.ContactPair(userID: "zhangsan", externalUserID: "woAJ2GCAAAXtWyujaWJHDDGi0mAAAA")
    private var pairFields: [(String, String)] {
        [("UserID", pair.userID), ("ExternalUserID", pair.externalUserID)]
    }

    private func contactEvent(_ changeType: String, _ extra: [(String, String)] = []) -> String {
        CallbackFixtures.wecomEvent("change_external_contact", [("ChangeType", changeType)] + pairFields + extra)
    }

    @Test func addExternalContactSample() throws {
        let callback = try WeComCallback.decode(WeComCallbackSamples.externalContactAdd)
        #expect(
            callback.header
                == .init(
                    toUserName: "toUser", fromUserName: "sys", createTime: 1_403_610_513, msgType: "event",
                    event: "change_external_contact"))
        #expect(
            callback.payload
                == .externalContact(.add(.init(contact: pair, state: "teststate", welcomeCode: "WELCOMECODE"))))
        #expect(callback.fields.count == 10)
        #expect(callback.fields["WelcomeCode"] == "WELCOMECODE")
        #expect(callback.element.name == "xml")
    }

    @Test func addHalfExternalContactWithoutOptionalFields() throws {
        let callback = try WeComCallback.decode(contactEvent("add_half_external_contact", [("State", "")]))
        #expect(callback.payload == .externalContact(.addHalf(.init(contact: pair, state: nil, welcomeCode: nil))))
    }

    @Test func editExternalContact() throws {
        let callback = try WeComCallback.decode(contactEvent("edit_external_contact", [("State", "ch1")]))
        #expect(callback.payload == .externalContact(.edit(pair, state: "ch1")))
    }

    @Test func deleteExternalContactWithSource() throws {
        let callback = try WeComCallback.decode(
            contactEvent("del_external_contact", [("Source", "DELETE_BY_TRANSFER")]))
        #expect(callback.payload == .externalContact(.delete(pair, source: "DELETE_BY_TRANSFER")))
        let plain = try WeComCallback.decode(contactEvent("del_external_contact"))
        #expect(plain.payload == .externalContact(.delete(pair, source: nil)))
    }

    @Test func deleteFollowUser() throws {
        let callback = try WeComCallback.decode(contactEvent("del_follow_user"))
        #expect(callback.payload == .externalContact(.deleteFollowUser(pair)))
    }

    @Test func transferFailReasons() throws {
        for reason in [
            WeComCallback.TransferFailReason.customerRefused, .customerLimitExceed, .init(rawValue: "new_reason"),
        ] {
            let callback = try WeComCallback.decode(contactEvent("transfer_fail", [("FailReason", reason.rawValue)]))
            #expect(callback.payload == .externalContact(.transferFail(pair, reason: reason)))
        }
    }

    @Test func unknownContactChangeTypeKeepsFields() throws {
        let callback = try WeComCallback.decode(contactEvent("brand_new_change", [("Extra", "1")]))
        #expect(callback.payload == .externalContact(.other(changeType: "brand_new_change")))
        #expect(callback.fields["Extra"] == "1")
    }

    @Test func missingRequiredContactFields() {
        let withoutExternal = CallbackFixtures.wecomEvent(
            "change_external_contact", [("ChangeType", "add_external_contact"), ("UserID", "zhangsan")])
        expectCallbackError(.missingField, field: "ExternalUserID", withoutExternal)
        let emptyUser = CallbackFixtures.wecomEvent(
            "change_external_contact", [("ChangeType", "del_follow_user"), ("UserID", ""), ("ExternalUserID", "wo1")])
        expectCallbackError(.missingField, field: "UserID", emptyUser)
        expectCallbackError(.missingField, field: "FailReason", contactEvent("transfer_fail"))
        expectCallbackError(
            .missingField, field: "ChangeType", CallbackFixtures.wecomEvent("change_external_contact", pairFields))
    }

    @Test func externalChatUpdateSample() throws {
        let callback = try WeComCallback.decode(WeComCallbackSamples.externalChatUpdate)
        let expected = WeComCallback.ChatUpdate(
            chatID: "CHAT_ID", detail: .addMember, joinScene: 1, quitScene: 0, memberChangeCount: 10,
            changedMembers: ["Jack", "Rose"], lastMemberVersion: "9c3f97c2ada667dfb5f6d03308d963e1",
            currentMemberVersion: "71217227bbd112ecfe3a49c482195cb4")
        #expect(callback.payload == .externalChat(.update(expected)))
    }

    @Test func externalChatCreateDismissAndUnknown() throws {
        func chat(_ changeType: String) throws -> WeComCallback.Payload {
            try WeComCallback.decode(
                CallbackFixtures.wecomEvent("change_external_chat", [("ChatId", "wrX"), ("ChangeType", changeType)])
            ).payload
        }
        #expect(try chat("create") == .externalChat(.create(chatID: "wrX")))
        #expect(try chat("dismiss") == .externalChat(.dismiss(chatID: "wrX")))
        #expect(try chat("archive") == .externalChat(.other(changeType: "archive")))
    }

    @Test func externalChatUpdateDetails() throws {
        let xml = CallbackFixtures.wecomEvent(
            "change_external_chat",
            [
                ("ChatId", "wrX"), ("ChangeType", "update"), ("UpdateDetail", "del_member"), ("QuitScene", "1"),
                ("MemChangeCnt", "1"),
            ])
        let expected = WeComCallback.ChatUpdate(
            chatID: "wrX", detail: .deleteMember, quitScene: 1, memberChangeCount: 1)
        #expect(try WeComCallback.decode(xml).payload == .externalChat(.update(expected)))
    }

    @Test func externalChatErrors() {
        expectCallbackError(
            .missingField, field: "ChatId",
            CallbackFixtures.wecomEvent("change_external_chat", [("ChangeType", "create")]))
        expectCallbackError(
            .missingField, field: "UpdateDetail",
            CallbackFixtures.wecomEvent("change_external_chat", [("ChatId", "wrX"), ("ChangeType", "update")]))
        expectCallbackError(
            .invalidField, field: "JoinScene",
            CallbackFixtures.wecomEvent(
                "change_external_chat",
                [("ChatId", "wrX"), ("ChangeType", "update"), ("UpdateDetail", "add_member"), ("JoinScene", "QR")]))
    }

    @Test func externalTagEvents() throws {
        func tag(_ fields: [(String, String)]) throws -> WeComCallback.Payload {
            try WeComCallback.decode(CallbackFixtures.wecomEvent("change_external_tag", fields)).payload
        }
        let tagRef = WeComCallback.TagReference(id: "etA", tagType: .tag)
        #expect(
            try tag([("ChangeType", "create"), ("Id", "etA"), ("TagType", "tag")]) == .externalTag(.create(tagRef)))
        #expect(
            try tag([("ChangeType", "update"), ("Id", "etA"), ("TagType", "tag")]) == .externalTag(.update(tagRef)))
        let group = WeComCallback.TagReference(id: "etG", tagType: .tagGroup, strategyID: "7")
        #expect(
            try tag([("ChangeType", "delete"), ("Id", "etG"), ("TagType", "tag_group"), ("StrategyId", "7")])
                == .externalTag(.delete(group)))
        #expect(
            try tag([("ChangeType", "shuffle"), ("Id", "etG")])
                == .externalTag(.shuffle(groupID: "etG", strategyID: nil)))
        #expect(try tag([("ChangeType", "shuffle")]) == .externalTag(.shuffle(groupID: nil, strategyID: nil)))
        #expect(try tag([("ChangeType", "merge")]) == .externalTag(.other(changeType: "merge")))
        expectCallbackError(
            .missingField, field: "TagType",
            CallbackFixtures.wecomEvent("change_external_tag", [("ChangeType", "create"), ("Id", "etA")]))
    }

    @Test func messageAuditNotify() throws {
        let xml = CallbackFixtures.document([
            ("ToUserName", "ww_corp"), ("FromUserName", "sys"), ("CreateTime", "1403610513"), ("MsgType", "event"),
            ("Event", "msgaudit_notify"), ("AgentID", "2000003"),
        ])
        let callback = try WeComCallback.decode(xml)
        #expect(callback.payload == .messageAuditNotify)
        #expect(callback.header.agentID == "2000003")
    }

    @Test func unknownEventKeepsEveryField() throws {
        let callback = try WeComCallback.decode(
            CallbackFixtures.wecomEvent("enter_agent", [("EventKey", ""), ("X", "y")]))
        #expect(callback.payload == .unknownEvent("enter_agent"))
        #expect(callback.fields["X"] == "y")
        #expect(callback.fields["EventKey"] == "")
    }

    @Test func headerErrors() {
        expectCallbackError(.missingField, field: "ToUserName", "<xml><FromUserName>a</FromUserName></xml>")
        expectCallbackError(
            .invalidField, field: "CreateTime",
            CallbackFixtures.document([
                ("ToUserName", "a"), ("FromUserName", "b"), ("CreateTime", "yesterday"), ("MsgType", "text"),
            ]))
        expectCallbackError(
            .missingField, field: "Event",
            CallbackFixtures.document([
                ("ToUserName", "a"), ("FromUserName", "b"), ("CreateTime", "1"), ("MsgType", "event"),
            ]))
        expectCallbackError(.unexpectedRoot, field: "root", "<root/>")
    }

    @Test func malformedXMLCarriesTheParserError() {
        do {
            _ = try WeComCallback.decode("<xml><a></b></xml>")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .malformedXML)
            #expect(error.xmlError == WeComXMLError(.mismatchedTag, at: 8))
        }
    }
}
