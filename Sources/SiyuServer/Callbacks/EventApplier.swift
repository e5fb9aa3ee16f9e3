import Foundation
import Logging
import SiyuCore
import SiyuStore
import WeCom

/// Applies stored callbacks (job kind `callback.apply`): re-reads the customer from the
/// platform, reconciles the store, and follows up on new customers of a channel (auto-tags,
/// welcome message, member rotation).
///
/// Idempotent: the store reconciles with the platform's present view, and follow-ups run only
/// for relations that became active in that reconcile, so redelivered, reordered and
/// concurrent events end in the same state as one clean delivery.
struct EventApplier: Sendable {
    let store: SiyuStore
    let wecom: WeComConnections
    let time: TimeSource
    let logger: Logger

    func apply(_ job: JobQueue.Job) async throws {
        guard let item = try await store.inbox.find(corpID: job.corpID, dedupeKey: job.payload) else {
            logger.warning("callback to apply is gone", metadata: ["corp_id": .string(job.corpID)])
            return
        }
        if item.state == "applied" { return }
        do {
            try await apply(corpID: item.corpID, payload: item.payload)
            try await store.inbox.markApplied(corpID: item.corpID, dedupeKey: item.dedupeKey)
        } catch {
            try? await store.inbox.markFailed(corpID: item.corpID, dedupeKey: item.dedupeKey, error: String(describing: error), maxAttempts: job.maxAttempts)
            throw error
        }
    }

    func apply(corpID: String, payload: String) async throws {
        let callback = try WeComCallback.decode(payload)
        let at = callback.header.createdAt
        switch callback.payload {
        case .externalContact(let change):
            switch change {
            case .add(let added), .addHalf(let added):
                try await contactChanged(corpID: corpID, pair: added.contact, event: .added, state: added.state, welcomeCode: added.welcomeCode, at: at)
            case .edit(let pair, let state):
                try await contactChanged(corpID: corpID, pair: pair, event: .edited, state: state, welcomeCode: nil, at: at)
            case .delete(let pair, _):
                try await contactChanged(corpID: corpID, pair: pair, event: .memberDeletedCustomer, state: nil, welcomeCode: nil, at: at)
            case .deleteFollowUser(let pair):
                try await contactChanged(corpID: corpID, pair: pair, event: .customerDeletedMember, state: nil, welcomeCode: nil, at: at)
            case .transferFail(let pair, let reason):
                try await store.customers.recordTimeline(
                    corpID: corpID, externalUserID: pair.externalUserID, kind: "transfer_failed", userID: pair.userID, at: at, detail: ["reason": reason.rawValue], now: time()
                )
            case .other:
                return
            }
        case .externalTag:
            try await refreshTags(corpID: corpID)
        case .externalChat(let change):
            switch change {
            case .create(let chatID):
                try await refreshGroup(corpID: corpID, chatID: chatID, client: try await wecom.client(for: corpID), store: store, now: time())
            case .update(let update):
                try await refreshGroup(corpID: corpID, chatID: update.chatID, client: try await wecom.client(for: corpID), store: store, now: time())
            case .dismiss(let chatID):
                try await store.groups.dismiss(corpID: corpID, chatIDs: [chatID], now: at)
            case .other:
                return
            }
        default:
            // Archive notifications and account events are applied by later capabilities.
            return
        }
    }

    /// Re-reads the customer and reconciles; then follows up on relations that became active now.
    func contactChanged(corpID: String, pair: WeComCallback.ContactPair, event: ContactEvent, state: String?, welcomeCode: String?, at: Date) async throws {
        let client = try await wecom.client(for: corpID)
        let observation = try await Self.observe(client: client, externalUserID: pair.externalUserID, event: event, userID: pair.userID, state: state, at: at)
        let outcome = try await store.customers.reconcile(corpID: corpID, observation, now: time())
        guard outcome.newlyActive.contains(pair.userID), let channelID = outcome.channels[pair.userID],
              let channel = try await store.channels.find(corpID: corpID, channelID: channelID)
        else { return }
        if let code = welcomeCode, let welcome = channel.settings.welcome {
            await sendWelcome(corpID: corpID, client: client, code: code, welcome: welcome, pair: pair, customerName: observation.customer?.name ?? "", channelID: channelID)
        }
        if !channel.settings.autoTagIDs.isEmpty {
            try await client.markTag(MarkTagRequest(userID: pair.userID, externalUserID: pair.externalUserID, addTag: channel.settings.autoTagIDs))
            try await store.customers.changeTags(
                corpID: corpID, externalUserID: pair.externalUserID, userID: pair.userID, add: channel.settings.autoTagIDs, remove: [], actor: "channel:\(channelID)", now: time()
            )
        }
        try await ChannelRotationService(store: store).rotate(corpID: corpID, channel: channel, client: client, now: time())
    }

