import Crypto
import Foundation
import SiyuCore
import SQLKit

/// The durable inbox of decrypted callbacks: stored before they are acknowledged,
/// deduplicated by content, applied later by jobs.
public struct CallbackInbox: Sendable {
    let database: SiyuDatabase

    public enum RecordOutcome: Sendable, Equatable {
        case stored
        case duplicate
    }

    public struct Item: Sendable, Equatable {
        public var corpID: String
        public var dedupeKey: String
        public var payload: String
        public var receivedAt: Date
        public var state: String
        public var attempts: Int
        public var lastError: String?
    }

    private struct Row: Decodable {
        var corpID: String
        var dedupeKey: String
        var payload: String
        var receivedAt: Int64
        var state: String
        var attempts: Int64
        var lastError: String?

        enum CodingKeys: String, CodingKey {
            case corpID = "corp_id", dedupeKey = "dedupe_key", payload, receivedAt = "received_at", state, attempts
            case lastError = "last_error"
        }

        var item: Item {
            Item(
                corpID: corpID, dedupeKey: dedupeKey, payload: payload, receivedAt: StoredTime.date(receivedAt),
                state: state, attempts: Int(attempts), lastError: lastError
            )
        }
    }

    /// The content-based key: SHA-256 of the decrypted payload. Two deliveries of the same
    /// event are byte-identical after decryption; two distinct events in the same second are not.
    public static func dedupeKey(for payload: String) -> String {
        Hex.encode(SHA256.hash(data: Data(payload.utf8)))
    }

    /// Stores a callback unless the same content was stored before. Returns only after commit.
    public func record(corpID: String, payload: String, dedupeKey: String? = nil, now: Date) async throws -> RecordOutcome {
        let key = dedupeKey ?? Self.dedupeKey(for: payload)
        return try await database.write { sql in
            let rows = try await sql.raw("""
                INSERT INTO callback_inbox (corp_id, dedupe_key, payload, received_at, state, attempts)
                VALUES (\(bind: corpID), \(bind: key), \(bind: payload), \(bind: StoredTime.millis(now)), 'pending', 0)
                ON CONFLICT (corp_id, dedupe_key) DO NOTHING
                RETURNING dedupe_key
                """).all()
            return rows.isEmpty ? .duplicate : .stored
        }
    }

    /// A callback to store, as the ingestion path hands it over.
    public struct Submission: Sendable {
        public var corpID: String
        public var payload: String
        public var dedupeKey: String
        /// The job that applies the callback once stored: ``applyJobKind`` for WeCom's, another
        /// kind for another source (a service account's pushes).
        public var jobKind: String
        /// The job's payload; the dedupe key unless the job needs more to find the callback.
        public var jobPayload: String

        public init(corpID: String, payload: String, dedupeKey: String? = nil, jobKind: String = CallbackInbox.applyJobKind, jobPayload: String? = nil) {
            self.corpID = corpID
            self.payload = payload
            let key = dedupeKey ?? CallbackInbox.dedupeKey(for: payload)
            self.dedupeKey = key
            self.jobKind = jobKind
            self.jobPayload = jobPayload ?? key
        }
    }

    /// The job kind that applies a stored callback; its payload is the dedupe key.
    public static let applyJobKind = "callback.apply"

