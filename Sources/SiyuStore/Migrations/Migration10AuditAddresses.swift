extension Migrations {
    /// Where audited actions and failed sign-ins came from.
    ///
    /// `audit_log.address` is the client's address (nullable: older entries and jobs have none);
    /// `audit_log_at` serves the installation-wide listing, newest first. Failed sign-ins get the
    /// address they came from, so throttling can count per address as well as per username.
    /// Version 9 is another branch's; a gap is harmless (see ``Migrations/console``).
    static let auditAddresses = Migration(version: 10, name: "addresses in the audit log and failed sign-ins", statements: [
        "ALTER TABLE audit_log ADD COLUMN address TEXT",
        "CREATE INDEX audit_log_at ON audit_log (at, entry_id)",
        "ALTER TABLE console_login_failures ADD COLUMN address TEXT NOT NULL DEFAULT 'unknown'",
        "CREATE INDEX console_login_failures_address ON console_login_failures (address, at)",
    ])
}
