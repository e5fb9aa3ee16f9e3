extension Migrations {
    /// Members, customers, follow relations, tags, channel codes and the customer timeline.
    static let customerBase = Migration(version: 2, name: "customer base", statements: [
        """
        CREATE TABLE departments (
            corp_id TEXT NOT NULL,
            department_id BIGINT NOT NULL,
            name TEXT NOT NULL,
            parent_id BIGINT NOT NULL DEFAULT 0,
            PRIMARY KEY (corp_id, department_id)
        )
        """,
        """
        CREATE TABLE members (
            corp_id TEXT NOT NULL,
            userid TEXT NOT NULL,
            name TEXT NOT NULL,
            departments TEXT NOT NULL DEFAULT '[]',
            active BIGINT NOT NULL DEFAULT 1,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (corp_id, userid)
        )
        """,
        """
        CREATE TABLE customers (
            corp_id TEXT NOT NULL,
            external_userid TEXT NOT NULL,
            name TEXT NOT NULL DEFAULT '',
            avatar TEXT NOT NULL DEFAULT '',
            customer_type BIGINT NOT NULL DEFAULT 1,
            gender BIGINT NOT NULL DEFAULT 0,
            unionid TEXT,
            corp_name TEXT NOT NULL DEFAULT '',
            custom_fields TEXT NOT NULL DEFAULT '{}',
            first_added_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (corp_id, external_userid)
        )
        """,
        "CREATE INDEX customers_added ON customers (corp_id, first_added_at)",
        """
        CREATE TABLE channels (
            corp_id TEXT NOT NULL,
            channel_id TEXT NOT NULL,
            name TEXT NOT NULL,
            state TEXT NOT NULL,
            config_id TEXT,
            qr_code TEXT,
            settings TEXT NOT NULL,
            active_members TEXT NOT NULL DEFAULT '[]',
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            deleted_at BIGINT,
            PRIMARY KEY (corp_id, channel_id),
            UNIQUE (corp_id, state)
        )
        """,
        """
        CREATE TABLE follow_relations (
            corp_id TEXT NOT NULL,
            external_userid TEXT NOT NULL,
            userid TEXT NOT NULL,
            remark TEXT NOT NULL DEFAULT '',
            description TEXT NOT NULL DEFAULT '',
            state TEXT,
            channel_id TEXT,
            add_way BIGINT NOT NULL DEFAULT 0,
            status TEXT NOT NULL CHECK (status IN ('active', 'lost', 'deleted')),
            added_at BIGINT NOT NULL,
            ended_at BIGINT,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (corp_id, external_userid, userid)
        )
        """,
        "CREATE INDEX follow_relations_member ON follow_relations (corp_id, userid, status)",
        "CREATE INDEX follow_relations_channel ON follow_relations (corp_id, channel_id, added_at)",
        "CREATE INDEX follow_relations_ended ON follow_relations (corp_id, status, ended_at)",
        """
        CREATE TABLE tag_groups (
            corp_id TEXT NOT NULL,
            group_id TEXT NOT NULL,
            name TEXT NOT NULL,
            sort_order BIGINT NOT NULL DEFAULT 0,
            created_at BIGINT NOT NULL,
            PRIMARY KEY (corp_id, group_id)
        )
        """,
        """
        CREATE TABLE tags (
            corp_id TEXT NOT NULL,
            tag_id TEXT NOT NULL,
            group_id TEXT NOT NULL,
            name TEXT NOT NULL,
            sort_order BIGINT NOT NULL DEFAULT 0,
            created_at BIGINT NOT NULL,
            PRIMARY KEY (corp_id, tag_id)
        )
        """,
        """
        CREATE TABLE customer_tags (
            corp_id TEXT NOT NULL,
            external_userid TEXT NOT NULL,
            userid TEXT NOT NULL,
            tag_id TEXT NOT NULL,
            tagged_at BIGINT NOT NULL,
            PRIMARY KEY (corp_id, external_userid, userid, tag_id)
        )
        """,
        "CREATE INDEX customer_tags_tag ON customer_tags (corp_id, tag_id)",
        """
        CREATE TABLE customer_timeline (
            corp_id TEXT NOT NULL,
            entry_id TEXT NOT NULL,
            external_userid TEXT NOT NULL,
            at BIGINT NOT NULL,
            kind TEXT NOT NULL,
            userid TEXT NOT NULL DEFAULT '',
            detail TEXT NOT NULL DEFAULT '{}',
            PRIMARY KEY (corp_id, entry_id)
        )
        """,
        "CREATE INDEX customer_timeline_customer ON customer_timeline (corp_id, external_userid, at)",
    ])
}
