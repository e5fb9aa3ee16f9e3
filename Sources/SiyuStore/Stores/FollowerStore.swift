import Foundation
import SQLKit
import SiyuCore

/// Followers of the service accounts: their state from follow events and syncs, their
/// timeline, and the anonymous daily counts the KPIs read.
public struct FollowerStore: Sendable {
    let database: SiyuDatabase

    public enum ApplyOutcome: Sendable, Equatable {
        /// The event changed the store now.
        case applied
        /// The inbox item was applied before (a job that ran twice): nothing changed.
        case alreadyApplied
    }

    /// The profile columns an unfollow clears (the platform requires the developer to delete the
    /// user's data); the row keeps the openid and the times.
    static let clearProfile: SQLQueryString = """
        unionid = NULL, remark = '', language = '', subscribe_scene = '', qr_scene = '', channel_id = NULL, tag_ids = '[]',
        last_location = NULL, last_seen_at = NULL
        """

    /// Applies one event of the inbox item `inboxKey`, and marks the item applied, in one
    /// transaction: each stored push counts once in the daily figures, however often its job runs.
    ///
    /// State follows the latest event by its time: a follow or an unfollow older than what the
    /// row already reflects is counted on its day but does not change the state (reordered pushes
    /// converge). `channelID` is the QR channel of a follow's scene, resolved by the caller.
    public func apply(
        corpID: String, appID: String, inboxKey: String, _ event: FollowerEvent, channelID: String?, calendar: BusinessCalendar, now: Date
    ) async throws -> ApplyOutcome {
        try await database.write { sql in
            let marked = try await sql.raw("""
                UPDATE callback_inbox SET state = 'applied', attempts = attempts + 1, last_error = NULL
                WHERE corp_id = \(bind: corpID) AND dedupe_key = \(bind: inboxKey) AND state <> 'applied'
                RETURNING dedupe_key
                """).all()
            guard !marked.isEmpty else { return .alreadyApplied }
            try await Self.apply(on: sql, corpID: corpID, appID: appID, entryID: inboxKey, event, channelID: channelID, calendar: calendar, now: now)
            return .applied
        }
    }

    private struct StateRow: Decodable {
        var subscribed: Int64
        var stateAt: Int64
        var channelID: String?
        var subscribedAt: Int64?
        var unsubscribedAt: Int64?
        var lostChannelID: String?

        enum CodingKeys: String, CodingKey {
            case subscribed, stateAt = "state_at", channelID = "channel_id", subscribedAt = "subscribed_at", unsubscribedAt = "unsubscribed_at"
            case lostChannelID = "lost_channel_id"
        }
    }

