extension Migrations {
    /// Orders from the brand's feed: the source of order-based segments, GMV and repurchase.
    static let orders = Migration(version: 4, name: "orders", statements: [
        """
        CREATE TABLE orders (
            corp_id TEXT NOT NULL,
            order_id TEXT NOT NULL,
            external_userid TEXT NOT NULL,
            amount_fen BIGINT NOT NULL CHECK (amount_fen >= 0),
            currency TEXT NOT NULL DEFAULT 'CNY',
            status TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'refunded', 'cancelled')),
            ordered_at BIGINT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (corp_id, order_id)
        )
        """,
        "CREATE INDEX orders_customer ON orders (corp_id, external_userid, ordered_at)",
    ])
}
