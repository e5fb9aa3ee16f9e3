extension Migrations {
    /// People who sign in to the console, their sessions, and failed sign-ins (for throttling).
    ///
    /// Version 7 is reserved for campaigns; the migrator applies each version it has not
    /// recorded, so a gap is harmless.
    static let console = Migration(version: 8, name: "console users and sessions", statements: [
        """
        CREATE TABLE console_users (
            user_id TEXT NOT NULL PRIMARY KEY,
            username TEXT NOT NULL UNIQUE,
            password_hash TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'employee')),
            corp_id TEXT REFERENCES corps(corp_id) ON DELETE CASCADE,
            member_userid TEXT,
            created_at BIGINT NOT NULL,
            disabled_at BIGINT,
            CHECK (role = 'admin' OR corp_id IS NOT NULL),
            CHECK (role <> 'employee' OR member_userid IS NOT NULL)
        )
        """,
        """
        CREATE TABLE console_sessions (
            session_hash TEXT NOT NULL PRIMARY KEY,
            user_id TEXT NOT NULL REFERENCES console_users(user_id) ON DELETE CASCADE,
            csrf_token TEXT NOT NULL,
            acting_corp_id TEXT,
            created_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL,
            last_seen_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX console_sessions_user ON console_sessions (user_id)",
        "CREATE INDEX console_sessions_expiry ON console_sessions (expires_at)",
        """
        CREATE TABLE console_login_failures (
            username TEXT NOT NULL,
            at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX console_login_failures_user ON console_login_failures (username, at)",
    ])
}
