import Foundation
import SQLKit
import SiyuCore

/// Checks that the ids a request names belong to the corp it acts for.
///
/// A corp's requests may name only its own members, groups, tags, channels and saved segments;
/// an id Siyu does not know for this corp (another corp's, or a typo) is a ``ValidationError``
/// naming the request field, which the API answers with 422. Members and groups are checked
/// against Siyu's mirror of the platform (kept by callbacks and the sync), so one who joined
/// minutes ago may need a sync first; the message says so.
public struct CorpReferences: Sendable {
    let database: SiyuDatabase

    /// What kind of thing an id names, and where it is kept.
    public enum Kind: Sendable {
        case member, chat, tag, channel, segment

        var table: String {
            switch self {
            case .member: "members"
            case .chat: "customer_groups"
            case .tag: "tags"
            case .channel: "channels"
            case .segment: "segments"
            }
        }

        var column: String {
            switch self {
            case .member: "userid"
            case .chat: "chat_id"
            case .tag: "tag_id"
            case .channel: "channel_id"
            case .segment: "segment_id"
            }
        }

        /// Rows that exist but no longer count (a member who left, a dismissed group).
        var liveCondition: String {
            switch self {
            case .member: " AND active = 1"
            case .chat: " AND dismissed_at IS NULL"
            case .tag, .channel, .segment: ""
            }
        }

        func unknown(_ id: String) -> String {
            switch self {
            case .member: "\(id) is not a member of this corp (if they joined just now, run a sync: POST /api/v1/sync)"
            case .chat: "\(id) is not a customer group of this corp (if it was created just now, run a sync: POST /api/v1/sync)"
            case .tag: "\(id) is not a tag of this corp (GET /api/v1/tag_groups lists them)"
            case .channel: "\(id) is not a channel code of this corp (GET /api/v1/channels lists them)"
            case .segment: "\(id) is not a saved segment of this corp (GET /api/v1/segments lists them)"
            }
        }
    }

    /// Throws for the first id that is not the corp's, naming `field`.
    public func require(_ kind: Kind, _ ids: some Collection<String>, corpID: String, field: String) async throws {
        let wanted = Array(Set(ids))
        guard !wanted.isEmpty else { return }
        let known = try await database.read { sql in
            var known = Set<String>()
            for chunk in sql.bindChunks(wanted) {
                let list = SQLList(chunk.map { SQLBind($0) })
                let rows = try await sql.raw("""
                    SELECT \(ident: kind.column) AS id FROM \(ident: kind.table)
                    WHERE corp_id = \(bind: corpID) AND \(ident: kind.column) IN (\(list))\(unsafeRaw: kind.liveCondition)
                    """).all()
                for row in rows { known.insert(try row.decode(column: "id", as: String.self)) }
            }
            return known
        }
        for id in ids where !known.contains(id) {
            throw ValidationError(field: field, message: id.isEmpty ? "an id is empty" : kind.unknown(id), unknownID: id)
        }
    }
}
