extension Migrations {
    /// Outbound webhooks and the log of every delivery to them.
    static let webhooks = Migration(version: 3, name: "outbound webhooks", statements: [
        """
        CREATE TABLE webhooks (
            corp_id TEXT NOT NULL REFERENCES corps(corp_id) ON DELETE CASCADE,
            webhook_id TEXT NOT NULL,
            url TEXT NOT NULL,
            secret_enc TEXT NOT NULL,
            event_types TEXT NOT NULL DEFAULT '[]',
            active BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (corp_id, webhook_id)
        )
        """,
        """
        CREATE TABLE webhook_deliveries (
            corp_id TEXT NOT NULL,
            delivery_id TEXT NOT NULL,
            webhook_id TEXT NOT NULL,
            event_type TEXT NOT NULL,
            payload TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
            attempts BIGINT NOT NULL DEFAULT 0,
            last_status BIGINT,
            last_error TEXT,
            created_at BIGINT NOT NULL,
            delivered_at BIGINT,
            PRIMARY KEY (corp_id, delivery_id),
            FOREIGN KEY (corp_id, webhook_id) REFERENCES webhooks (corp_id, webhook_id) ON DELETE CASCADE
        )
        """,
        "CREATE INDEX webhook_deliveries_recent ON webhook_deliveries (corp_id, webhook_id, created_at, delivery_id)",
    ])
}
