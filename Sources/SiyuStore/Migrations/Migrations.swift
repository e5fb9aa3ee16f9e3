import SQLKit

/// One step of the schema, applied once, in order, inside a transaction.
///
/// The SQL is plain enough for both SQLite and PostgreSQL: `TEXT`, `BIGINT`, `CHECK`,
/// composite primary keys. Times are Unix milliseconds in `BIGINT` columns.
/// Every tenant-owned table leads its primary key and unique keys with `corp_id`,
/// so PostgreSQL can later be distributed by tenant.
struct Migration: Sendable {
    let version: Int
    let name: String
    let statements: [String]
    /// A data step that plain SQL cannot express portably (reshaping JSON), run after the
    /// statements in the same transaction.
    var data: (@Sendable (any SQLDatabase) async throws -> Void)? = nil
}

enum Migrations {
    /// The schema, oldest first. Append; never edit a released step.
    /// Each later step lives in its own file as a `static let` in an extension of `Migrations`.
    static let all: [Migration] = [
        foundation,
        customerBase,
        webhooks,
        orders,
        segments,
        contactLedger,
        campaigns,
        console,
        corpCredentials,
        auditAddresses,
        webhookLogExcerpts,
        compactCampaigns,
        serviceAccounts,
    ]

    static let foundation = Migration(version: 1, name: "tenant registry, inbox, jobs, audit", statements: [
            """
            CREATE TABLE corps (
                corp_id TEXT NOT NULL PRIMARY KEY,
                name TEXT NOT NULL,
                secret_enc TEXT NOT NULL,
                callback_token_enc TEXT NOT NULL,
                aes_key_enc TEXT NOT NULL,
                settings TEXT NOT NULL DEFAULT '{}',
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE api_keys (
                corp_id TEXT NOT NULL REFERENCES corps(corp_id) ON DELETE CASCADE,
                key_id TEXT NOT NULL,
                secret_hash TEXT NOT NULL,
                label TEXT NOT NULL DEFAULT '',
                created_at BIGINT NOT NULL,
                last_used_at BIGINT,
                revoked_at BIGINT,
                PRIMARY KEY (corp_id, key_id)
            )
            """,
            """
            CREATE TABLE callback_inbox (
                corp_id TEXT NOT NULL,
                dedupe_key TEXT NOT NULL,
                payload TEXT NOT NULL,
                received_at BIGINT NOT NULL,
                state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'applied', 'failed')),
                attempts BIGINT NOT NULL DEFAULT 0,
                last_error TEXT,
                PRIMARY KEY (corp_id, dedupe_key)
            )
            """,
            "CREATE INDEX callback_inbox_backlog ON callback_inbox (state, received_at)",
            """
            CREATE TABLE jobs (
                corp_id TEXT NOT NULL,
                job_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                payload TEXT NOT NULL,
                state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'dead')),
                run_after BIGINT NOT NULL,
                attempts BIGINT NOT NULL DEFAULT 0,
                max_attempts BIGINT NOT NULL,
                lease_owner TEXT,
                lease_until BIGINT,
                last_error TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (corp_id, job_id)
            )
            """,
            "CREATE INDEX jobs_ready ON jobs (state, run_after)",
            "CREATE INDEX jobs_lease ON jobs (state, lease_until)",
            """
            CREATE TABLE audit_log (
                corp_id TEXT NOT NULL,
                entry_id TEXT NOT NULL,
                at BIGINT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                target TEXT NOT NULL DEFAULT '',
                detail TEXT NOT NULL DEFAULT '{}',
                PRIMARY KEY (corp_id, entry_id)
            )
            """,
            "CREATE INDEX audit_log_recent ON audit_log (corp_id, at)",
            """
            CREATE TABLE system_settings (
                name TEXT NOT NULL PRIMARY KEY,
                value TEXT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
        ])
}
