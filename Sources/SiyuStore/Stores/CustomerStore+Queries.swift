import Foundation
import SQLKit
import SiyuCore

extension CustomerStore {
    /// Names (and avatars) of some customers by id, for pages that show people, not ids; a
    /// customer without a name is left out.
    public func names(corpID: String, externalUserIDs: [String]) async throws -> [String: String] {
        try await profiles(corpID: corpID, externalUserIDs: externalUserIDs).compactMapValues { $0.name.isEmpty ? nil : $0.name }
    }

    /// Name and avatar of some customers by id.
    public func profiles(corpID: String, externalUserIDs: [String]) async throws -> [String: (name: String, avatar: String)] {
        let wanted = Array(Set(externalUserIDs))
        guard !wanted.isEmpty else { return [:] }
        return try await database.read { sql in
            var found: [String: (name: String, avatar: String)] = [:]
            for chunk in sql.bindChunks(wanted) {
                for row in try await sql.raw("""
                    SELECT external_userid, name, avatar FROM customers
                    WHERE corp_id = \(bind: corpID) AND external_userid IN (\(SQLList(chunk.map { SQLBind($0) })))
                    """).all() {
                    found[try row.decode(column: "external_userid", as: String.self)] = (try row.decode(column: "name", as: String.self), try row.decode(column: "avatar", as: String.self))
                }
            }
            return found
        }
    }

    /// A page of customers matching `query`, ordered by external user id (the cursor).
    public func list(corpID: String, _ query: CustomerQuery) async throws -> [CustomerSummary] {
        let whereClause = Self.conditions(corpID: corpID, query)
        let limit = max(1, min(query.limit, 1000))
        let order: SQLQueryString = switch query.sort {
        case .id: "c.external_userid"
        case .addedNewest: "c.first_added_at DESC, c.external_userid"
        case .addedOldest: "c.first_added_at, c.external_userid"
        case .lastInteraction:
            "(SELECT MAX(x.at) FROM customer_timeline x WHERE x.corp_id = c.corp_id AND x.external_userid = c.external_userid) DESC, c.external_userid"
        case .orders:
            "(SELECT COALESCE(SUM(o.amount_fen), 0) FROM orders o WHERE o.corp_id = c.corp_id AND o.external_userid = c.external_userid AND o.status = 'paid') DESC, c.external_userid"
        }
        let offset: SQLQueryString = query.sort == .id || query.offset <= 0 ? "" : " OFFSET \(literal: query.offset)"
        return try await database.read { sql in
            let rows = try await sql.raw("""
                SELECT c.external_userid, c.name, c.avatar, c.gender, c.first_added_at, c.custom_fields FROM customers c
                WHERE \(whereClause) ORDER BY \(order) LIMIT \(literal: limit)\(offset)
                """).all()
            return try await Self.summaries(rows, corpID: corpID, on: sql)
        }
    }

