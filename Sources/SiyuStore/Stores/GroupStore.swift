import Foundation
import SQLKit
import SiyuCore

/// Customer groups (客户群) as the platform last reported them, with their members.
public struct GroupStore: Sendable {
    let database: SiyuDatabase

    /// A member of a group: a member of the corp (type 1) or a customer (type 2).
    public struct Member: Sendable, Equatable {
        public var memberID: String
        public var type: Int
        public var joinedAt: Date

        public init(memberID: String, type: Int, joinedAt: Date) {
            self.memberID = memberID
            self.type = type
            self.joinedAt = joinedAt
        }
    }

    public struct Group: Codable, Sendable, Equatable {
        public var chatID: String
        public var name: String
        public var owner: String
        public var notice: String?
        public var members: Int
        public var customers: Int
        public var createdAt: Date
        public var dismissedAt: Date?
        public var updatedAt: Date

        enum CodingKeys: String, CodingKey {
            case chatID = "chat_id", name, owner, notice, members, customers, createdAt = "created_at", dismissedAt = "dismissed_at", updatedAt = "updated_at"
        }
    }

    /// Stores a group as the platform describes it now, replacing its member list.
    public func upsert(corpID: String, chatID: String, name: String, owner: String, notice: String?, createdAt: Date, members: [Member], now: Date) async throws {
        try await database.write { sql in
            // Known under the same name: only its customers' facts change; otherwise the index learns a name.
            let known = try await sql.raw("""
                SELECT name FROM customer_groups WHERE corp_id = \(bind: corpID) AND chat_id = \(bind: chatID) AND dismissed_at IS NULL
                """).first()?.decode(column: "name", as: String.self) == name
            let before = try await sql.raw("""
                SELECT member_id FROM group_members WHERE corp_id = \(bind: corpID) AND chat_id = \(bind: chatID) AND member_type = 2
                """).all().map { try $0.decode(column: "member_id", as: String.self) }
            try await sql.raw("""
                INSERT INTO customer_groups (corp_id, chat_id, name, owner, notice, created_at, dismissed_at, updated_at)
                VALUES (\(bind: corpID), \(bind: chatID), \(bind: name), \(bind: owner), \(bind: notice), \(bind: StoredTime.millis(createdAt)), NULL, \(bind: StoredTime.millis(now)))
                ON CONFLICT (corp_id, chat_id) DO UPDATE SET name = excluded.name, owner = excluded.owner, notice = excluded.notice,
                  dismissed_at = NULL, updated_at = excluded.updated_at
                """).run()
            try await sql.raw("DELETE FROM group_members WHERE corp_id = \(bind: corpID) AND chat_id = \(bind: chatID)").run()
            for chunk in sql.bindChunks(members, bindsPerItem: 5) {
                let values = chunk.map { member -> SQLQueryString in
                    "(\(bind: corpID), \(bind: chatID), \(bind: member.memberID), \(bind: Int64(member.type)), \(bind: StoredTime.millis(member.joinedAt)))"
                }.joined(separator: ", ")
                try await sql.raw("INSERT INTO group_members (corp_id, chat_id, member_id, member_type, joined_at) VALUES \(values) ON CONFLICT DO NOTHING").run()
            }
            let after = members.filter { $0.type == 2 }.map(\.memberID)
            try await SegmentStore.bumpRevision(on: sql, corpID: corpID, customers: known ? Array(Set(before).symmetricDifference(after)) : nil)
        }
    }

    /// Marks groups dismissed (the platform no longer lists them); members are dropped.
    public func dismiss(corpID: String, chatIDs: [String], now: Date) async throws {
        guard !chatIDs.isEmpty else { return }
        try await database.write { sql in
            for chunk in sql.bindChunks(chatIDs) {
                let binds: [any Encodable & Sendable] = Array(chunk)
                try await sql.raw("""
                    UPDATE customer_groups SET dismissed_at = \(bind: StoredTime.millis(now)), updated_at = \(bind: StoredTime.millis(now))
                    WHERE corp_id = \(bind: corpID) AND chat_id IN (\(binds: binds)) AND dismissed_at IS NULL
                    """).run()
                try await sql.raw("DELETE FROM group_members WHERE corp_id = \(bind: corpID) AND chat_id IN (\(binds: binds))").run()
            }
            try await SegmentStore.bumpRevision(on: sql, corpID: corpID)
        }
    }

    /// Groups that are not dismissed, by name; optionally of one owner.
    /// The groups (not dismissed) one customer or member is in, by their id.
    public func groups(corpID: String, memberID: String) async throws -> [Group] {
        try await list(corpID: corpID, owner: nil, memberID: memberID)
    }

    /// One group, dismissed or not.
    public func find(corpID: String, chatID: String) async throws -> Group? {
        try await list(corpID: corpID, owner: nil, chatID: chatID).first
    }

    /// A group's members, customers and members alike, earliest joined first.
    public func members(corpID: String, chatID: String) async throws -> [Member] {
        try await database.read { sql in
            try await sql.raw("""
                SELECT member_id, member_type, joined_at FROM group_members WHERE corp_id = \(bind: corpID) AND chat_id = \(bind: chatID)
                ORDER BY joined_at, member_id
                """).all().map { row in
                Member(memberID: try row.decode(column: "member_id", as: String.self), type: Int(try row.decode(column: "member_type", as: Int64.self)),
                       joinedAt: StoredTime.date(try row.decode(column: "joined_at", as: Int64.self)))
            }
        }
    }

    public func list(corpID: String, owner: String? = nil) async throws -> [Group] {
        try await list(corpID: corpID, owner: owner, memberID: nil)
    }

    private func list(corpID: String, owner: String?, memberID: String? = nil, chatID: String? = nil) async throws -> [Group] {
        try await database.read { sql in
            var query: SQLQueryString = """
                SELECT g.chat_id, g.name, g.owner, g.notice, g.created_at, g.dismissed_at, g.updated_at,
                  (SELECT COUNT(*) FROM group_members m WHERE m.corp_id = g.corp_id AND m.chat_id = g.chat_id) AS members,
                  (SELECT COUNT(*) FROM group_members m WHERE m.corp_id = g.corp_id AND m.chat_id = g.chat_id AND m.member_type = 2) AS customers
                FROM customer_groups g WHERE g.corp_id = \(bind: corpID)
                """
            if let chatID { query = query + " AND g.chat_id = \(bind: chatID)" } else { query = query + " AND g.dismissed_at IS NULL" }
            if let owner { query = query + " AND g.owner = \(bind: owner)" }
            if let memberID {
                query = query + " AND EXISTS (SELECT 1 FROM group_members x WHERE x.corp_id = g.corp_id AND x.chat_id = g.chat_id AND x.member_id = \(bind: memberID))"
            }
            query = query + " ORDER BY g.name, g.chat_id"
            return try await sql.raw(query).all().map { row in
                Group(
                    chatID: try row.decode(column: "chat_id", as: String.self), name: try row.decode(column: "name", as: String.self),
                    owner: try row.decode(column: "owner", as: String.self), notice: try row.decode(column: "notice", as: String?.self),
                    members: Int(try row.decode(column: "members", as: Int64.self)), customers: Int(try row.decode(column: "customers", as: Int64.self)),
                    createdAt: StoredTime.date(try row.decode(column: "created_at", as: Int64.self)),
                    dismissedAt: try row.decode(column: "dismissed_at", as: Int64?.self).map(StoredTime.date),
                    updatedAt: StoredTime.date(try row.decode(column: "updated_at", as: Int64.self))
                )
            }
        }
    }
}
