import Foundation
import SQLKit
import SiyuCore

/// Saved segments, the data revision that tells a segment index it is stale, and the snapshot an
/// index is built from. The database is the source of truth; an index is a cache of it.
public struct SegmentStore: Sendable {
    let database: SiyuDatabase

    /// Revisions of change log kept per corp; an index further behind rebuilds.
    static let changesKept: Int64 = 2_000
    /// Above this many changed customers an index rebuilds rather than updating in place, so a
    /// larger change is logged as a rebuild (which also keeps the log small).
    public static let inPlaceLimit = 5_000

    /// Marks the corp's segment data changed; call inside the transaction that changes it.
    /// `customers` names the only customers whose facts changed; `nil` means names or the
    /// structure changed (tags, channels, members, groups defined), which needs a rebuild.
    static func bumpRevision(on sql: any SQLDatabase, corpID: String, customers: [String]? = nil) async throws {
        let revision = try await sql.raw("""
            INSERT INTO corp_revisions (corp_id, revision) VALUES (\(bind: corpID), 1)
            ON CONFLICT (corp_id) DO UPDATE SET revision = corp_revisions.revision + 1
            RETURNING revision
            """).first()?.decode(column: "revision", as: Int64.self) ?? 1
        let changed = customers.map { Array(Set($0)) }.flatMap { $0.count <= inPlaceLimit ? $0 : nil } ?? [""]
        for chunk in sql.bindChunks(changed, bindsPerItem: 3) {
            let values = chunk.map { id -> SQLQueryString in
                "(\(bind: corpID), \(bind: revision), \(bind: id))"
            }.joined(separator: ", ")
            try await sql.raw("INSERT INTO segment_changes (corp_id, revision, external_userid) VALUES \(values) ON CONFLICT DO NOTHING").run()
        }
        if revision % 100 == 0 {
            try await sql.raw("DELETE FROM segment_changes WHERE corp_id = \(bind: corpID) AND revision <= \(bind: revision - changesKept)").run()
        }
    }

    /// What changed after `revision`: the customers, or nil when a rebuild is needed (names
    /// changed, or the log no longer reaches back that far: rows are pruned only
    /// `changesKept` revisions behind the newest, so a gap this small is always complete).
    public func changes(corpID: String, after revision: Int64, upTo current: Int64) async throws -> Set<String>? {
        guard current - revision <= Self.changesKept else { return nil }
        return try await database.read { sql in
            let rows = try await sql.raw("""
                SELECT DISTINCT external_userid FROM segment_changes
                WHERE corp_id = \(bind: corpID) AND revision > \(bind: revision) AND revision <= \(bind: current)
                """).all()
            var ids = Set<String>()
            for row in rows {
                let id = try row.decode(column: "external_userid", as: String.self)
                if id.isEmpty { return nil }
                ids.insert(id)
            }
            return ids
        }
    }

    /// The corp's current data revision (0 before any change).
    public func revision(corpID: String) async throws -> Int64 {
        try await database.read { sql in
            try await sql.raw("SELECT revision FROM corp_revisions WHERE corp_id = \(bind: corpID)").first()?.decode(column: "revision", as: Int64.self) ?? 0
        }
    }

    /// A saved segment.
    public struct Saved: Codable, Sendable, Equatable {
        public var segmentID: String
        public var name: String
        public var expression: String
        public var createdAt: Date
        public var updatedAt: Date

        enum CodingKeys: String, CodingKey {
            case segmentID = "segment_id", name, expression, createdAt = "created_at", updatedAt = "updated_at"
        }
    }

    private static func saved(_ row: any SQLRow) throws -> Saved {
        Saved(
            segmentID: try row.decode(column: "segment_id", as: String.self), name: try row.decode(column: "name", as: String.self),
            expression: try row.decode(column: "expression", as: String.self),
            createdAt: StoredTime.date(try row.decode(column: "created_at", as: Int64.self)), updatedAt: StoredTime.date(try row.decode(column: "updated_at", as: Int64.self))
        )
    }

    /// Saves a segment under a name unique within the corp. `expression` is stored as given
    /// (the caller has parsed and resolved it).
    public func save(corpID: String, name: String, expression: String, actor: String, now: Date) async throws -> Saved {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 60 else { throw ValidationError(field: "name", message: "a segment name is 1 to 60 characters") }
        let id = "seg_" + Hex.random(bytes: 8)
        return try await database.write { sql in
            let inserted = try await sql.raw("""
                INSERT INTO segments (corp_id, segment_id, name, expression, created_at, updated_at)
                VALUES (\(bind: corpID), \(bind: id), \(bind: trimmed), \(bind: expression), \(bind: StoredTime.millis(now)), \(bind: StoredTime.millis(now)))
                ON CONFLICT DO NOTHING RETURNING segment_id
                """).all()
            guard !inserted.isEmpty else { throw StoreError(.duplicate, "a segment named \(trimmed) already exists") }
            try await AuditLog.append(on: sql, corpID: corpID, actor: actor, action: "segment.save", target: id, detail: ["name": trimmed], now: now)
            return Saved(segmentID: id, name: trimmed, expression: expression, createdAt: now, updatedAt: now)
        }
    }

