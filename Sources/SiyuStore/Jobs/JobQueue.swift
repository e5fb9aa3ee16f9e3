import Foundation
import SQLKit
import SiyuCore

/// A durable job queue in the database.
///
/// Claiming takes a lease: a claimed job belongs to its worker until the lease expires, after
/// which any worker may take it again (the worker crashed). On PostgreSQL concurrent claimers
/// skip each other's rows (`FOR UPDATE SKIP LOCKED`); on SQLite the single writer serialises them.
/// Failures retry with exponential backoff and end in the dead letters after the last attempt.
public struct JobQueue: Sendable {
    let database: SiyuDatabase

    public struct Job: Sendable, Equatable {
        public var corpID: String
        public var jobID: String
        public var kind: String
        public var payload: String
        /// Attempts so far, this one included.
        public var attempts: Int
        public var maxAttempts: Int
    }

    public struct Snapshot: Sendable, Equatable {
        public var corpID: String
        public var jobID: String
        public var kind: String
        public var state: String
        public var attempts: Int
        public var runAfter: Date
        public var leaseOwner: String?
        /// Until when the owner's lease holds (nil when nobody holds it).
        public var leaseUntil: Date?
        public var lastError: String?
    }

    private struct ClaimedRow: Decodable {
        var corpID: String
        var jobID: String
        var kind: String
        var payload: String
        var attempts: Int64
        var maxAttempts: Int64

        enum CodingKeys: String, CodingKey {
            case corpID = "corp_id", jobID = "job_id", kind, payload, attempts, maxAttempts = "max_attempts"
        }
    }

    private struct SnapshotRow: Decodable {
        var corpID: String
        var jobID: String
        var kind: String
        var state: String
        var attempts: Int64
        var runAfter: Int64
        var leaseOwner: String?
        var leaseUntil: Int64?
        var lastError: String?

        enum CodingKeys: String, CodingKey {
            case corpID = "corp_id", jobID = "job_id", kind, state, attempts, runAfter = "run_after"
            case leaseOwner = "lease_owner", leaseUntil = "lease_until", lastError = "last_error"
        }
    }

    /// Adds a job; returns its id. `corpID` is empty for installation-wide jobs.
    @discardableResult
    public func enqueue(
        kind: String, payload: String, corpID: String = "", runAfter: Date? = nil,
        maxAttempts: Int = RetryPolicy.default.maxAttempts, now: Date
    ) async throws -> String {
        try await database.write { sql in
            try await Self.enqueue(on: sql, kind: kind, payload: payload, corpID: corpID, runAfter: runAfter, maxAttempts: maxAttempts, now: now)
        }
    }

    /// The same as ``enqueue(kind:payload:corpID:runAfter:maxAttempts:now:)`` inside a caller's transaction.
    @discardableResult
    public static func enqueue(
        on sql: any SQLDatabase, kind: String, payload: String, corpID: String = "", runAfter: Date? = nil,
        maxAttempts: Int = RetryPolicy.default.maxAttempts, now: Date
    ) async throws -> String {
        let jobID = UUID().uuidString.lowercased()
        let at = StoredTime.millis(now)
        try await sql.raw("""
            INSERT INTO jobs (corp_id, job_id, kind, payload, state, run_after, attempts, max_attempts, created_at, updated_at)
            VALUES (\(bind: corpID), \(bind: jobID), \(bind: kind), \(bind: payload), 'queued',
                    \(bind: StoredTime.millis(runAfter ?? now)), 0, \(bind: max(1, maxAttempts)), \(bind: at), \(bind: at))
            """).run()
        return jobID
    }

    /// A job to enqueue with ``enqueueMany(on:_:now:)``.
    public struct NewJob: Sendable {
        public var kind: String
        public var payload: String
        public var corpID: String
        public var runAfter: Date?
        public var maxAttempts: Int

        public init(kind: String, payload: String, corpID: String = "", runAfter: Date? = nil, maxAttempts: Int = RetryPolicy.default.maxAttempts) {
            self.kind = kind
            self.payload = payload
            self.corpID = corpID
            self.runAfter = runAfter
            self.maxAttempts = maxAttempts
        }
    }

