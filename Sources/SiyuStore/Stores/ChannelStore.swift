import Foundation
import SQLKit
import SiyuCore

/// Channel codes and their statistics.
public struct ChannelStore: Sendable {
    let database: SiyuDatabase

    private struct Row: Decodable {
        var channelID: String
        var name: String
        var state: String
        var configID: String?
        var qrCode: String?
        var settings: String
        var activeMembers: String
        var mpAppID: String?
        var mpScene: String?
        var mpTicket: String?
        var mpURL: String?
        var mpExpiresAt: Int64?
        var createdAt: Int64
        var updatedAt: Int64

        enum CodingKeys: String, CodingKey {
            case channelID = "channel_id", name, state, configID = "config_id", qrCode = "qr_code", settings
            case activeMembers = "active_members", createdAt = "created_at", updatedAt = "updated_at"
            case mpAppID = "mp_app_id", mpScene = "mp_scene", mpTicket = "mp_ticket", mpURL = "mp_qr_url", mpExpiresAt = "mp_qr_expires_at"
        }

        func channel() throws -> Channel {
            var qr: ChannelQRCode?
            if let mpAppID, let mpScene, let mpTicket, let mpURL {
                qr = ChannelQRCode(appID: mpAppID, scene: mpScene, ticket: mpTicket, url: mpURL, expiresAt: mpExpiresAt.map(StoredTime.date))
            }
            return Channel(
                channelID: channelID, name: name, state: state, configID: configID, qrCode: qrCode,
                settings: try JSONDecoder().decode(ChannelSettings.self, from: Data(settings.utf8)),
                activeMembers: try JSONDecoder().decode([String].self, from: Data(activeMembers.utf8)), officialAccountQR: qr,
                createdAt: StoredTime.date(createdAt), updatedAt: StoredTime.date(updatedAt)
            )
        }
    }

    static let columns = """
        channel_id, name, state, config_id, qr_code, settings, active_members, mp_app_id, mp_scene, mp_ticket, mp_qr_url, mp_qr_expires_at, created_at, updated_at
        """

    /// Stores a channel whose contact way the platform has created.
    public func create(corpID: String, _ channel: Channel, actor: String) async throws -> Channel {
        try await database.write { sql in
            let inserted = try await sql.raw("""
                INSERT INTO channels (corp_id, channel_id, name, state, config_id, qr_code, settings, active_members, created_at, updated_at)
                VALUES (\(bind: corpID), \(bind: channel.channelID), \(bind: channel.name), \(bind: channel.state), \(bind: channel.configID),
                        \(bind: channel.qrCode), \(bind: try Self.json(channel.settings)), \(bind: try Self.json(channel.activeMembers)),
                        \(bind: StoredTime.millis(channel.createdAt)), \(bind: StoredTime.millis(channel.updatedAt)))
                ON CONFLICT DO NOTHING
                RETURNING channel_id
                """).all()
            guard !inserted.isEmpty else { throw StoreError(.duplicate, "a channel with state \(channel.state) already exists") }
            try await SegmentStore.bumpRevision(on: sql, corpID: corpID)
            try await AuditLog.append(on: sql, corpID: corpID, actor: actor, action: "channel.create", target: channel.channelID, detail: ["name": channel.name], now: channel.createdAt)
            try await WebhookStore.publish(on: sql, corpID: corpID, eventType: .channelCreated, data: channel, now: channel.createdAt)
            return channel
        }
    }

    /// Replaces a channel's name, settings and active members.
    public func save(corpID: String, _ channel: Channel, actor: String?, now: Date) async throws {
        try await database.write { sql in
            try await sql.raw("""
                UPDATE channels SET name = \(bind: channel.name), settings = \(bind: try Self.json(channel.settings)),
                    active_members = \(bind: try Self.json(channel.activeMembers)), updated_at = \(bind: StoredTime.millis(now))
                WHERE corp_id = \(bind: corpID) AND channel_id = \(bind: channel.channelID) AND deleted_at IS NULL
                """).run()
            try await SegmentStore.bumpRevision(on: sql, corpID: corpID)
            if let actor {
                try await AuditLog.append(on: sql, corpID: corpID, actor: actor, action: "channel.update", target: channel.channelID, detail: ["name": channel.name], now: now)
                try await WebhookStore.publish(on: sql, corpID: corpID, eventType: .channelUpdated, data: channel, now: now)
            }
        }
    }

