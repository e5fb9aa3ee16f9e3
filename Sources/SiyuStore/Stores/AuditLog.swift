import Foundation
import SQLKit

/// Who did what to which tenant, when, and from where. The stores write their entries in the
/// same transaction as the change; the server adds one entry per successful state-changing request.
public struct AuditLog: Sendable {
    let database: SiyuDatabase

    /// The client address of the request being served, for entries the stores write while
    /// serving it (set by the server around each request; nil for jobs and commands).
    @TaskLocal public static var requestAddress: String?

    public struct Entry: Sendable, Codable, Equatable {
        public var corpID: String
        public var entryID: String
        public var at: Date
        public var actor: String
        public var action: String
        public var target: String
        public var detail: [String: String]
        /// The client's address; nil when the change did not come from a request.
        public var address: String?

        /// The names the REST API shows.
        enum CodingKeys: String, CodingKey {
            case corpID = "corp_id", entryID = "entry_id", at, actor, action, target, detail, address
        }
    }

    /// Which entries to list; nil fields match everything.
    public struct Filter: Sendable, Equatable {
        public var corpID: String?
        public var actor: String?
        public var action: String?
        /// Entries at or after this time.
        public var since: Date?
        /// Entries before this time.
        public var until: Date?

        public init(corpID: String? = nil, actor: String? = nil, action: String? = nil, since: Date? = nil, until: Date? = nil) {
            self.corpID = corpID
            self.actor = actor
            self.action = action
            self.since = since
            self.until = until
        }
    }

    /// Where a page ends: the time and id of its last entry (`<millis>.<entry id>` as text).
    public struct Cursor: Sendable, Equatable {
        var at: Int64
        var entryID: String

        public init?(_ text: String) {
            let parts = text.split(separator: ".", maxSplits: 1)
            guard parts.count == 2, let at = Int64(parts[0]), !parts[1].isEmpty else { return nil }
            self.at = at
            self.entryID = String(parts[1])
        }

        init(_ entry: Entry) {
            at = StoredTime.millis(entry.at)
            entryID = entry.entryID
        }

        public var text: String { "\(at).\(entryID)" }
    }

    /// One page of entries, newest first, and the cursor of the next one.
    public struct Page: Sendable {
        public var entries: [Entry]
        public var nextCursor: Cursor?
    }

    private struct Row: Decodable {
        var corpID: String
        var entryID: String
        var at: Int64
        var actor: String
        var action: String
        var target: String
        var detail: String
        var address: String?

        enum CodingKeys: String, CodingKey {
            case corpID = "corp_id", entryID = "entry_id", at, actor, action, target, detail, address
        }

        var entry: Entry {
            Entry(
                corpID: corpID, entryID: entryID, at: StoredTime.date(at), actor: actor, action: action, target: target,
                detail: (try? JSONDecoder().decode([String: String].self, from: Data(detail.utf8))) ?? [:], address: address
            )
        }
    }

    private static let columns = "corp_id, entry_id, at, actor, action, target, detail, address"

    /// Writes one entry inside the caller's transaction; `address` defaults to ``requestAddress``.
    static func append(
        on sql: any SQLDatabase, corpID: String, actor: String, action: String, target: String,
        detail: [String: String], now: Date, address: String? = nil
    ) async throws {
        let encoded = String(decoding: try JSONEncoder.sorted.encode(detail), as: UTF8.self)
        try await sql.raw("""
            INSERT INTO audit_log (corp_id, entry_id, at, actor, action, target, detail, address)
            VALUES (\(bind: corpID), \(bind: UUID().uuidString.lowercased()), \(bind: StoredTime.millis(now)),
                    \(bind: actor), \(bind: action), \(bind: target), \(bind: encoded), \(bind: address ?? requestAddress))
            """).run()
    }

    /// Writes one entry on its own (for changes whose store keeps no entry of its own).
    public func record(
        corpID: String, actor: String, action: String, target: String, detail: [String: String] = [:],
        address: String? = nil, now: Date
    ) async throws {
        try await database.write { sql in
            try await Self.append(on: sql, corpID: corpID, actor: actor, action: action, target: target, detail: detail, now: now, address: address)
        }
    }

    /// The newest entries of one corp, newest first.
    public func recent(corpID: String, limit: Int = 100) async throws -> [Entry] {
        try await page(Filter(corpID: corpID), limit: limit).entries
    }

    /// The installation's entries matching `filter`, newest first, `limit` (1 to 1000) after `cursor`.
    public func page(_ filter: Filter, after cursor: Cursor? = nil, limit: Int = 100) async throws -> Page {
        let limit = max(1, min(limit, 1000))
        var query: SQLQueryString = "SELECT \(unsafeRaw: Self.columns) FROM audit_log WHERE 1 = 1"
        if let corpID = filter.corpID { query += " AND corp_id = \(bind: corpID)" }
        if let actor = filter.actor { query += " AND actor = \(bind: actor)" }
        if let action = filter.action { query += " AND action = \(bind: action)" }
        if let since = filter.since { query += " AND at >= \(bind: StoredTime.millis(since))" }
        if let until = filter.until { query += " AND at < \(bind: StoredTime.millis(until))" }
        if let cursor {
            query += " AND (at < \(bind: cursor.at) OR (at = \(bind: cursor.at) AND entry_id < \(bind: cursor.entryID)))"
        }
        query += " ORDER BY at DESC, entry_id DESC LIMIT \(literal: limit + 1)"
        let final = query
        let rows = try await database.read { sql in try await sql.raw(final).all(decoding: Row.self) }
        let entries = rows.prefix(limit).map(\.entry)
        return Page(entries: Array(entries), nextCursor: rows.count > limit ? entries.last.map(Cursor.init) : nil)
    }
}
