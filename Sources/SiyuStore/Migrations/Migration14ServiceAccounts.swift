extension Migrations {
    /// Service accounts (服务号), their followers, and QR codes on channels.
    ///
    /// - `service_accounts`: one row per account of a corp; the AppID is unique across the
    ///   installation because `/callback/mp/{app_id}` names nothing else. Secrets are sealed like a
    ///   corp's; `previous_aes_key_enc` is the key before the last rotation, still tried when the
    ///   current one does not decrypt. `replies` is the account's reply rules (JSON), `menu` the
    ///   menu last saved (JSON in the platform's shape).
    /// - `followers`: the account's view of each openid. `subscribed` and `state_at` follow the
    ///   latest follow event or sync by its time, so reordered events converge. An unfollow clears
    ///   every profile field and the follower's timeline; the row keeps only the openid and the
    ///   times, so a late event from before the unfollow cannot bring the follower back, and
    ///   `lost_channel_id`, the channel the loss was counted under ('' when the follow it ended had
    ///   not been applied yet: that follow, applied late, moves the loss to its channel).
    /// - `follower_days`: follows and unfollows per corp day and per channel ('' for none): the
    ///   anonymous counts the KPIs read, kept after the followers' data is gone.
    /// - channels gain a parametric QR code of one account: its scene (`qrscene_<scene>` on a new
    ///   follow, `<scene>` on a scan), ticket, URL and expiry (NULL for a permanent code).
    static let serviceAccounts = Migration(version: 14, name: "service accounts, followers, QR channels", statements: [
        """
        CREATE TABLE service_accounts (
            corp_id TEXT NOT NULL REFERENCES corps(corp_id) ON DELETE CASCADE,
            app_id TEXT NOT NULL,
            name TEXT NOT NULL,
            mode TEXT NOT NULL CHECK (mode IN ('plain', 'compatible', 'secure')),
            secret_enc TEXT NOT NULL,
            token_enc TEXT NOT NULL,
            aes_key_enc TEXT,
            previous_aes_key_enc TEXT,
            key_rotated_at BIGINT,
            api_base_url TEXT,
            replies TEXT NOT NULL DEFAULT '{}',
            menu TEXT,
            menu_published_at BIGINT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (corp_id, app_id)
        )
        """,
        "CREATE UNIQUE INDEX service_accounts_app ON service_accounts (app_id)",
        """
        CREATE TABLE followers (
            corp_id TEXT NOT NULL,
            app_id TEXT NOT NULL,
            openid TEXT NOT NULL,
            subscribed BIGINT NOT NULL CHECK (subscribed IN (0, 1)),
            state_at BIGINT NOT NULL,
            subscribed_at BIGINT,
            unsubscribed_at BIGINT,
            unionid TEXT,
            remark TEXT NOT NULL DEFAULT '',
            language TEXT NOT NULL DEFAULT '',
            subscribe_scene TEXT NOT NULL DEFAULT '',
            qr_scene TEXT NOT NULL DEFAULT '',
            channel_id TEXT,
            lost_channel_id TEXT,
            tag_ids TEXT NOT NULL DEFAULT '[]',
            last_location TEXT,
            last_seen_at BIGINT,
            synced_at BIGINT,
            PRIMARY KEY (corp_id, app_id, openid)
        )
        """,
        "CREATE INDEX followers_listing ON followers (corp_id, app_id, subscribed, subscribed_at)",
        "CREATE INDEX followers_channel ON followers (corp_id, app_id, channel_id, subscribed)",
        """
        CREATE TABLE follower_timeline (
            corp_id TEXT NOT NULL,
            entry_id TEXT NOT NULL,
            app_id TEXT NOT NULL,
            openid TEXT NOT NULL,
            at BIGINT NOT NULL,
            kind TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '{}',
            PRIMARY KEY (corp_id, entry_id)
        )
        """,
        "CREATE INDEX follower_timeline_follower ON follower_timeline (corp_id, app_id, openid, at)",
        """
        CREATE TABLE follower_days (
            corp_id TEXT NOT NULL,
            app_id TEXT NOT NULL,
            day BIGINT NOT NULL,
            channel_id TEXT NOT NULL DEFAULT '',
            follows BIGINT NOT NULL DEFAULT 0,
            unfollows BIGINT NOT NULL DEFAULT 0,
            PRIMARY KEY (corp_id, app_id, day, channel_id)
        )
        """,
        "ALTER TABLE channels ADD COLUMN mp_app_id TEXT",
        "ALTER TABLE channels ADD COLUMN mp_scene TEXT",
        "ALTER TABLE channels ADD COLUMN mp_ticket TEXT",
        "ALTER TABLE channels ADD COLUMN mp_qr_url TEXT",
        "ALTER TABLE channels ADD COLUMN mp_qr_expires_at BIGINT",
        "CREATE UNIQUE INDEX channels_mp_scene ON channels (mp_app_id, mp_scene)",
    ])
}