    /// Enqueues many jobs in one statement inside a caller's transaction; returns their ids.
    @discardableResult
    public static func enqueueMany(on sql: any SQLDatabase, _ jobs: [NewJob], now: Date) async throws -> [String] {
        guard !jobs.isEmpty else { return [] }
        let at = StoredTime.millis(now)
        let ids = jobs.map { _ in UUID().uuidString.lowercased() }
        let values = zip(ids, jobs).map { id, job -> SQLQueryString in
            """
            (\(bind: job.corpID), \(bind: id), \(bind: job.kind), \(bind: job.payload), 'queued', \(bind: StoredTime.millis(job.runAfter ?? now)), 0, \(bind: max(1, job.maxAttempts)), \(bind: at), \(bind: at))
            """
        }.joined(separator: ", ")
        try await sql.raw("""
            INSERT INTO jobs (corp_id, job_id, kind, payload, state, run_after, attempts, max_attempts, created_at, updated_at)
            VALUES \(values)
            """).run()
        return ids
    }

    /// Claims up to `limit` due jobs of the given kinds for `owner`, each with a lease of `lease`.
    ///
    /// Due means queued with `run_after <= now`, or running with an expired lease. A job whose
    /// lease expired on its final attempt goes to the dead letters instead of running again.
    public func claim(
        owner: String, kinds: [String], limit: Int = 1, lease: Duration = .seconds(60), now: Date
    ) async throws -> [Job] {
        guard !kinds.isEmpty else { return [] }
        let at = StoredTime.millis(now)
        let leaseUntil = at + Int64(lease.components.seconds * 1000 + lease.components.attoseconds / 1_000_000_000_000_000)
        let kindBinds: [any Encodable & Sendable] = kinds
        let lock = database.flavor.claimLockClause
        return try await database.write { sql in
            try await sql.raw("""
                UPDATE jobs SET state = 'dead', lease_owner = NULL, lease_until = NULL, updated_at = \(bind: at),
                    last_error = COALESCE(last_error, 'lease expired on the final attempt')
                WHERE state = 'running' AND lease_until < \(bind: at) AND attempts >= max_attempts
                """).run()
            let rows = try await sql.raw("""
                WITH picked AS (
                    SELECT corp_id, job_id FROM jobs
                    WHERE ((state = 'queued' AND run_after <= \(bind: at)) OR (state = 'running' AND lease_until < \(bind: at)))
                      AND kind IN (\(binds: kindBinds))
                    ORDER BY run_after, job_id
                    LIMIT \(literal: max(1, limit))\(unsafeRaw: lock)
                )
                UPDATE jobs SET state = 'running', lease_owner = \(bind: owner), lease_until = \(bind: leaseUntil),
                    attempts = attempts + 1, updated_at = \(bind: at)
                WHERE (corp_id, job_id) IN (SELECT corp_id, job_id FROM picked)
                RETURNING corp_id, job_id, kind, payload, attempts, max_attempts
                """).all(decoding: ClaimedRow.self)
            return rows.map {
                Job(corpID: $0.corpID, jobID: $0.jobID, kind: $0.kind, payload: $0.payload,
                    attempts: Int($0.attempts), maxAttempts: Int($0.maxAttempts))
            }
        }
    }

    /// Marks a claimed job done. Returns false if `owner` no longer holds its lease.
    @discardableResult
    public func complete(_ job: Job, owner: String, now: Date) async throws -> Bool {
        try await database.write { sql in
            try await sql.raw("""
                UPDATE jobs SET state = 'done', lease_owner = NULL, lease_until = NULL, last_error = NULL, updated_at = \(bind: StoredTime.millis(now))
                WHERE corp_id = \(bind: job.corpID) AND job_id = \(bind: job.jobID) AND state = 'running' AND lease_owner = \(bind: owner)
                RETURNING job_id
                """).all().isEmpty == false
        }
    }

    public enum FailureOutcome: Sendable, Equatable {
        case retryAt(Date)
        case deadLettered
        case leaseLost
    }

    /// Records a failed attempt: schedules the retry with backoff, or dead-letters the job.
    @discardableResult
    public func fail(
        _ job: Job, owner: String, error: String, policy: RetryPolicy = .default, now: Date
    ) async throws -> FailureOutcome {
        let dead = job.attempts >= job.maxAttempts
        let retryAt = now.addingTimeInterval(policy.delay(afterFailedAttempts: job.attempts).seconds)
        let message = String(error.prefix(2000))
        return try await database.write { sql in
            let rows = try await sql.raw("""
                UPDATE jobs SET state = \(bind: dead ? "dead" : "queued"), run_after = \(bind: StoredTime.millis(dead ? now : retryAt)),
                    lease_owner = NULL, lease_until = NULL, last_error = \(bind: message), updated_at = \(bind: StoredTime.millis(now))
                WHERE corp_id = \(bind: job.corpID) AND job_id = \(bind: job.jobID) AND state = 'running' AND lease_owner = \(bind: owner)
                RETURNING job_id
                """).all()
            if rows.isEmpty { return .leaseLost }
            return dead ? .deadLettered : .retryAt(retryAt)
        }
    }

