extension Migrations {
    /// Saved segments, and a per-corp revision of the data segments read (bumped in the same
    /// transaction as every change to customers, relations, tags, channels, members or orders).
    static let segments = Migration(version: 5, name: "segments", statements: [
        """
        CREATE TABLE corp_revisions (
            corp_id TEXT NOT NULL PRIMARY KEY,
            revision BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE segments (
            corp_id TEXT NOT NULL,
            segment_id TEXT NOT NULL,
            name TEXT NOT NULL,
            expression TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (corp_id, segment_id),
            UNIQUE (corp_id, name)
        )
        """,
    ])
}
