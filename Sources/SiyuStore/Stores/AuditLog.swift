import Foundation
import SQLKit

/// Who did what to which tenant, and when. Written in the same transaction as the change.
public struct AuditLog: Sendable {
    let database: SiyuDatabase

    public struct Entry: Sendable, Codable, Equatable {
        public var corpID: String
        public var entryID: String
        public var at: Date
        public var actor: String
        public var action: String
        public var target: String
        public var detail: [String: String]
    }

    private struct Row: Decodable {
        var corpID: String
        var entryID: String
        var at: Int64
        var actor: String
        var action: String
        var target: String
        var detail: String

        enum CodingKeys: String, CodingKey {
            case corpID = "corp_id", entryID = "entry_id", at, actor, action, target, detail
        }
    }

    static func append(
        on sql: any SQLDatabase, corpID: String, actor: String, action: String, target: String,
        detail: [String: String], now: Date
    ) async throws {
        let encoded = String(decoding: try JSONEncoder.sorted.encode(detail), as: UTF8.self)
        try await sql.raw("""
            INSERT INTO audit_log (corp_id, entry_id, at, actor, action, target, detail)
            VALUES (\(bind: corpID), \(bind: UUID().uuidString.lowercased()), \(bind: Clock.millis(now)),
                    \(bind: actor), \(bind: action), \(bind: target), \(bind: encoded))
            """).run()
    }

    /// The newest entries of one corp, newest first.
    public func recent(corpID: String, limit: Int = 100) async throws -> [Entry] {
        let limit = max(1, min(limit, 1000))
        return try await database.read { sql in
            try await sql.raw("""
                SELECT corp_id, entry_id, at, actor, action, target, detail FROM audit_log
                WHERE corp_id = \(bind: corpID) ORDER BY at DESC, entry_id DESC LIMIT \(literal: limit)
                """).all(decoding: Row.self).map { row in
                Entry(
                    corpID: row.corpID, entryID: row.entryID, at: Clock.date(row.at), actor: row.actor,
                    action: row.action, target: row.target,
                    detail: (try? JSONDecoder().decode([String: String].self, from: Data(row.detail.utf8))) ?? [:]
                )
            }
        }
    }
}
