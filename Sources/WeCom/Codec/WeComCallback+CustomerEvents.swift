// Typed values of the customer-contact events (§D of docs/wecom-protocol.md).

extension WeComCallback {
    /// The member and customer an external-contact event is about.
    public struct ContactPair: Hashable, Sendable {
        /// `UserID`: the member.
        public var userID: String
        /// `ExternalUserID`: the customer.
        public var externalUserID: String

        /// Creates a pair.
        public init(userID: String, externalUserID: String) {
            self.userID = userID
            self.externalUserID = externalUserID
        }
    }

    /// A customer added by a member (`add_external_contact`, `add_half_external_contact`).
    public struct ContactAdded: Hashable, Sendable {
        /// Who added whom.
        public var contact: ContactPair
        /// `State` of the contact way («联系我») that brought the customer, for channel attribution.
        public var state: String?
        /// `WelcomeCode` for `send_welcome_msg`, valid for 20 s; absent when none was issued.
        public var welcomeCode: String?

        /// Creates the value.
        public init(contact: ContactPair, state: String?, welcomeCode: String?) {
            self.contact = contact
            self.state = state
            self.welcomeCode = welcomeCode
        }
    }

    /// `FailReason` of a `transfer_fail` event.
    public struct TransferFailReason: RawRepresentable, Hashable, Sendable {
        /// The value as sent.
        public var rawValue: String
        /// Wraps a value as sent; unknown values are kept.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// `customer_refused`: the customer refused the takeover.
        public static let customerRefused = Self(rawValue: "customer_refused")
        /// `customer_limit_exceed`: the takeover member has reached the customer limit.
        public static let customerLimitExceed = Self(rawValue: "customer_limit_exceed")
    }

    /// `Event=change_external_contact`, by `ChangeType`.
    public enum ExternalContactChange: Hashable, Sendable {
        /// `add_external_contact`: a member added a customer.
        case add(ContactAdded)
        /// `add_half_external_contact`: the customer added the member, who has not accepted yet.
        case addHalf(ContactAdded)
        /// `edit_external_contact`: the member edited the customer's remark or tags.
        case edit(ContactPair, state: String?)
        /// `del_external_contact`: the member deleted the customer; `source` is
        /// `DELETE_BY_TRANSFER` when the deletion comes from a transfer.
        case delete(ContactPair, source: String?)
        /// `del_follow_user`: the customer deleted the member (a lost customer).
        case deleteFollowUser(ContactPair)
        /// `transfer_fail`: a customer transfer failed.
        case transferFail(ContactPair, reason: TransferFailReason)
        /// A `ChangeType` Siyu does not decode; read ``WeComCallback/fields``.
        case other(changeType: String)
    }

    /// `UpdateDetail` of a customer-group update.
    public struct ChatUpdateDetail: RawRepresentable, Hashable, Sendable {
        /// The value as sent.
        public var rawValue: String
        /// Wraps a value as sent; unknown values are kept.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// `add_member`: members joined.
        public static let addMember = Self(rawValue: "add_member")
        /// `del_member`: members left or were removed.
        public static let deleteMember = Self(rawValue: "del_member")
        /// `change_owner`: the group has a new owner.
        public static let changeOwner = Self(rawValue: "change_owner")
        /// `change_name`: the group was renamed.
        public static let changeName = Self(rawValue: "change_name")
        /// `change_notice`: the group notice changed.
        public static let changeNotice = Self(rawValue: "change_notice")
    }

    /// A customer group's `update` change.
    public struct ChatUpdate: Hashable, Sendable {
        /// `ChatId` of the group.
        public var chatID: String
        /// `UpdateDetail`: what changed.
        public var detail: ChatUpdateDetail
        /// `JoinScene` on `add_member`: 0 invited directly, 3 by QR code.
        public var joinScene: Int?
        /// `QuitScene` on `del_member`: 0 left, 1 removed.
        public var quitScene: Int?
        /// `MemChangeCnt`: how many members joined or left.
        public var memberChangeCount: Int?
        /// `MemChangeList/Item`: the members who joined or left.
        public var changedMembers: [String]
        /// `LastMemVer`: the member-list version before this change.
        public var lastMemberVersion: String?
        /// `CurMemVer`: the member-list version after this change.
        public var currentMemberVersion: String?

        /// Creates the value.
        public init(
            chatID: String, detail: ChatUpdateDetail, joinScene: Int? = nil, quitScene: Int? = nil,
            memberChangeCount: Int? = nil, changedMembers: [String] = [],
            lastMemberVersion: String? = nil, currentMemberVersion: String? = nil
        ) {
            self.chatID = chatID
            self.detail = detail
            self.joinScene = joinScene
            self.quitScene = quitScene
            self.memberChangeCount = memberChangeCount
            self.changedMembers = changedMembers
            self.lastMemberVersion = lastMemberVersion
            self.currentMemberVersion = currentMemberVersion
        }
    }

    /// `Event=change_external_chat`, by `ChangeType`.
    public enum ExternalChatChange: Hashable, Sendable {
        /// `create`: a customer group was created.
        case create(chatID: String)
        /// `update`: members, owner, name or notice changed.
        case update(ChatUpdate)
        /// `dismiss`: the group was dismissed.
        case dismiss(chatID: String)
        /// A `ChangeType` Siyu does not decode; read ``WeComCallback/fields``.
        case other(changeType: String)
    }

    /// `TagType` of a tag event.
    public struct TagType: RawRepresentable, Hashable, Sendable {
        /// The value as sent.
        public var rawValue: String
        /// Wraps a value as sent; unknown values are kept.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// `tag`: a single tag.
        public static let tag = Self(rawValue: "tag")
        /// `tag_group`: a tag group.
        public static let tagGroup = Self(rawValue: "tag_group")
    }

    /// The tag or tag group a tag event is about.
    public struct TagReference: Hashable, Sendable {
        /// `Id`: the tag id (`et…`) or group id.
        public var id: String
        /// `TagType`: tag or tag group.
        public var tagType: TagType
        /// `StrategyId`, present for tags of a rule group (规则组).
        public var strategyID: String?

        /// Creates the value.
        public init(id: String, tagType: TagType, strategyID: String? = nil) {
            self.id = id
            self.tagType = tagType
            self.strategyID = strategyID
        }
    }

    /// `Event=change_external_tag`, by `ChangeType`.
    public enum ExternalTagChange: Hashable, Sendable {
        /// `create`: a tag or tag group was created.
        case create(TagReference)
        /// `update`: a tag or tag group was renamed or reordered.
        case update(TagReference)
        /// `delete`: a tag or tag group was deleted.
        case delete(TagReference)
        /// `shuffle`: tags were reordered, inside the group `groupID` or everywhere when `nil`.
        case shuffle(groupID: String?, strategyID: String?)
        /// A `ChangeType` Siyu does not decode; read ``WeComCallback/fields``.
        case other(changeType: String)
    }
}