    /// Extends every lease `owner` still holds to `now + lease`: a worker's heartbeat while it
    /// works through what it claimed, so a job that runs longer than one lease (a large corp's
    /// sync, a big plan on a busy machine) is never claimed again and run twice meanwhile.
    /// Returns how many leases were extended; a lease already taken over stays with its new owner.
    @discardableResult
    public func renewLeases(owner: String, lease: Duration, now: Date) async throws -> Int {
        let until = StoredTime.millis(now.addingTimeInterval(lease.seconds))
        return try await database.write { sql in
            try await sql.raw("""
                UPDATE jobs SET lease_until = \(bind: until)
                WHERE state = 'running' AND lease_owner = \(bind: owner)
                RETURNING job_id
                """).all().count
        }
    }

    /// Gives back every lease `owner` holds (graceful shutdown); the attempt does not count.
    @discardableResult
    public func releaseLeases(owner: String, now: Date) async throws -> Int {
        try await database.write { sql in
            try await sql.raw("""
                UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_until = NULL,
                    attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, updated_at = \(bind: StoredTime.millis(now))
                WHERE state = 'running' AND lease_owner = \(bind: owner)
                RETURNING job_id
                """).all().count
        }
    }

    /// Puts a dead-lettered job back in the queue with a fresh set of attempts.
    @discardableResult
    public func requeueDead(corpID: String, jobID: String, now: Date) async throws -> Bool {
        try await database.write { sql in
            try await sql.raw("""
                UPDATE jobs SET state = 'queued', attempts = 0, run_after = \(bind: StoredTime.millis(now)), updated_at = \(bind: StoredTime.millis(now))
                WHERE corp_id = \(bind: corpID) AND job_id = \(bind: jobID) AND state = 'dead'
                RETURNING job_id
                """).all().isEmpty == false
        }
    }

    /// Whether a job of `kind` for `corpID` is waiting or running.
    public func hasPending(kind: String, corpID: String) async throws -> Bool {
        try await database.read { sql in
            try await sql.raw("""
                SELECT job_id FROM jobs WHERE corp_id = \(bind: corpID) AND kind = \(bind: kind) AND state IN ('queued', 'running') LIMIT 1
                """).first() != nil
        }
    }

    /// Whether a job of `kind` with exactly this payload is waiting (not yet claimed).
    public func hasQueued(kind: String, corpID: String, payload: String) async throws -> Bool {
        try await database.read { sql in
            try await sql.raw("""
                SELECT job_id FROM jobs WHERE corp_id = \(bind: corpID) AND kind = \(bind: kind) AND payload = \(bind: payload) AND state = 'queued' LIMIT 1
                """).first() != nil
        }
    }

    public func find(corpID: String, jobID: String) async throws -> Snapshot? {
        try await database.read { sql in
            try await sql.raw("""
                SELECT corp_id, job_id, kind, state, attempts, run_after, lease_owner, lease_until, last_error FROM jobs
                WHERE corp_id = \(bind: corpID) AND job_id = \(bind: jobID)
                """).first(decoding: SnapshotRow.self).map {
                Snapshot(corpID: $0.corpID, jobID: $0.jobID, kind: $0.kind, state: $0.state, attempts: Int($0.attempts),
                         runAfter: StoredTime.date($0.runAfter), leaseOwner: $0.leaseOwner, leaseUntil: $0.leaseUntil.map(StoredTime.date), lastError: $0.lastError)
            }
        }
    }

    /// Jobs per state (queued, running, done, dead), for metrics and `/readyz`.
    public func depth() async throws -> [String: Int] {
        try await database.read { sql in
            var counts = ["queued": 0, "running": 0, "done": 0, "dead": 0]
            for row in try await sql.raw("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state").all() {
                counts[try row.decode(column: "state", as: String.self)] = try row.decode(column: "n", as: Int.self)
            }
            return counts
        }
    }
}

extension Duration {
    var seconds: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