    public func update(corpID: String, segmentID: String, name: String?, expression: String?, actor: String, now: Date) async throws -> Saved? {
        if let name {
            let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty, trimmed.count <= 60 else { throw ValidationError(field: "name", message: "a segment name is 1 to 60 characters") }
        }
        return try await database.write { sql in
            guard var current = try await sql.raw("SELECT * FROM segments WHERE corp_id = \(bind: corpID) AND segment_id = \(bind: segmentID)").first().map(Self.saved) else {
                return nil
            }
            if let name { current.name = name.trimmingCharacters(in: .whitespacesAndNewlines) }
            if let expression { current.expression = expression }
            current.updatedAt = now
            let clash = try await sql.raw("""
                SELECT segment_id FROM segments WHERE corp_id = \(bind: corpID) AND name = \(bind: current.name) AND segment_id <> \(bind: segmentID)
                """).first()
            guard clash == nil else { throw StoreError(.duplicate, "a segment named \(current.name) already exists") }
            try await sql.raw("""
                UPDATE segments SET name = \(bind: current.name), expression = \(bind: current.expression), updated_at = \(bind: StoredTime.millis(now))
                WHERE corp_id = \(bind: corpID) AND segment_id = \(bind: segmentID)
                """).run()
            try await AuditLog.append(on: sql, corpID: corpID, actor: actor, action: "segment.update", target: segmentID, detail: ["name": current.name], now: now)
            return current
        }
    }

    public func delete(corpID: String, segmentID: String, actor: String, now: Date) async throws -> Bool {
        try await database.write { sql in
            let rows = try await sql.raw("DELETE FROM segments WHERE corp_id = \(bind: corpID) AND segment_id = \(bind: segmentID) RETURNING segment_id").all()
            if rows.isEmpty { return false }
            try await AuditLog.append(on: sql, corpID: corpID, actor: actor, action: "segment.delete", target: segmentID, detail: [:], now: now)
            return true
        }
    }

    public func find(corpID: String, segmentID: String) async throws -> Saved? {
        try await database.read { sql in
            try await sql.raw("SELECT * FROM segments WHERE corp_id = \(bind: corpID) AND segment_id = \(bind: segmentID)").first().map(Self.saved)
        }
    }

    public func list(corpID: String) async throws -> [Saved] {
        try await database.read { sql in
            try await sql.raw("SELECT * FROM segments WHERE corp_id = \(bind: corpID) ORDER BY name").all().map(Self.saved)
        }
    }

    /// Everything a segment index holds about a corp, read at one revision.
    public struct Snapshot: Sendable {
        public var revision: Int64
        public var customers: [(externalUserID: String, firstAddedAt: Date)]
        public var relations: [(externalUserID: String, userID: String, channelID: String?, status: RelationStatus, addedAt: Int64)]
        public var tags: [(externalUserID: String, tagID: String)]
        public var tagNames: [(tagID: String, name: String)]
        public var channelNames: [(channelID: String, name: String)]
        public var members: [MemberRecord]
        public var orders: [String: OrderStore.CustomerTotals]
        /// Live groups by chat id, and each customer's groups.
        public var groupNames: [(chatID: String, name: String)] = []
        public var groupMemberships: [(externalUserID: String, chatID: String)] = []
        /// The latest touch in the contact ledger up to the snapshot's time, per customer.
        public var lastContact: [String: Date] = [:]
        /// Each customer's ledger ordinal.
        public var ledgerOrdinals: [String: Int64] = [:]
        /// The latest interaction of each member with each customer who has several active
        /// relations (what ``SenderChoice`` needs beyond the relations), keyed customer, member.
        public var interactions: [String: [String: Int64]] = [:]
    }