    static func apply(
        on sql: any SQLDatabase, corpID: String, appID: String, entryID: String, _ event: FollowerEvent, channelID: String?,
        calendar: BusinessCalendar, now: Date
    ) async throws {
        let at = StoredTime.millis(event.at)
        let openID = event.openID
        let current = try await sql.raw("""
            SELECT subscribed, state_at, channel_id, subscribed_at, unsubscribed_at, lost_channel_id FROM followers
            WHERE corp_id = \(bind: corpID) AND app_id = \(bind: appID) AND openid = \(bind: openID)
            """).first(decoding: StateRow.self)
        let isNewest = current.map { at >= $0.stateAt } ?? true
        let day = Int64(calendar.dayNumber(event.at))
        switch event.kind {
        case .follow(let scene):
            try await count(on: sql, corpID: corpID, appID: appID, day: day, channelID: channelID, follows: 1, unfollows: 0)
            if current == nil {
                try await sql.raw("""
                    INSERT INTO followers (corp_id, app_id, openid, subscribed, state_at, subscribed_at, subscribe_scene, qr_scene, channel_id, last_seen_at)
                    VALUES (\(bind: corpID), \(bind: appID), \(bind: openID), 1, \(bind: at), \(bind: at),
                            \(bind: scene == nil ? "" : "ADD_SCENE_QR_CODE"), \(bind: scene ?? ""), \(bind: channelID), \(bind: at))
                    """).run()
            } else if let current, isNewest || (current.subscribed == 1 && at >= current.subscribedAt ?? 0) {
                // The newest state, or the follow behind a message or scan applied before it: the
                // follow is where the follower came from.
                try await sql.raw("""
                    UPDATE followers SET subscribed = 1, state_at = \(bind: max(at, current.stateAt)), subscribed_at = \(bind: at),
                        subscribe_scene = \(bind: scene == nil ? "" : "ADD_SCENE_QR_CODE"), qr_scene = \(bind: scene ?? ""),
                        channel_id = \(bind: channelID),
                        last_seen_at = CASE WHEN last_seen_at IS NULL OR last_seen_at < \(bind: at) THEN \(bind: at) ELSE last_seen_at END
                    WHERE corp_id = \(bind: corpID) AND app_id = \(bind: appID) AND openid = \(bind: openID)
                    """).run()
            } else if let current, current.subscribed == 0 {
                // A follow from before the unfollow that already cleared the follower: counted, nothing
                // kept. If the loss was counted without a channel because this follow had not been
                // applied, it moves to this follow's channel.
                if let unsubscribedAt = current.unsubscribedAt, at < unsubscribedAt, at >= current.subscribedAt ?? 0,
                   current.lostChannelID == "", let channelID {
                    let lostDay = Int64(calendar.dayNumber(StoredTime.date(unsubscribedAt)))
                    try await count(on: sql, corpID: corpID, appID: appID, day: lostDay, channelID: nil, follows: 0, unfollows: -1)
                    try await count(on: sql, corpID: corpID, appID: appID, day: lostDay, channelID: channelID, follows: 0, unfollows: 1)
                    try await sql.raw("""
                        UPDATE followers SET lost_channel_id = \(bind: channelID), subscribed_at = \(bind: at)
                        WHERE corp_id = \(bind: corpID) AND app_id = \(bind: appID) AND openid = \(bind: openID)
                        """).run()
                }
                return
            }
            try await appendTimeline(on: sql, corpID: corpID, appID: appID, entryID: entryID, event, channelID: channelID)
        case .unfollow:
            // The loss belongs to the channel of the follow it ends: the follower's, when that follow is before it.
            let lostChannel = current.flatMap { $0.subscribed == 1 && ($0.subscribedAt ?? 0) <= at ? $0.channelID : nil }
            try await count(on: sql, corpID: corpID, appID: appID, day: day, channelID: lostChannel, follows: 0, unfollows: 1)
            if current == nil {
                try await sql.raw("""
                    INSERT INTO followers (corp_id, app_id, openid, subscribed, state_at, unsubscribed_at, lost_channel_id)
                    VALUES (\(bind: corpID), \(bind: appID), \(bind: openID), 0, \(bind: at), \(bind: at), '')
                    """).run()
            } else if isNewest {
                try await sql.raw("""
                    UPDATE followers SET subscribed = 0, state_at = \(bind: at), unsubscribed_at = \(bind: at),
                        lost_channel_id = \(bind: lostChannel ?? ""), \(Self.clearProfile)
                    WHERE corp_id = \(bind: corpID) AND app_id = \(bind: appID) AND openid = \(bind: openID)
                    """).run()
                try await sql.raw("""
                    DELETE FROM follower_timeline WHERE corp_id = \(bind: corpID) AND app_id = \(bind: appID) AND openid = \(bind: openID)
                    """).run()
            }
        default:
            if let current, current.subscribed == 0, !isNewest {
                // Older than the unfollow that cleared this follower: nothing about them is kept.
                return
            }
            if current == nil {
                // Someone Siyu has not seen follow (they followed before the account was connected).
                try await sql.raw("""
                    INSERT INTO followers (corp_id, app_id, openid, subscribed, state_at, last_seen_at)
                    VALUES (\(bind: corpID), \(bind: appID), \(bind: openID), 1, \(bind: at), \(bind: at))
                    """).run()
            } else {
                var location: String?
                if case .location(let latitude, let longitude, let precision) = event.kind {
                    location = String(decoding: try JSONEncoder.sorted.encode(["latitude": latitude, "longitude": longitude, "precision": precision]), as: UTF8.self)
                }
                // Only a follower can push: one the store thinks gone (a missed follow) is back.
                try await sql.raw("""
                    UPDATE followers SET
                        subscribed = CASE WHEN subscribed = 0 AND state_at <= \(bind: at) THEN 1 ELSE subscribed END,
                        state_at = CASE WHEN subscribed = 0 AND state_at <= \(bind: at) THEN \(bind: at) ELSE state_at END,
                        last_seen_at = CASE WHEN last_seen_at IS NULL OR last_seen_at < \(bind: at) THEN \(bind: at) ELSE last_seen_at END,
                        last_location = COALESCE(\(bind: location), last_location)
                    WHERE corp_id = \(bind: corpID) AND app_id = \(bind: appID) AND openid = \(bind: openID)
                    """).run()
            }
            try await appendTimeline(on: sql, corpID: corpID, appID: appID, entryID: entryID, event, channelID: channelID)
        }
    }

