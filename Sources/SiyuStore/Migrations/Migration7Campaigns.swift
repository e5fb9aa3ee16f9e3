extension Migrations {
    /// Campaigns (mass messages to customers or groups, moments), the platform tasks they
    /// became, and a state with a reason for every recipient; and the customer groups (客户群)
    /// mirrored with their members, for group campaigns and the segment language's `group`.
    static let campaigns = Migration(version: 7, name: "campaigns and customer groups", statements: [
        """
        CREATE TABLE campaigns (
            corp_id TEXT NOT NULL,
            campaign_id TEXT NOT NULL,
            name TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('message', 'group_message', 'moment')),
            audience TEXT NOT NULL,
            content TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('scheduled', 'sending', 'finished', 'cancelled')),
            send_at BIGINT NOT NULL,
            deadline_at BIGINT NOT NULL,
            created_by TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            finished_at BIGINT,
            moment_job_id TEXT,
            moment_id TEXT,
            last_error TEXT,
            PRIMARY KEY (corp_id, campaign_id)
        )
        """,
        "CREATE INDEX campaigns_recent ON campaigns (corp_id, created_at)",
        """
        CREATE TABLE campaign_tasks (
            corp_id TEXT NOT NULL,
            campaign_id TEXT NOT NULL,
            msgid TEXT NOT NULL,
            sender TEXT NOT NULL,
            recipients BIGINT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'cancelled', 'expired')),
            reminders TEXT NOT NULL DEFAULT '[]',
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (corp_id, campaign_id, msgid)
        )
        """,
        """
        CREATE TABLE campaign_recipients (
            corp_id TEXT NOT NULL,
            campaign_id TEXT NOT NULL,
            recipient TEXT NOT NULL,
            sender TEXT,
            state TEXT NOT NULL CHECK (state IN ('planned', 'held', 'submitted', 'delivered', 'failed', 'skipped', 'cancelled')),
            reason TEXT NOT NULL,
            msgid TEXT,
            send_at BIGINT,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (corp_id, campaign_id, recipient)
        )
        """,
        "CREATE INDEX campaign_recipients_work ON campaign_recipients (corp_id, campaign_id, state, send_at)",
        "CREATE INDEX campaign_recipients_task ON campaign_recipients (corp_id, campaign_id, msgid)",
        "CREATE INDEX contact_touches_campaign ON contact_touches (corp_id, campaign_id, external_userid)",
        """
        CREATE TABLE customer_groups (
            corp_id TEXT NOT NULL,
            chat_id TEXT NOT NULL,
            name TEXT NOT NULL,
            owner TEXT NOT NULL,
            notice TEXT,
            created_at BIGINT NOT NULL,
            dismissed_at BIGINT,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (corp_id, chat_id)
        )
        """,
        """
        CREATE TABLE group_members (
            corp_id TEXT NOT NULL,
            chat_id TEXT NOT NULL,
            member_id TEXT NOT NULL,
            member_type BIGINT NOT NULL,
            joined_at BIGINT NOT NULL,
            PRIMARY KEY (corp_id, chat_id, member_id)
        )
        """,
        "CREATE INDEX group_members_by_member ON group_members (corp_id, member_id)",
        // Which customers each revision changed ('' for a change of names: tags, channels,
        // members, groups), so a segment index can catch up in place instead of rebuilding.
        """
        CREATE TABLE segment_changes (
            corp_id TEXT NOT NULL,
            revision BIGINT NOT NULL,
            external_userid TEXT NOT NULL,
            PRIMARY KEY (corp_id, revision, external_userid)
        )
        """,
    ])
}