    /// Marks a channel deleted (its history stays attributed to it).
    public func delete(corpID: String, channelID: String, actor: String, now: Date) async throws -> Bool {
        try await database.write { sql in
            let rows = try await sql.raw("""
                UPDATE channels SET deleted_at = \(bind: StoredTime.millis(now)), updated_at = \(bind: StoredTime.millis(now))
                WHERE corp_id = \(bind: corpID) AND channel_id = \(bind: channelID) AND deleted_at IS NULL
                RETURNING channel_id
                """).all()
            if rows.isEmpty { return false }
            try await AuditLog.append(on: sql, corpID: corpID, actor: actor, action: "channel.delete", target: channelID, detail: [:], now: now)
            try await WebhookStore.publish(on: sql, corpID: corpID, eventType: .channelDeleted, data: ["channel_id": channelID], now: now)
            return true
        }
    }

    public func find(corpID: String, channelID: String) async throws -> Channel? {
        try await database.read { sql in
            try await sql.raw("""
                SELECT \(unsafeRaw: Self.columns) FROM channels WHERE corp_id = \(bind: corpID) AND channel_id = \(bind: channelID) AND deleted_at IS NULL
                """).first(decoding: Row.self)?.channel()
        }
    }

    public func list(corpID: String) async throws -> [Channel] {
        try await database.read { sql in
            try await sql.raw("""
                SELECT \(unsafeRaw: Self.columns) FROM channels WHERE corp_id = \(bind: corpID) AND deleted_at IS NULL ORDER BY created_at, channel_id
                """).all(decoding: Row.self).map { try $0.channel() }
        }
    }

    /// Gives a channel a service account's QR code (its scene is the channel's state) and audits it;
    /// nil when there is no such channel.
    public func setOfficialAccountQR(corpID: String, channelID: String, _ qr: ChannelQRCode, actor: String, now: Date) async throws -> Channel? {
        try await database.write { sql in
            let rows = try await sql.raw("""
                UPDATE channels SET mp_app_id = \(bind: qr.appID), mp_scene = \(bind: qr.scene), mp_ticket = \(bind: qr.ticket), mp_qr_url = \(bind: qr.url),
                    mp_qr_expires_at = \(bind: qr.expiresAt.map(StoredTime.millis)), updated_at = \(bind: StoredTime.millis(now))
                WHERE corp_id = \(bind: corpID) AND channel_id = \(bind: channelID) AND deleted_at IS NULL
                RETURNING channel_id
                """).all()
            guard !rows.isEmpty else { return nil }
            try await AuditLog.append(
                on: sql, corpID: corpID, actor: actor, action: "channel.qrcode", target: channelID,
                detail: ["app_id": qr.appID, "kind": qr.expiresAt == nil ? "permanent" : "temporary"], now: now
            )
            return try await sql.raw("""
                SELECT \(unsafeRaw: Self.columns) FROM channels WHERE corp_id = \(bind: corpID) AND channel_id = \(bind: channelID)
                """).first(decoding: Row.self)?.channel()
        }
    }

    /// The channel behind a service account's QR scene, deleted channels included (attribution outlives the code).
    public func channel(appID: String, scene: String) async throws -> Channel? {
        try await database.read { sql in
            try await sql.raw("""
                SELECT \(unsafeRaw: Self.columns) FROM channels WHERE mp_app_id = \(bind: appID) AND mp_scene = \(bind: scene)
                """).first(decoding: Row.self)?.channel()
        }
    }

    /// The channels with a QR code of this account that are not deleted, for the in-memory replies.
    public func officialAccountChannels(appID: String) async throws -> [Channel] {
        try await database.read { sql in
            try await sql.raw("""
                SELECT \(unsafeRaw: Self.columns) FROM channels WHERE mp_app_id = \(bind: appID) AND deleted_at IS NULL ORDER BY channel_id
                """).all(decoding: Row.self).map { try $0.channel() }
        }
    }