    static func count(on sql: any SQLDatabase, corpID: String, appID: String, day: Int64, channelID: String?, follows: Int, unfollows: Int) async throws {
        try await sql.raw("""
            INSERT INTO follower_days (corp_id, app_id, day, channel_id, follows, unfollows)
            VALUES (\(bind: corpID), \(bind: appID), \(bind: day), \(bind: channelID ?? ""), \(bind: follows), \(bind: unfollows))
            ON CONFLICT (corp_id, app_id, day, channel_id) DO UPDATE SET
                follows = follower_days.follows + excluded.follows, unfollows = follower_days.unfollows + excluded.unfollows
            """).run()
    }

    static func appendTimeline(on sql: any SQLDatabase, corpID: String, appID: String, entryID: String, _ event: FollowerEvent, channelID: String?) async throws {
        var detail = event.timelineDetail
        if let channelID { detail["channel_id"] = channelID }
        let text = String(decoding: try JSONEncoder.sorted.encode(detail), as: UTF8.self)
        try await sql.raw("""
            INSERT INTO follower_timeline (corp_id, entry_id, app_id, openid, at, kind, detail)
            VALUES (\(bind: corpID), \(bind: entryID), \(bind: appID), \(bind: event.openID), \(bind: StoredTime.millis(event.at)), \(bind: event.timelineKind), \(bind: text))
            ON CONFLICT (corp_id, entry_id) DO NOTHING
            """).run()
    }

    // MARK: Sync

    /// Reconciles what `user/info/batchget` reported, in one transaction. A profile replaces the
    /// state only when it is newer than the last event (`syncedAt` against the event times), so a
    /// sync that read the platform before an event does not undo it. A profile that says the
    /// openid no longer follows clears the follower's data as an unfollow would (it is not
    /// counted as a loss: the day it happened is unknown).
    public func reconcile(corpID: String, appID: String, _ profiles: [FollowerProfile], syncedAt: Date) async throws {
        guard !profiles.isEmpty else { return }
        let at = StoredTime.millis(syncedAt)
        try await database.write { sql in
            for profile in profiles {
                let tags = String(decoding: try JSONEncoder().encode(profile.tagIDs), as: UTF8.self)
                if profile.subscribed {
                    let since = profile.subscribedAt.map(StoredTime.millis)
                    try await sql.raw("""
                        INSERT INTO followers (corp_id, app_id, openid, subscribed, state_at, subscribed_at, unionid, remark, language, subscribe_scene, qr_scene, tag_ids, synced_at)
                        VALUES (\(bind: corpID), \(bind: appID), \(bind: profile.openID), 1, \(bind: at), \(bind: since), \(bind: profile.unionID), \(bind: profile.remark),
                                \(bind: profile.language), \(bind: profile.subscribeScene), \(bind: profile.qrScene), \(bind: tags), \(bind: at))
                        ON CONFLICT (corp_id, app_id, openid) DO UPDATE SET
                            unionid = excluded.unionid, remark = excluded.remark, language = excluded.language, tag_ids = excluded.tag_ids,
                            subscribe_scene = CASE WHEN excluded.subscribe_scene <> '' THEN excluded.subscribe_scene ELSE followers.subscribe_scene END,
                            qr_scene = CASE WHEN excluded.qr_scene <> '' THEN excluded.qr_scene ELSE followers.qr_scene END,
                            subscribed_at = COALESCE(excluded.subscribed_at, followers.subscribed_at),
                            subscribed = CASE WHEN followers.state_at <= excluded.state_at THEN 1 ELSE followers.subscribed END,
                            state_at = CASE WHEN followers.state_at <= excluded.state_at THEN excluded.state_at ELSE followers.state_at END,
                            synced_at = excluded.synced_at
                        """).run()
                } else {
                    try await sql.raw("""
                        UPDATE followers SET subscribed = 0, state_at = \(bind: at), synced_at = \(bind: at), \(Self.clearProfile)
                        WHERE corp_id = \(bind: corpID) AND app_id = \(bind: appID) AND openid = \(bind: profile.openID) AND state_at <= \(bind: at)
                        """).run()
                    try await sql.raw("""
                        DELETE FROM follower_timeline WHERE corp_id = \(bind: corpID) AND app_id = \(bind: appID) AND openid = \(bind: profile.openID)
                          AND NOT EXISTS (SELECT 1 FROM followers f WHERE f.corp_id = follower_timeline.corp_id AND f.app_id = follower_timeline.app_id
                                          AND f.openid = follower_timeline.openid AND f.subscribed = 1)
                        """).run()
                }
            }
        }
    }

