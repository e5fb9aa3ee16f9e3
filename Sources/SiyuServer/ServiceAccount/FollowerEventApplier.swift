import Foundation
import Logging
import SiyuCore
import SiyuStore
import WeCom

/// Applies stored service-account pushes (job kind `mp.apply`) to the followers: state, the
/// follower's timeline and the daily counts, in one transaction with marking the push applied,
/// so a job that runs twice counts once.
struct FollowerEventApplier: Sendable {
    let store: SiyuStore
    let accounts: ServiceAccountConnections
    let time: TimeSource
    let logger: Logger

    func apply(_ job: JobQueue.Job) async throws {
        let parts = job.payload.split(separator: " ", maxSplits: 1).map(String.init)
        guard parts.count == 2 else {
            logger.error("malformed service account job", metadata: ["payload": .string(job.payload)])
            return
        }
        let (appID, key) = (parts[0], parts[1])
        guard let item = try await store.inbox.find(corpID: job.corpID, dedupeKey: key) else {
            logger.warning("push to apply is gone", metadata: ["corp_id": .string(job.corpID), "app_id": .string(appID)])
            return
        }
        if item.state == "applied" { return }
        do {
            let push = try WeComCallback.decode(item.payload)
            guard let event = Self.followerEvent(push) else {
                try await store.inbox.markApplied(corpID: item.corpID, dedupeKey: key)
                return
            }
            var channel: SiyuCore.Channel?
            switch event.kind {
            case .follow(let scene?), .scan(let scene):
                channel = try await store.channels.channel(appID: appID, scene: scene)
            default:
                break
            }
            // The channel's follower tags go on first: tagging is idempotent on the platform, so a
            // retry after a failure here or below tags again and then records the follow once.
            if case .follow = event.kind, let tags = channel?.settings.followerTagIDs, !tags.isEmpty,
               let client = try await accounts.connection(appID: appID)?.client {
                for tagID in tags { try await client.setFollowerTag(tagID, on: [event.openID]) }
            }
            let calendar = try await store.contacts.calendar(corpID: job.corpID)
            _ = try await store.followers.apply(
                corpID: job.corpID, appID: appID, inboxKey: key, event, channelID: channel?.channelID, calendar: calendar, now: time()
            )
        } catch {
            try? await store.inbox.markFailed(corpID: item.corpID, dedupeKey: key, error: String(describing: error), maxAttempts: job.maxAttempts)
            throw error
        }
    }

    /// What a push says a follower did; nil for pushes that are not about one follower.
    static func followerEvent(_ push: WeComCallback) -> FollowerEvent? {
        let openID = push.header.fromUserName
        let at = push.header.createdAt
        switch push.payload {
        case .accountEvent(let event):
            switch event {
            case .subscribe(let qr): return FollowerEvent(openID: openID, at: at, kind: .follow(scene: qr?.scene))
            case .unsubscribe: return FollowerEvent(openID: openID, at: at, kind: .unfollow)
            case .scan(let qr): return FollowerEvent(openID: openID, at: at, kind: .scan(scene: qr.scene))
            case .location(let l): return FollowerEvent(openID: openID, at: at, kind: .location(latitude: l.latitude, longitude: l.longitude, precision: l.precision))
            case .click(let key): return FollowerEvent(openID: openID, at: at, kind: .click(key: key))
            case .view(let url): return FollowerEvent(openID: openID, at: at, kind: .view(url: url))
            }
        case .message:
            let type = push.header.msgType
            // What the timeline shows of each message type (§1.2 of the protocol notes).
            let shown: [String: String] = [
                "Content": "text", "PicUrl": "pic_url", "MediaId": "media_id", "Format": "format", "Recognition": "recognition",
                "Location_X": "latitude", "Location_Y": "longitude", "Label": "label", "Title": "title", "Description": "description", "Url": "url",
            ]
            var detail: [String: String] = [:]
            for (field, name) in shown { if let value = push.fields[field], !value.isEmpty { detail[name] = value } }
            return FollowerEvent(openID: openID, at: at, kind: .message(type: type, detail: detail))
        default:
            return nil
        }
    }
}
