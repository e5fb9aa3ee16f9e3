extension Migrations {
    /// The contact ledger: every touch that reached a customer, across channels, so the contact
    /// budget survives restarts and is shared by every process.
    static let contactLedger = Migration(version: 6, name: "contact ledger", statements: [
        """
        CREATE TABLE contact_touches (
            corp_id TEXT NOT NULL,
            touch_id TEXT NOT NULL,
            external_userid TEXT NOT NULL,
            channel TEXT NOT NULL,
            at BIGINT NOT NULL,
            campaign_id TEXT,
            PRIMARY KEY (corp_id, touch_id)
        )
        """,
        "CREATE INDEX contact_touches_recent ON contact_touches (corp_id, at)",
    ])
}