    /// Followers the store thinks subscribed but a finished sync did not list: they left while
    /// no push reached Siyu. Cleared as by an unfollow (not counted: the day is unknown).
    public func clearMissing(corpID: String, appID: String, listed: Set<String>, syncStartedAt: Date) async throws -> Int {
        let started = StoredTime.millis(syncStartedAt)
        return try await database.write { sql in
            let candidates = try await sql.raw("""
                SELECT openid FROM followers WHERE corp_id = \(bind: corpID) AND app_id = \(bind: appID) AND subscribed = 1 AND state_at < \(bind: started)
                """).all().map { try $0.decode(column: "openid", as: String.self) }
            let gone = candidates.filter { !listed.contains($0) }
            for openID in gone {
                try await sql.raw("""
                    UPDATE followers SET subscribed = 0, state_at = \(bind: started), \(Self.clearProfile)
                    WHERE corp_id = \(bind: corpID) AND app_id = \(bind: appID) AND openid = \(bind: openID)
                    """).run()
                try await sql.raw("""
                    DELETE FROM follower_timeline WHERE corp_id = \(bind: corpID) AND app_id = \(bind: appID) AND openid = \(bind: openID)
                    """).run()
            }
            return gone.count
        }
    }

    /// Records that the platform put (or took) a tag on (or off) these followers.
    public func setTag(corpID: String, appID: String, tagID: Int, openIDs: [String], tagged: Bool) async throws {
        try await database.write { sql in
            for openID in openIDs {
                guard let row = try await sql.raw("""
                    SELECT tag_ids FROM followers WHERE corp_id = \(bind: corpID) AND app_id = \(bind: appID) AND openid = \(bind: openID) AND subscribed = 1
                    """).first() else { continue }
                var tags = (try? JSONDecoder().decode([Int].self, from: Data(try row.decode(column: "tag_ids", as: String.self).utf8))) ?? []
                tags.removeAll { $0 == tagID }
                if tagged { tags.append(tagID) }
                let text = String(decoding: try JSONEncoder().encode(tags.sorted()), as: UTF8.self)
                try await sql.raw("""
                    UPDATE followers SET tag_ids = \(bind: text) WHERE corp_id = \(bind: corpID) AND app_id = \(bind: appID) AND openid = \(bind: openID)
                    """).run()
            }
        }
    }

    // MARK: Reading

    private struct Row: Decodable {
        var appID: String
        var openID: String
        var subscribed: Int64
        var subscribedAt: Int64?
        var unsubscribedAt: Int64?
        var unionID: String?
        var remark: String
        var language: String
        var subscribeScene: String
        var qrScene: String
        var channelID: String?
        var tagIDs: String
        var lastSeenAt: Int64?

        enum CodingKeys: String, CodingKey {
            case appID = "app_id", openID = "openid", subscribed, subscribedAt = "subscribed_at", unsubscribedAt = "unsubscribed_at"
            case unionID = "unionid", remark, language, subscribeScene = "subscribe_scene", qrScene = "qr_scene", channelID = "channel_id"
            case tagIDs = "tag_ids", lastSeenAt = "last_seen_at"
        }

        var follower: Follower {
            Follower(
                appID: appID, openID: openID, subscribed: subscribed == 1, subscribedAt: subscribedAt.map(StoredTime.date),
                unsubscribedAt: unsubscribedAt.map(StoredTime.date), unionID: unionID, remark: remark, language: language,
                subscribeScene: subscribeScene, qrScene: qrScene, channelID: channelID,
                tagIDs: (try? JSONDecoder().decode([Int].self, from: Data(tagIDs.utf8))) ?? [], lastSeenAt: lastSeenAt.map(StoredTime.date)
            )
        }
    }

    static let columns: SQLQueryString = """
        app_id, openid, subscribed, subscribed_at, unsubscribed_at, unionid, remark, language, subscribe_scene, qr_scene, channel_id, tag_ids, last_seen_at
        """