    /// Stores many callbacks in one transaction (one fsync: group commit) and enqueues an
    /// apply job for each new one: two statements per batch, whatever its size. Outcomes are in
    /// the order of `submissions`; a key repeated within the batch is stored once.
    public func recordBatch(_ submissions: [Submission], now: Date) async throws -> [RecordOutcome] {
        guard !submissions.isEmpty else { return [] }
        let at = StoredTime.millis(now)
        var firstIndex: [String: Int] = [:]
        var unique: [Submission] = []
        for (index, item) in submissions.enumerated() where firstIndex[item.corpID + "\u{1F}" + item.dedupeKey] == nil {
            firstIndex[item.corpID + "\u{1F}" + item.dedupeKey] = index
            unique.append(item)
        }
        let items = unique
        let byKey = firstIndex.mapValues { submissions[$0] }
        let stored = try await database.write { sql -> Set<String> in
            var inserted: Set<String> = []
            for chunk in sql.bindChunks(items, bindsPerItem: 4) {
                let values = chunk.map { item -> SQLQueryString in
                    "(\(bind: item.corpID), \(bind: item.dedupeKey), \(bind: item.payload), \(bind: at), 'pending', 0)"
                }.joined(separator: ", ")
                let rows = try await sql.raw("""
                    INSERT INTO callback_inbox (corp_id, dedupe_key, payload, received_at, state, attempts)
                    VALUES \(values)
                    ON CONFLICT (corp_id, dedupe_key) DO NOTHING
                    RETURNING corp_id, dedupe_key
                    """).all()
                let new = try rows.map { (try $0.decode(column: "corp_id", as: String.self), try $0.decode(column: "dedupe_key", as: String.self)) }
                inserted.formUnion(new.map { $0.0 + "\u{1F}" + $0.1 })
                try await JobQueue.enqueueMany(
                    on: sql, new.compactMap { corpID, key in
                        byKey[corpID + "\u{1F}" + key].map { JobQueue.NewJob(kind: $0.jobKind, payload: $0.jobPayload, corpID: corpID, maxAttempts: 10) }
                    }, now: now
                )
            }
            return inserted
        }
        return submissions.enumerated().map { index, item in
            let key = item.corpID + "\u{1F}" + item.dedupeKey
            return firstIndex[key] == index && stored.contains(key) ? .stored : .duplicate
        }
    }

    /// The oldest pending callbacks, oldest first.
    public func pending(limit: Int = 100) async throws -> [Item] {
        try await database.read { sql in
            try await sql.raw("""
                SELECT corp_id, dedupe_key, payload, received_at, state, attempts, last_error FROM callback_inbox
                WHERE state = 'pending' ORDER BY received_at, dedupe_key LIMIT \(literal: max(1, min(limit, 1000)))
                """).all(decoding: Row.self).map(\.item)
        }
    }

    public func find(corpID: String, dedupeKey: String) async throws -> Item? {
        try await database.read { sql in
            try await sql.raw("""
                SELECT corp_id, dedupe_key, payload, received_at, state, attempts, last_error FROM callback_inbox
                WHERE corp_id = \(bind: corpID) AND dedupe_key = \(bind: dedupeKey)
                """).first(decoding: Row.self)?.item
        }
    }

    public func markApplied(corpID: String, dedupeKey: String) async throws {
        try await database.write { sql in
            try await sql.raw("""
                UPDATE callback_inbox SET state = 'applied', attempts = attempts + 1, last_error = NULL
                WHERE corp_id = \(bind: corpID) AND dedupe_key = \(bind: dedupeKey)
                """).run()
        }
    }

    /// Records a failed attempt; after `maxAttempts` the item is parked as `failed`.
    public func markFailed(corpID: String, dedupeKey: String, error: String, maxAttempts: Int = 5) async throws {
        try await database.write { sql in
            try await sql.raw("""
                UPDATE callback_inbox SET attempts = attempts + 1, last_error = \(bind: String(error.prefix(2000))),
                    state = CASE WHEN attempts + 1 >= \(bind: maxAttempts) THEN 'failed' ELSE 'pending' END
                WHERE corp_id = \(bind: corpID) AND dedupe_key = \(bind: dedupeKey)
                """).run()
        }
    }

    /// Callbacks not yet applied (pending), the backlog the metrics report.
    public func backlog() async throws -> [String: Int] {
        try await database.read { sql in
            var counts = ["pending": 0, "applied": 0, "failed": 0]
            for row in try await sql.raw("SELECT state, COUNT(*) AS n FROM callback_inbox GROUP BY state").all() {
                counts[try row.decode(column: "state", as: String.self)] = try row.decode(column: "n", as: Int.self)
            }
            return counts
        }
    }
}