    /// Channel ids by `state`, deleted channels included (attribution outlives the code).
    static func channels(on sql: any SQLDatabase, corpID: String, states: Set<String>) async throws -> [String: String] {
        guard !states.isEmpty else { return [:] }
        let binds: [any Encodable & Sendable] = Array(states)
        var result: [String: String] = [:]
        for row in try await sql.raw("SELECT channel_id, state FROM channels WHERE corp_id = \(bind: corpID) AND state IN (\(binds: binds))").all() {
            result[try row.decode(column: "state", as: String.self)] = try row.decode(column: "channel_id", as: String.self)
        }
        return result
    }

    /// New customers per member through this channel since `since` (for daily caps and least-loaded rotation).
    public func adds(corpID: String, channelID: String, since: Date) async throws -> [String: Int] {
        try await database.read { sql in
            var counts: [String: Int] = [:]
            for row in try await sql.raw("""
                SELECT userid, COUNT(*) AS n FROM follow_relations
                WHERE corp_id = \(bind: corpID) AND channel_id = \(bind: channelID) AND added_at >= \(bind: StoredTime.millis(since))
                GROUP BY userid
                """).all() {
                counts[try row.decode(column: "userid", as: String.self)] = try row.decode(column: "n", as: Int.self)
            }
            return counts
        }
    }

    /// Customers one channel brought, for a list of channels.
    public struct Totals: Sendable, Equatable {
        public var adds = 0
        public var active = 0
        public var lost = 0

        public init(adds: Int = 0, active: Int = 0, lost: Int = 0) {
            self.adds = adds
            self.active = active
            self.lost = lost
        }
    }

    /// Every channel's adds, relations still active and relations lost, all time: one `GROUP BY`.
    /// A period's figures are ``statistics(corpID:period:)``.
    public func totals(corpID: String) async throws -> [String: Totals] {
        try await database.read { sql in
            var result: [String: Totals] = [:]
            for row in try await sql.raw("""
                SELECT channel_id, COUNT(*) AS adds, SUM(CASE WHEN status = 'active' THEN 1 ELSE 0 END) AS active,
                    SUM(CASE WHEN status = 'lost' THEN 1 ELSE 0 END) AS lost
                FROM follow_relations WHERE corp_id = \(bind: corpID) AND channel_id IS NOT NULL GROUP BY channel_id
                """).all() {
                result[try row.decode(column: "channel_id", as: String.self)] = Totals(
                    adds: try row.decode(column: "adds", as: Int.self), active: try row.decode(column: "active", as: Int.self),
                    lost: try row.decode(column: "lost", as: Int.self)
                )
            }
            return result
        }
    }

    public struct Statistics: Encodable, Sendable, Equatable {
        public var days: [ChannelDay]
        /// New customers per member over the period.
        public var memberAdds: [String: Int]
        public var totalAdds: Int
        public var totalLosses: Int

        enum CodingKeys: String, CodingKey { case days, memberAdds = "member_adds", totalAdds = "total_adds", totalLosses = "total_losses" }
    }

    /// Adds, losses and net growth per day between `from` and `to` (inclusive days), and each member's share.
    public func statistics(corpID: String, channelID: String, from: Date, to: Date, calendar: BusinessCalendar) async throws -> Statistics {
        let period = (start: calendar.startOfDay(from), end: calendar.startOfDay(to).addingTimeInterval(86400))
        return try await figures(corpID: corpID, channelID: channelID, start: period.start, end: period.end, calendar: calendar)[channelID]
            ?? Self.emptyStatistics(start: period.start, end: period.end, calendar: calendar)
    }

    /// Every channel's statistics over a report period, keyed by channel id ("" for adds through
    /// no channel): the one query path behind the dashboard's bars, the channel list and a
    /// channel's page, so the three show the same figures.
    public func statistics(corpID: String, period: ReportPeriod) async throws -> [String: Statistics] {
        try await figures(corpID: corpID, channelID: nil, start: period.start, end: period.end, calendar: period.calendar)
    }