    /// Current followers of an account, newest follow first, after the openid cursor `after`
    /// (a page ends where the next begins: openids sort within one follow time).
    public func list(corpID: String, appID: String, channelID: String? = nil, after: String? = nil, limit: Int = 50) async throws -> [Follower] {
        let limit = max(1, min(limit, 500))
        return try await database.read { sql in
            var query: SQLQueryString = "SELECT \(Self.columns) FROM followers WHERE corp_id = \(bind: corpID) AND app_id = \(bind: appID) AND subscribed = 1"
            if let channelID { query = query + " AND channel_id = \(bind: channelID)" }
            if let after { query = query + " AND openid > \(bind: after)" }
            query = query + " ORDER BY openid LIMIT \(literal: limit)"
            return try await sql.raw(query).all(decoding: Row.self).map(\.follower)
        }
    }

    public func find(corpID: String, appID: String, openID: String) async throws -> Follower? {
        try await database.read { sql in
            try await sql.raw("""
                SELECT \(Self.columns) FROM followers WHERE corp_id = \(bind: corpID) AND app_id = \(bind: appID) AND openid = \(bind: openID)
                """).first(decoding: Row.self)?.follower
        }
    }

    /// One entry of a follower's timeline.
    public struct TimelineEntry: Sendable, Equatable {
        public var at: Date
        public var kind: String
        public var detail: [String: String]
    }

    /// A follower's timeline, newest first.
    public func timeline(corpID: String, appID: String, openID: String, limit: Int = 100) async throws -> [TimelineEntry] {
        try await database.read { sql in
            try await sql.raw("""
                SELECT at, kind, detail FROM follower_timeline WHERE corp_id = \(bind: corpID) AND app_id = \(bind: appID) AND openid = \(bind: openID)
                ORDER BY at DESC, entry_id DESC LIMIT \(literal: max(1, min(limit, 500)))
                """).all().map { row in
                TimelineEntry(
                    at: StoredTime.date(try row.decode(column: "at", as: Int64.self)), kind: try row.decode(column: "kind", as: String.self),
                    detail: (try? JSONDecoder().decode([String: String].self, from: Data(try row.decode(column: "detail", as: String.self).utf8))) ?? [:]
                )
            }
        }
    }

    /// New (follows), lost (unfollows), net and total followers per day from `from` to `to`
    /// (inclusive days in the calendar's zone), of the account or of one channel's followers.
    /// Totals are counted back from today's followers, so they agree with the follower list.
    public func growth(corpID: String, appID: String, channelID: String? = nil, from: Date, to: Date, calendar: BusinessCalendar) async throws -> [GrowthDay] {
        let first = calendar.dayNumber(from), last = calendar.dayNumber(to)
        guard first <= last else { return [] }
        return try await database.read { sql in
            var query: SQLQueryString = """
                SELECT day, CAST(SUM(follows) AS BIGINT) AS follows, CAST(SUM(unfollows) AS BIGINT) AS unfollows FROM follower_days
                WHERE corp_id = \(bind: corpID) AND app_id = \(bind: appID) AND day >= \(bind: Int64(first))
                """
            if let channelID { query = query + " AND channel_id = \(bind: channelID)" }
            query = query + " GROUP BY day"
            var follows: [Int: Int] = [:], unfollows: [Int: Int] = [:]
            for row in try await sql.raw(query).all() {
                let day = try row.decode(column: "day", as: Int.self)
                follows[day] = try row.decode(column: "follows", as: Int.self)
                unfollows[day] = try row.decode(column: "unfollows", as: Int.self)
            }
            var count: SQLQueryString = "SELECT COUNT(*) AS n FROM followers WHERE corp_id = \(bind: corpID) AND app_id = \(bind: appID) AND subscribed = 1"
            if let channelID { count = count + " AND channel_id = \(bind: channelID)" }
            var total = try await sql.raw(count).first()?.decode(column: "n", as: Int.self) ?? 0
            // Days after the window move today's total back to the window's last day.
            for (day, n) in follows where day > last { total -= n }
            for (day, n) in unfollows where day > last { total += n }
            var days: [GrowthDay] = []
            for day in (first...last).reversed() {
                let entry = GrowthDay(day: BusinessCalendar.label(dayNumber: day), new: follows[day, default: 0], lost: unfollows[day, default: 0], total: max(0, total))
                days.append(entry)
                total -= entry.net
            }
            return days.reversed()
        }
    }
}