    /// How many customers a query matches (its cursor and order aside).
    public func count(corpID: String, _ query: CustomerQuery) async throws -> Int {
        var all = query
        all.cursor = nil
        let whereClause = Self.conditions(corpID: corpID, all)
        return try await database.read { sql in
            try await sql.raw("SELECT COUNT(*) AS n FROM customers c WHERE \(whereClause)").first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    /// The WHERE clause of a query (on `customers c`).
    static func conditions(corpID: String, _ query: CustomerQuery) -> SQLQueryString {
        var conditions: [SQLQueryString] = ["c.corp_id = \(bind: corpID)"]
        let relation = "SELECT 1 FROM follow_relations r WHERE r.corp_id = c.corp_id AND r.external_userid = c.external_userid"
        if !query.tagIDs.isEmpty {
            let binds: [any Encodable & Sendable] = query.tagIDs
            conditions.append("EXISTS (SELECT 1 FROM customer_tags t WHERE t.corp_id = c.corp_id AND t.external_userid = c.external_userid AND t.tag_id IN (\(binds: binds)))")
        }
        if let channelID = query.channelID {
            conditions.append("EXISTS (\(unsafeRaw: relation) AND r.channel_id = \(bind: channelID))")
        }
        if let userID = query.userID {
            conditions.append("EXISTS (\(unsafeRaw: relation) AND r.userid = \(bind: userID))")
        }
        if let department = query.departmentID {
            conditions.append("""
                EXISTS (\(unsafeRaw: relation) AND EXISTS (SELECT 1 FROM members m WHERE m.corp_id = r.corp_id AND m.userid = r.userid
                    AND (',' || REPLACE(REPLACE(m.departments, '[', ''), ']', '') || ',') LIKE \(bind: "%,\(department),%")))
                """)
        }
        if let after = query.addedAfter { conditions.append("c.first_added_at >= \(bind: StoredTime.millis(after))") }
        if let before = query.addedBefore { conditions.append("c.first_added_at < \(bind: StoredTime.millis(before))") }
        switch query.status {
        case .active?: conditions.append("EXISTS (\(unsafeRaw: relation) AND r.status = 'active')")
        case .lost?: conditions.append("NOT EXISTS (\(unsafeRaw: relation) AND r.status = 'active') AND EXISTS (\(unsafeRaw: relation) AND r.status = 'lost')")
        case .deleted?: conditions.append("NOT EXISTS (\(unsafeRaw: relation) AND r.status <> 'deleted')")
        case nil: break
        }
        if let keyword = query.keyword?.trimmingCharacters(in: .whitespaces), !keyword.isEmpty {
            let pattern = "%" + keyword.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%"
            conditions.append("(c.name LIKE \(bind: pattern) OR EXISTS (\(unsafeRaw: relation) AND r.remark LIKE \(bind: pattern)))")
        }
        if let ids = query.externalUserIDs {
            let binds: [any Encodable & Sendable] = ids.isEmpty ? [""] : ids
            conditions.append("c.external_userid IN (\(binds: binds))")
        }
        if let cursor = query.cursor, query.sort == .id { conditions.append("c.external_userid > \(bind: cursor)") }
        return conditions.joined(separator: " AND ")
    }

    /// Summaries of customer rows, in the rows' order.
    private static func summaries(_ rows: [any SQLRow], corpID: String, on sql: any SQLDatabase) async throws -> [CustomerSummary] {
        guard !rows.isEmpty else { return [] }
        let ids: [String] = try rows.map { try $0.decode(column: "external_userid", as: String.self) }
        let binds: [any Encodable & Sendable] = ids
        var relations: [String: [(userID: String, status: String, channel: String?)]] = [:]
        for row in try await sql.raw("""
            SELECT external_userid, userid, status, channel_id FROM follow_relations
            WHERE corp_id = \(bind: corpID) AND external_userid IN (\(binds: binds)) ORDER BY added_at
            """).all() {
            relations[try row.decode(column: "external_userid", as: String.self), default: []].append((
                try row.decode(column: "userid", as: String.self), try row.decode(column: "status", as: String.self),
                try row.decode(column: "channel_id", as: String?.self)
            ))
        }
        var tags: [String: Set<String>] = [:]
        for row in try await sql.raw("""
            SELECT external_userid, tag_id FROM customer_tags WHERE corp_id = \(bind: corpID) AND external_userid IN (\(binds: binds))
            """).all() {
            tags[try row.decode(column: "external_userid", as: String.self), default: []].insert(try row.decode(column: "tag_id", as: String.self))
        }
        return try rows.map { row in
            let id = try row.decode(column: "external_userid", as: String.self)
            let list = relations[id] ?? []
            let active = list.filter { $0.status == "active" }
            let status: RelationStatus = !active.isEmpty ? .active : (list.contains { $0.status == "lost" } ? .lost : .deleted)
            return CustomerSummary(
                externalUserID: id, name: try row.decode(column: "name", as: String.self), avatar: try row.decode(column: "avatar", as: String.self),
                gender: try row.decode(column: "gender", as: Int.self), firstAddedAt: StoredTime.date(try row.decode(column: "first_added_at", as: Int64.self)),
                status: status, members: active.map(\.userID), channelIDs: Array(Set(list.compactMap(\.channel))).sorted(), tagIDs: (tags[id] ?? []).sorted(),
                customFields: (try? JSONDecoder().decode([String: String].self, from: Data(try row.decode(column: "custom_fields", as: String.self).utf8))) ?? [:]
            )
        }
    }

    /// Everything about one customer, or nil.
    public func profile(corpID: String, externalUserID: String, timelineLimit: Int = 200) async throws -> CustomerProfile? {
        try await database.read { sql in
            guard let row = try await sql.raw("""
                SELECT name, avatar, customer_type, gender, unionid, corp_name, custom_fields, first_added_at FROM customers
                WHERE corp_id = \(bind: corpID) AND external_userid = \(bind: externalUserID)
                """).first() else { return nil }
            var tagsByMember: [String: [String]] = [:]
            for tag in try await sql.raw("""
                SELECT userid, tag_id FROM customer_tags WHERE corp_id = \(bind: corpID) AND external_userid = \(bind: externalUserID) ORDER BY tagged_at, tag_id
                """).all() {
                tagsByMember[try tag.decode(column: "userid", as: String.self), default: []].append(try tag.decode(column: "tag_id", as: String.self))
            }
            let relations = try await sql.raw("""
                SELECT userid, remark, state, channel_id, add_way, status, added_at, ended_at FROM follow_relations
                WHERE corp_id = \(bind: corpID) AND external_userid = \(bind: externalUserID) ORDER BY added_at, userid
                """).all().map { r in
                let userID = try r.decode(column: "userid", as: String.self)
                return CustomerProfile.Relation(
                    userID: userID, remark: try r.decode(column: "remark", as: String.self), state: try r.decode(column: "state", as: String?.self),
                    channelID: try r.decode(column: "channel_id", as: String?.self), addWay: try r.decode(column: "add_way", as: Int.self),
                    status: try r.decodeStored(column: "status", as: RelationStatus.self),
                    addedAt: StoredTime.date(try r.decode(column: "added_at", as: Int64.self)),
                    endedAt: try r.decode(column: "ended_at", as: Int64?.self).map(StoredTime.date), tagIDs: tagsByMember[userID] ?? []
                )
            }
            let timeline = try await sql.raw("""
                SELECT at, kind, userid, detail FROM customer_timeline WHERE corp_id = \(bind: corpID) AND external_userid = \(bind: externalUserID)
                ORDER BY at DESC, entry_id DESC LIMIT \(literal: max(1, min(timelineLimit, 1000)))
                """).all().map { t in
                CustomerProfile.TimelineEntry(
                    at: StoredTime.date(try t.decode(column: "at", as: Int64.self)), kind: try t.decode(column: "kind", as: String.self),
                    userID: try t.decode(column: "userid", as: String.self),
                    detail: (try? JSONDecoder().decode([String: String].self, from: Data(try t.decode(column: "detail", as: String.self).utf8))) ?? [:]
                )
            }
            let facts = CustomerFacts(
                externalUserID: externalUserID, name: try row.decode(column: "name", as: String.self), avatar: try row.decode(column: "avatar", as: String.self),
                type: try row.decode(column: "customer_type", as: Int.self), gender: try row.decode(column: "gender", as: Int.self),
                unionID: try row.decode(column: "unionid", as: String?.self), corpName: try row.decode(column: "corp_name", as: String.self)
            )
            return CustomerProfile(
                facts: facts, firstAddedAt: StoredTime.date(try row.decode(column: "first_added_at", as: Int64.self)),
                customFields: (try? JSONDecoder().decode([String: String].self, from: Data(try row.decode(column: "custom_fields", as: String.self).utf8))) ?? [:],
                relations: relations, timeline: timeline
            )
        }
    }

    /// Relations that ended because the customer deleted the member, newest first; optionally of
    /// one member, one channel, and before `until`.
    public func lostRelations(
        corpID: String, since: Date?, until: Date? = nil, userID: String? = nil, channelID: String? = nil, limit: Int = 100
    ) async throws -> [LostRelation] {
        var scope: SQLQueryString = ""
        if let until { scope = scope + " AND r.ended_at < \(bind: StoredTime.millis(until))" }
        if let userID { scope = scope + " AND r.userid = \(bind: userID)" }
        if let channelID { scope = scope + " AND r.channel_id = \(bind: channelID)" }
        let filters = scope
        return try await database.read { sql in
            try await sql.raw("""
                SELECT r.external_userid, r.userid, r.channel_id, r.added_at, r.ended_at, c.name FROM follow_relations r
                JOIN customers c ON c.corp_id = r.corp_id AND c.external_userid = r.external_userid
                WHERE r.corp_id = \(bind: corpID) AND r.status = 'lost' AND r.ended_at >= \(bind: StoredTime.millis(since ?? Date(timeIntervalSince1970: 0)))\(filters)
                ORDER BY r.ended_at DESC, r.external_userid LIMIT \(literal: max(1, min(limit, 1000)))
                """).all().map { r in
                LostRelation(
                    externalUserID: try r.decode(column: "external_userid", as: String.self), name: try r.decode(column: "name", as: String.self),
                    userID: try r.decode(column: "userid", as: String.self), channelID: try r.decode(column: "channel_id", as: String?.self),
                    addedAt: StoredTime.date(try r.decode(column: "added_at", as: Int64.self)),
                    lostAt: StoredTime.date(try r.decode(column: "ended_at", as: Int64?.self) ?? 0)
                )
            }
        }
    }

    /// Relations by status (active, lost, deleted) and customers by whether any member still has them.
    public func counts(corpID: String) async throws -> [String: Int] {
        try await database.read { sql in
            var counts = ["relations_active": 0, "relations_lost": 0, "relations_deleted": 0]
            for row in try await sql.raw("SELECT status, COUNT(*) AS n FROM follow_relations WHERE corp_id = \(bind: corpID) GROUP BY status").all() {
                counts["relations_" + (try row.decode(column: "status", as: String.self))] = try row.decode(column: "n", as: Int.self)
            }
            counts["customers"] = try await sql.raw("SELECT COUNT(*) AS n FROM customers WHERE corp_id = \(bind: corpID)").first()?.decode(column: "n", as: Int.self) ?? 0
            counts["customers_active"] = try await sql.raw("""
                SELECT COUNT(DISTINCT external_userid) AS n FROM follow_relations WHERE corp_id = \(bind: corpID) AND status = 'active'
                """).first()?.decode(column: "n", as: Int.self) ?? 0
            return counts
        }
    }
}

/// A customer who deleted a member.
public struct LostRelation: Codable, Sendable, Equatable {
    public var externalUserID: String
    public var name: String
    public var userID: String
    public var channelID: String?
    public var addedAt: Date
    public var lostAt: Date

    enum CodingKeys: String, CodingKey {
        case externalUserID = "external_userid", name, userID = "userid", channelID = "channel_id", addedAt = "added_at", lostAt = "lost_at"
    }
}