    /// One channel's statistics over a report period.
    public func statistics(corpID: String, channelID: String, period: ReportPeriod) async throws -> Statistics {
        try await figures(corpID: corpID, channelID: channelID, start: period.start, end: period.end, calendar: period.calendar)[channelID]
            ?? Self.emptyStatistics(start: period.start, end: period.end, calendar: period.calendar)
    }

    /// The definition of a channel's figures: an add is a follow relation added through the
    /// channel (its `state`) on a day; a loss is such a relation the customer ended (`lost`) on a
    /// day. Days are local days of `calendar`.
    ///
    /// Grouped by the `day` alias: PostgreSQL does not see `(x + $1)` and `(x + $2)` as one expression.
    private func figures(corpID: String, channelID: String?, start: Date, end: Date, calendar: BusinessCalendar) async throws -> [String: Statistics] {
        let offset = Int64(calendar.utcOffsetSeconds) * 1000
        let scope: SQLQueryString = channelID.map { " AND channel_id = \(bind: $0)" } ?? ""
        return try await database.read { sql in
            var adds: [String: [Int: Int]] = [:]
            var losses: [String: [Int: Int]] = [:]
            var members: [String: [String: Int]] = [:]
            for row in try await sql.raw("""
                SELECT channel_id, (added_at + \(bind: offset)) / 86400000 AS day, userid, COUNT(*) AS n FROM follow_relations
                WHERE corp_id = \(bind: corpID)\(scope) AND added_at >= \(bind: StoredTime.millis(start)) AND added_at < \(bind: StoredTime.millis(end))
                GROUP BY channel_id, day, userid
                """).all() {
                let channel = try row.decode(column: "channel_id", as: String?.self) ?? ""
                let n = try row.decode(column: "n", as: Int.self)
                adds[channel, default: [:]][try row.decode(column: "day", as: Int.self), default: 0] += n
                members[channel, default: [:]][try row.decode(column: "userid", as: String.self), default: 0] += n
            }
            for row in try await sql.raw("""
                SELECT channel_id, (ended_at + \(bind: offset)) / 86400000 AS day, COUNT(*) AS n FROM follow_relations
                WHERE corp_id = \(bind: corpID)\(scope) AND status = 'lost'
                  AND ended_at >= \(bind: StoredTime.millis(start)) AND ended_at < \(bind: StoredTime.millis(end))
                GROUP BY channel_id, day
                """).all() {
                let channel = try row.decode(column: "channel_id", as: String?.self) ?? ""
                losses[channel, default: [:]][try row.decode(column: "day", as: Int.self), default: 0] += try row.decode(column: "n", as: Int.self)
            }
            let dayNumbers = calendar.dayNumber(start)...calendar.dayNumber(end.addingTimeInterval(-1))
            var result: [String: Statistics] = [:]
            for channel in Set(adds.keys).union(losses.keys) {
                let added = adds[channel] ?? [:], lost = losses[channel] ?? [:]
                result[channel] = Statistics(
                    days: dayNumbers.map { ChannelDay(day: BusinessCalendar.label(dayNumber: $0), adds: added[$0, default: 0], losses: lost[$0, default: 0]) },
                    memberAdds: members[channel] ?? [:], totalAdds: added.values.reduce(0, +), totalLosses: lost.values.reduce(0, +)
                )
            }
            return result
        }
    }

    private static func emptyStatistics(start: Date, end: Date, calendar: BusinessCalendar) -> Statistics {
        let dayNumbers = calendar.dayNumber(start)...calendar.dayNumber(end.addingTimeInterval(-1))
        return Statistics(days: dayNumbers.map { ChannelDay(day: BusinessCalendar.label(dayNumber: $0), adds: 0, losses: 0) }, memberAdds: [:], totalAdds: 0, totalLosses: 0)
    }

    static func json(_ value: some Encodable) throws -> String {
        String(decoding: try JSONEncoder.sorted.encode(value), as: UTF8.self)
    }
}