    /// Reads the snapshot in one transaction, so the revision matches the rows. With `only`,
    /// the customer facts are read for those customers alone (names and members in full).
    public func snapshot(corpID: String, only: Set<String>? = nil, now: Date) async throws -> Snapshot {
        let ids: [any Encodable & Sendable]? = only.map { Array($0) }
        let scope: SQLQueryString = ids.map { " AND external_userid IN (\(binds: $0))" } ?? ""
        let memberScope: SQLQueryString = ids.map { " AND member_id IN (\(binds: $0))" } ?? ""
        return try await database.write { sql in
            let revision = try await sql.raw("SELECT revision FROM corp_revisions WHERE corp_id = \(bind: corpID)").first()?.decode(column: "revision", as: Int64.self) ?? 0
            var idByOrdinal: [Int64: String] = [:]
            let customers = try await sql.raw("SELECT external_userid, first_added_at, ordinal FROM customers WHERE corp_id = \(bind: corpID)\(scope) ORDER BY external_userid").all().map {
                let id = try $0.decode(column: "external_userid", as: String.self)
                if let ordinal = try $0.decode(column: "ordinal", as: Int64?.self) { idByOrdinal[ordinal] = id }
                return (id, StoredTime.date(try $0.decode(column: "first_added_at", as: Int64.self)))
            }
            let relations = try await sql.raw("SELECT external_userid, userid, channel_id, status, added_at FROM follow_relations WHERE corp_id = \(bind: corpID)\(scope)").all().map {
                (try $0.decode(column: "external_userid", as: String.self), try $0.decode(column: "userid", as: String.self),
                 try $0.decode(column: "channel_id", as: String?.self), try $0.decodeStored(column: "status", as: RelationStatus.self),
                 try $0.decode(column: "added_at", as: Int64.self))
            }
            let tags = try await sql.raw("SELECT DISTINCT external_userid, tag_id FROM customer_tags WHERE corp_id = \(bind: corpID)\(scope)").all().map {
                (try $0.decode(column: "external_userid", as: String.self), try $0.decode(column: "tag_id", as: String.self))
            }
            let tagNames = try await sql.raw("SELECT tag_id, name FROM tags WHERE corp_id = \(bind: corpID)").all().map {
                (try $0.decode(column: "tag_id", as: String.self), try $0.decode(column: "name", as: String.self))
            }
            let channelNames = try await sql.raw("SELECT channel_id, name FROM channels WHERE corp_id = \(bind: corpID)").all().map {
                (try $0.decode(column: "channel_id", as: String.self), try $0.decode(column: "name", as: String.self))
            }
            let members = try await sql.raw("SELECT userid, name, departments FROM members WHERE corp_id = \(bind: corpID)").all().map {
                MemberRecord(
                    userID: try $0.decode(column: "userid", as: String.self), name: try $0.decode(column: "name", as: String.self),
                    departments: (try? JSONDecoder().decode([Int].self, from: Data(try $0.decode(column: "departments", as: String.self).utf8))) ?? []
                )
            }
            let orders = try await OrderStore.totals(on: sql, corpID: corpID, scope: scope)
            var snapshot = Snapshot(revision: revision, customers: customers, relations: relations, tags: tags, tagNames: tagNames,
                                    channelNames: channelNames, members: members, orders: orders)
            snapshot.groupNames = try await sql.raw("SELECT chat_id, name FROM customer_groups WHERE corp_id = \(bind: corpID) AND dismissed_at IS NULL").all().map {
                (try $0.decode(column: "chat_id", as: String.self), try $0.decode(column: "name", as: String.self))
            }
            snapshot.groupMemberships = try await sql.raw("""
                SELECT member_id, chat_id FROM group_members WHERE corp_id = \(bind: corpID) AND member_type = 2\(memberScope)
                """).all().map { (try $0.decode(column: "member_id", as: String.self), try $0.decode(column: "chat_id", as: String.self)) }
            snapshot.ledgerOrdinals = Dictionary(idByOrdinal.map { ($0.value, $0.key) }, uniquingKeysWith: { first, _ in first })
            // Interactions matter only where a customer has several members to choose from.
            for row in try await sql.raw("""
                SELECT external_userid, userid, MAX(at) AS last FROM customer_timeline
                WHERE corp_id = \(bind: corpID)\(scope) AND kind IN (\(binds: ContactStore.interactionKinds)) AND external_userid IN (
                  SELECT external_userid FROM follow_relations WHERE corp_id = \(bind: corpID) AND status = 'active'\(scope)
                  GROUP BY external_userid HAVING COUNT(*) > 1)
                GROUP BY external_userid, userid
                """).all() {
                guard let user = try row.decode(column: "userid", as: String?.self) else { continue }
                snapshot.interactions[try row.decode(column: "external_userid", as: String.self), default: [:]][user] = try row.decode(column: "last", as: Int64.self)
            }
            for set in try await LedgerSets.sets(on: sql, corpID: corpID, since: .distantPast, until: now) {
                for ordinal in set.members {
                    guard let id = idByOrdinal[ordinal] else { continue }
                    if snapshot.lastContact[id].map({ $0 < set.at }) ?? true { snapshot.lastContact[id] = set.at }
                }
            }
            return snapshot
        }
    }
}
