// Decoding a decrypted callback document into a WeComCallback.

import Foundation

extension WeComCallback {
    /// Parses and decodes a decrypted callback message.
    ///
    /// - Throws: ``WeComCallbackError``: `malformed_xml` with the parser's error,
    ///   `unexpected_root`, or `missing_field` / `invalid_field` naming the field.
    public static func decode(
        _ input: some WeComUTF8Input,
        options: WeComXML.Options = WeComXML.Options()
    ) throws(WeComCallbackError) -> WeComCallback {
        try WeComCallback(element: WeComCallbackError.parseRoot(input, options: options))
    }

    /// Decodes an already parsed `<xml>` element.
    public init(element: WeComXMLElement) throws(WeComCallbackError) {
        let fields = CallbackFields(element: element)
        let header = Header(
            toUserName: try fields.required("ToUserName"),
            fromUserName: try fields.required("FromUserName"),
            createTime: try fields.requiredNumber("CreateTime"),
            msgType: try fields.required("MsgType"),
            event: fields.optional("Event"),
            agentID: fields.optional("AgentID"))
        self.init(
            header: header, payload: try Payload(header: header, fields: fields),
            fields: fields.values, element: element)
    }
}

extension WeComCallback.Payload {
    fileprivate init(header: WeComCallback.Header, fields: CallbackFields) throws(WeComCallbackError) {
        guard header.msgType == "event" else {
            let content: WeComCallback.MessageContent =
                header.msgType == "text" ? .text(try fields.present("Content")) : .other(msgType: header.msgType)
            self = .message(WeComCallback.Message(msgID: fields.optional("MsgId"), content: content))
            return
        }
        guard let event = header.event else { throw WeComCallbackError(.missingField, field: "Event") }
        switch event {
        case "change_external_contact": self = .externalContact(try .init(fields))
        case "change_external_chat": self = .externalChat(try .init(fields))
        case "change_external_tag": self = .externalTag(try .init(fields))
        case "msgaudit_notify": self = .messageAuditNotify
        default:
            if let accountEvent = try WeComCallback.AccountEvent(event: event, fields: fields) {
                self = .accountEvent(accountEvent)
            } else {
                self = .unknownEvent(event)
            }
        }
    }
}

extension WeComCallback.ExternalContactChange {
    fileprivate init(_ fields: CallbackFields) throws(WeComCallbackError) {
        let changeType = try fields.required("ChangeType")
        switch changeType {
        case "add_external_contact": self = .add(try .init(fields))
        case "add_half_external_contact": self = .addHalf(try .init(fields))
        case "edit_external_contact": self = .edit(try .init(fields), state: fields.optional("State"))
        case "del_external_contact": self = .delete(try .init(fields), source: fields.optional("Source"))
        case "del_follow_user": self = .deleteFollowUser(try .init(fields))
        case "transfer_fail":
            self = .transferFail(try .init(fields), reason: .init(rawValue: try fields.required("FailReason")))
        default: self = .other(changeType: changeType)
        }
    }
}

extension WeComCallback.ContactPair {
    fileprivate init(_ fields: CallbackFields) throws(WeComCallbackError) {
        self.init(userID: try fields.required("UserID"), externalUserID: try fields.required("ExternalUserID"))
    }
}

extension WeComCallback.ContactAdded {
    fileprivate init(_ fields: CallbackFields) throws(WeComCallbackError) {
        self.init(
            contact: try .init(fields), state: fields.optional("State"),
            welcomeCode: fields.optional("WelcomeCode"))
    }
}