    /// The platform's present view of one customer; an unknown customer or relation means none left.
    static func observe(client: WeComClient, externalUserID: String, event: ContactEvent, userID: String?, state: String?, at: Date) async throws -> ContactObservation {
        do {
            let detail = try await client.externalContactWithAllFollowers(externalUserID)
            return ContactObservation(
                externalUserID: externalUserID, event: event, userID: userID, state: state, at: at,
                customer: CustomerFacts(detail.externalContact), relations: detail.followUser.map(RelationFacts.init)
            )
        } catch let error as WeComAPIError where [84061, 40096].contains(error.errcode) {
            return ContactObservation(externalUserID: externalUserID, event: event, userID: userID, state: state, at: at, customer: nil, relations: [])
        }
    }

    /// Sends the channel's welcome message within the code's 20 s window; the outcome goes on the timeline.
    func sendWelcome(corpID: String, client: WeComClient, code: String, welcome: WelcomeMessage, pair: WeComCallback.ContactPair, customerName: String, channelID: String) async {
        let memberName = (try? await store.directory.memberName(corpID: corpID, userID: pair.userID)) ?? nil
        let text = welcome.render(customerName: customerName, memberName: memberName ?? pair.userID)
        var detail = ["channel_id": channelID]
        do {
            try await client.sendWelcomeMessage(SendWelcomeMsgRequest(
                welcomeCode: code, text: text.isEmpty ? nil : TextContent(content: text), attachments: welcome.attachments.isEmpty ? nil : welcome.attachments.map(Attachment.init)
            ))
            detail["text"] = text
            try? await store.customers.recordTimeline(corpID: corpID, externalUserID: pair.externalUserID, kind: "welcomed", userID: pair.userID, at: time(), detail: detail, now: time())
        } catch {
            detail["error"] = String(describing: error)
            logger.warning("welcome message not sent", metadata: ["corp_id": .string(corpID), "error": .string(String(describing: error))])
            try? await store.customers.recordTimeline(corpID: corpID, externalUserID: pair.externalUserID, kind: "welcome_failed", userID: pair.userID, at: time(), detail: detail, now: time())
        }
    }

    func refreshTags(corpID: String) async throws {
        let client = try await wecom.client(for: corpID)
        let groups = try await client.corpTags()
        try await store.directory.replaceTags(corpID: corpID, groups: groups.filter { $0.deleted != true }.map(TagGroup.init), now: time())
    }
}

extension CustomerFacts {
    init(_ contact: ExternalContact) {
        self.init(
            externalUserID: contact.externalUserID, name: contact.name, avatar: contact.avatar ?? "", type: contact.type,
            gender: contact.gender, unionID: contact.unionID, corpName: contact.corpName ?? ""
        )
    }
}

extension RelationFacts {
    init(_ follow: FollowUser) {
        self.init(
            userID: follow.userID, remark: follow.remark ?? "", description: follow.description ?? "", state: follow.state?.isEmpty == true ? nil : follow.state,
            addWay: follow.addWay ?? 0, addedAt: Date(timeIntervalSince1970: TimeInterval(follow.createTime)),
            tagIDs: (follow.tags ?? []).compactMap { $0.type == 1 ? $0.tagID : nil }
        )
    }

    init(_ info: FollowInfo) {
        self.init(
            userID: info.userID, remark: info.remark ?? "", description: info.description ?? "", state: info.state?.isEmpty == true ? nil : info.state,
            addWay: info.addWay ?? 0, addedAt: Date(timeIntervalSince1970: TimeInterval(info.createTime)), tagIDs: info.tagID ?? []
        )
    }
}

extension TagGroup {
    init(_ group: CorpTagGroup) {
        self.init(
            groupID: group.groupID, name: group.groupName, order: group.order,
            tags: group.tag.filter { $0.deleted != true }.map { Tag(tagID: $0.id, name: $0.name, order: $0.order) }
        )
    }
}

extension Attachment {
    init(_ attachment: WelcomeAttachment) {
        switch attachment.type {
        case .link:
            self.init(msgType: "link", link: LinkAttachment(title: attachment.title ?? "", picURL: attachment.picURL, desc: attachment.desc, url: attachment.url ?? ""))
        case .image:
            self.init(msgType: "image", image: ImageAttachment(mediaID: attachment.mediaID, picURL: attachment.picURL))
        case .miniprogram:
            self.init(msgType: "miniprogram", miniprogram: MiniProgramAttachment(
                title: attachment.title ?? "", picMediaID: attachment.mediaID ?? "", appID: attachment.appID ?? "", page: attachment.page ?? ""
            ))
        }
    }
}

/// Re-reads one customer group and stores it with its members; a group the platform no longer
/// knows (dismissed or out of reach) is marked dismissed.
func refreshGroup(corpID: String, chatID: String, client: WeComClient, store: SiyuStore, now: Date) async throws {
    let group: GroupChat
    do {
        group = try await client.groupChat(chatID, needName: false)
    } catch let error as WeComAPIError where CampaignService.isRefusal(error) {
        try await store.groups.dismiss(corpID: corpID, chatIDs: [chatID], now: now)
        return
    }
    try await store.groups.upsert(
        corpID: corpID, chatID: group.chatID, name: group.name, owner: group.owner, notice: group.notice,
        createdAt: Date(timeIntervalSince1970: TimeInterval(group.createTime)),
        members: group.memberList.map { .init(memberID: $0.userID, type: $0.type, joinedAt: Date(timeIntervalSince1970: TimeInterval($0.joinTime))) }, now: now
    )
}
