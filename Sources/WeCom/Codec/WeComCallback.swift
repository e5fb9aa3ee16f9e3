import Foundation

/// One decrypted callback from WeCom or an Official Account, decoded into typed values.
///
/// Decoding never loses data: ``fields`` holds the text of every top-level element and
/// ``element`` the whole tree. Events, change types and message types that Siyu does not know
/// decode into generic cases (``Payload/unknownEvent(_:)``, `.other(changeType:)`,
/// ``MessageContent/other(msgType:)``) rather than failing; a known kind that lacks a field it
/// requires fails with ``WeComCallbackError/Code/missingField``.
///
/// ```swift
/// let callback = try WeComCallback.decode(decryptedXML)
/// if case .externalContact(.add(let added)) = callback.payload { … }
/// ```
public struct WeComCallback: Hashable, Sendable {
    /// The fields every callback carries.
    public struct Header: Hashable, Sendable {
        /// `ToUserName`: the CorpID for WeCom, the account's original id (`gh_…`) for an Official Account.
        public var toUserName: String
        /// `FromUserName`: `sys` for WeCom system events, the member's UserID or the follower's OpenID otherwise.
        public var fromUserName: String
        /// `CreateTime` in seconds since 1970.
        public var createTime: Int64
        /// `MsgType`: `event`, `text`, `image`, …
        public var msgType: String
        /// `Event` when ``msgType`` is `event`.
        public var event: String?
        /// `AgentID` when present (WeCom application callbacks).
        public var agentID: String?

        /// Creates a header.
        public init(
            toUserName: String, fromUserName: String, createTime: Int64, msgType: String,
            event: String? = nil, agentID: String? = nil
        ) {
            self.toUserName = toUserName
            self.fromUserName = fromUserName
            self.createTime = createTime
            self.msgType = msgType
            self.event = event
            self.agentID = agentID
        }

        /// ``createTime`` as a date.
        public var createdAt: Date { Date(timeIntervalSince1970: TimeInterval(createTime)) }
    }

    /// What the callback is about.
    public enum Payload: Hashable, Sendable {
        /// `Event=change_external_contact`.
        case externalContact(ExternalContactChange)
        /// `Event=change_external_chat`.
        case externalChat(ExternalChatChange)
        /// `Event=change_external_tag`.
        case externalTag(ExternalTagChange)
        /// `Event=msgaudit_notify`: new archived messages are ready to pull.
        case messageAuditNotify
        /// Follow, QR scan, location and menu events of an Official Account or a WeCom app.
        case accountEvent(AccountEvent)
        /// A message (any `MsgType` other than `event`).
        case message(Message)
        /// An `Event` that Siyu does not decode; read ``WeComCallback/fields``.
        case unknownEvent(String)
    }

    /// The common fields.
    public var header: Header
    /// The decoded meaning.
    public var payload: Payload
    /// The text of every top-level element by name, including those already decoded.
    public var fields: [String: String]
    /// The whole document, for nested data that ``fields`` flattens away.
    public var element: WeComXMLElement

    /// Creates a callback from its parts.
    public init(header: Header, payload: Payload, fields: [String: String], element: WeComXMLElement) {
        self.header = header
        self.payload = payload
        self.fields = fields
        self.element = element
    }
}

extension WeComCallback {
    /// A message sent to the account or app.
    public struct Message: Hashable, Sendable {
        /// `MsgId`, the deduplication key of messages.
        public var msgID: String?
        /// The decoded content.
        public var content: MessageContent

        /// Creates a message.
        public init(msgID: String?, content: MessageContent) {
            self.msgID = msgID
            self.content = content
        }
    }

    /// The content of a ``Message``.
    public enum MessageContent: Hashable, Sendable {
        /// `MsgType=text` with its `Content`.
        case text(String)
        /// Any other message type; its fields are in ``WeComCallback/fields``.
        case other(msgType: String)
    }
}