extension WeComCallback.ExternalChatChange {
    fileprivate init(_ fields: CallbackFields) throws(WeComCallbackError) {
        let changeType = try fields.required("ChangeType")
        switch changeType {
        case "create": self = .create(chatID: try fields.required("ChatId"))
        case "dismiss": self = .dismiss(chatID: try fields.required("ChatId"))
        case "update":
            let members = fields.element.child(named: "MemChangeList")?.children(named: "Item").map(\.text)
            self = .update(
                WeComCallback.ChatUpdate(
                    chatID: try fields.required("ChatId"),
                    detail: .init(rawValue: try fields.required("UpdateDetail")),
                    joinScene: try fields.optionalNumber("JoinScene"),
                    quitScene: try fields.optionalNumber("QuitScene"),
                    memberChangeCount: try fields.optionalNumber("MemChangeCnt"),
                    changedMembers: members ?? [],
                    lastMemberVersion: fields.optional("LastMemVer"),
                    currentMemberVersion: fields.optional("CurMemVer")))
        default: self = .other(changeType: changeType)
        }
    }
}

extension WeComCallback.ExternalTagChange {
    fileprivate init(_ fields: CallbackFields) throws(WeComCallbackError) {
        let changeType = try fields.required("ChangeType")
        switch changeType {
        case "create": self = .create(try .init(fields))
        case "update": self = .update(try .init(fields))
        case "delete": self = .delete(try .init(fields))
        case "shuffle": self = .shuffle(groupID: fields.optional("Id"), strategyID: fields.optional("StrategyId"))
        default: self = .other(changeType: changeType)
        }
    }
}

extension WeComCallback.TagReference {
    fileprivate init(_ fields: CallbackFields) throws(WeComCallbackError) {
        self.init(
            id: try fields.required("Id"), tagType: .init(rawValue: try fields.required("TagType")),
            strategyID: fields.optional("StrategyId"))
    }
}

extension WeComCallback.AccountEvent {
    /// Decodes an account event, or returns `nil` when `event` is not one.
    fileprivate init?(event: String, fields: CallbackFields) throws(WeComCallbackError) {
        switch event {
        case "subscribe":
            let key = fields.optional("EventKey")
            let scene = key.map { $0.hasPrefix("qrscene_") ? String($0.dropFirst(8)) : $0 }
            self = .subscribe(qr: scene.map { .init(scene: $0, ticket: fields.optional("Ticket")) })
        case "SCAN":
            self = .scan(.init(scene: try fields.required("EventKey"), ticket: fields.optional("Ticket")))
        case "unsubscribe":
            self = .unsubscribe
        case "LOCATION":
            self = .location(
                .init(
                    latitude: try fields.requiredNumber("Latitude"),
                    longitude: try fields.requiredNumber("Longitude"),
                    precision: try fields.requiredNumber("Precision")))
        case "CLICK", "click":
            self = .click(key: try fields.required("EventKey"))
        case "VIEW", "view":
            self = .view(url: try fields.required("EventKey"))
        default:
            return nil
        }
    }
}

/// Typed access to the top-level fields of a callback document.
struct CallbackFields {
    let element: WeComXMLElement
    let values: [String: String]

    init(element: WeComXMLElement) {
        self.element = element
        self.values = element.fields
    }

    /// The field's text; absent or empty is `nil`.
    func optional(_ name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }

    /// The field's text, which must be present and not empty.
    func required(_ name: String) throws(WeComCallbackError) -> String {
        guard let value = optional(name) else { throw WeComCallbackError(.missingField, field: name) }
        return value
    }

    /// The field's text, which must be present but may be empty.
    func present(_ name: String) throws(WeComCallbackError) -> String {
        guard let value = values[name] else { throw WeComCallbackError(.missingField, field: name) }
        return value
    }

    /// The field as a number; absent or empty is `nil`, anything unparsable fails.
    func optionalNumber<Number: LosslessStringConvertible>(
        _ name: String
    ) throws(WeComCallbackError) -> Number? {
        guard let text = optional(name) else { return nil }
        guard let number = Number(text) ?? Number(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw WeComCallbackError(.invalidField, field: name)
        }
        return number
    }

    /// The field as a number, which must be present and parsable.
    func requiredNumber<Number: LosslessStringConvertible>(
        _ name: String
    ) throws(WeComCallbackError) -> Number {
        guard let number: Number = try optionalNumber(name) else {
            throw WeComCallbackError(.missingField, field: name)
        }
        return number
    }
}
