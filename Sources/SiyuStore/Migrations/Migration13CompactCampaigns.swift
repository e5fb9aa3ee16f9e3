import Foundation
import SQLKit
import SiyuCore

extension Migrations {
    /// Campaigns planned in a job and stored compactly: every customer gets a ledger ordinal;
    /// the ledger becomes sets of ordinals (`ledger_sets`) instead of a row per touch; a
    /// campaign's recipients become chunks of one platform task each (`campaign_chunks`) instead
    /// of a row per recipient; campaigns gain the `planning` state and its progress. Existing
    /// touches and recipients are moved over, then the old tables dropped.
    static let compactCampaigns = Migration(version: 13, name: "compact campaigns and ledger", statements: [
        """
        CREATE TABLE ledger_subjects (
            corp_id TEXT NOT NULL,
            subject TEXT NOT NULL,
            ordinal BIGINT NOT NULL,
            PRIMARY KEY (corp_id, subject)
        )
        """,
        "CREATE UNIQUE INDEX ledger_subjects_ordinal ON ledger_subjects (corp_id, ordinal)",
        """
        CREATE TABLE ledger_sets (
            corp_id TEXT NOT NULL,
            set_id TEXT NOT NULL,
            campaign_id TEXT,
            channel TEXT NOT NULL,
            at BIGINT NOT NULL,
            members BYTEA NOT NULL,
            size BIGINT NOT NULL,
            PRIMARY KEY (corp_id, set_id)
        )
        """,
        // BYTEA: PostgreSQL's bytes; SQLite keeps a blob as it is whatever the declared type.
        "CREATE INDEX ledger_sets_recent ON ledger_sets (corp_id, at)",
        "CREATE INDEX ledger_sets_campaign ON ledger_sets (corp_id, campaign_id)",
        """
        CREATE TABLE campaign_chunks (
            corp_id TEXT NOT NULL,
            campaign_id TEXT NOT NULL,
            chunk BIGINT NOT NULL,
            sender TEXT,
            msgid TEXT,
            send_at BIGINT,
            due_state TEXT CHECK (due_state IN ('planned', 'held')),
            recipients TEXT NOT NULL,
            ordinals BYTEA NOT NULL,
            states BYTEA NOT NULL,
            size BIGINT NOT NULL,
            open BIGINT NOT NULL,
            delivered BIGINT NOT NULL,
            first_recipient TEXT NOT NULL,
            last_recipient TEXT NOT NULL,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (corp_id, campaign_id, chunk)
        )
        """,
        "CREATE INDEX campaign_chunks_task ON campaign_chunks (corp_id, campaign_id, msgid)",
        "CREATE INDEX campaign_chunks_due ON campaign_chunks (corp_id, campaign_id, due_state, sender)",
    ], data: { sql in
        try await numberCustomers(on: sql)
        try await allowPlanning(on: sql)
        try await moveTouches(on: sql)
        try await moveRecipients(on: sql)
        for statement in [
            "DROP INDEX campaign_recipients_work", "DROP INDEX campaign_recipients_task", "DROP TABLE campaign_recipients",
            "DROP INDEX contact_touches_campaign", "DROP INDEX contact_touches_recent", "DROP TABLE contact_touches",
        ] {
            try await sql.raw(SQLQueryString(statement)).run()
        }
    })

    /// Customers get ordinals from one sequence per database (a counter row on SQLite, a
    /// PostgreSQL sequence), given on insert; existing customers are numbered now.
    private static func numberCustomers(on sql: any SQLDatabase) async throws {
        switch sql.flavor {
        case .postgres:
            try await sql.raw("CREATE SEQUENCE ledger_ordinals").run()
            // A volatile default numbers every existing row as the column is added.
            try await sql.raw("ALTER TABLE customers ADD COLUMN ordinal BIGINT NOT NULL DEFAULT nextval('ledger_ordinals')").run()
        case .sqlite:
            try await sql.raw("CREATE TABLE ledger_ordinal_counter (id BIGINT PRIMARY KEY, next BIGINT NOT NULL)").run()
            try await sql.raw("ALTER TABLE customers ADD COLUMN ordinal BIGINT").run()
            try await sql.raw("UPDATE customers SET ordinal = rowid").run()
            try await sql.raw("INSERT INTO ledger_ordinal_counter (id, next) SELECT 1, COALESCE(MAX(rowid), 0) FROM customers").run()
            try await sql.raw("""
                CREATE TRIGGER customers_ordinal AFTER INSERT ON customers WHEN NEW.ordinal IS NULL
                BEGIN
                  UPDATE ledger_ordinal_counter SET next = next + 1 WHERE id = 1;
                  UPDATE customers SET ordinal = (SELECT next FROM ledger_ordinal_counter WHERE id = 1) WHERE rowid = NEW.rowid;
                END
                """).run()
        }
        try await sql.raw("CREATE UNIQUE INDEX customers_ordinal ON customers (corp_id, ordinal)").run()
    }

    /// `planning` joins the campaign states, with its progress (permille) and audience size.
    private static func allowPlanning(on sql: any SQLDatabase) async throws {
        let states = "'planning', 'scheduled', 'sending', 'finished', 'cancelled'"
        switch sql.flavor {
        case .postgres:
            try await sql.raw("ALTER TABLE campaigns DROP CONSTRAINT campaigns_state_check, ADD CONSTRAINT campaigns_state_check CHECK (state IN (\(unsafeRaw: states)))").run()
            try await sql.raw("ALTER TABLE campaigns ADD COLUMN plan_progress BIGINT").run()
            try await sql.raw("ALTER TABLE campaigns ADD COLUMN plan_recipients BIGINT").run()
        case .sqlite:
            // SQLite cannot change a CHECK: the table is rebuilt with the same columns and the new ones.
            try await sql.raw("""
                CREATE TABLE campaigns_v13 (
                    corp_id TEXT NOT NULL,
                    campaign_id TEXT NOT NULL,
                    name TEXT NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('message', 'group_message', 'moment')),
                    audience TEXT NOT NULL,
                    content TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN (\(unsafeRaw: states))),
                    send_at BIGINT NOT NULL,
                    deadline_at BIGINT NOT NULL,
                    created_by TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    finished_at BIGINT,
                    moment_job_id TEXT,
                    moment_id TEXT,
                    last_error TEXT,
                    plan_progress BIGINT,
                    plan_recipients BIGINT,
                    PRIMARY KEY (corp_id, campaign_id)
                )
                """).run()
            try await sql.raw("""
                INSERT INTO campaigns_v13 (corp_id, campaign_id, name, kind, audience, content, state, send_at, deadline_at, created_by, created_at,
                                           updated_at, finished_at, moment_job_id, moment_id, last_error)
                SELECT corp_id, campaign_id, name, kind, audience, content, state, send_at, deadline_at, created_by, created_at,
                       updated_at, finished_at, moment_job_id, moment_id, last_error FROM campaigns
                """).run()
            try await sql.raw("DROP TABLE campaigns").run()
            try await sql.raw("ALTER TABLE campaigns_v13 RENAME TO campaigns").run()
            try await sql.raw("CREATE INDEX campaigns_recent ON campaigns (corp_id, created_at)").run()
        }
    }

    /// Every touch row joins its set: a campaign's by instant and channel, the rest by instant.
    private static func moveTouches(on sql: any SQLDatabase) async throws {
        struct Key: Hashable { var corpID: String; var campaignID: String?; var channel: String; var at: Int64 }
        var groups: [Key: [String]] = [:]
        for row in try await sql.raw("SELECT corp_id, external_userid, channel, at, campaign_id FROM contact_touches").all() {
            let key = Key(
                corpID: try row.decode(column: "corp_id", as: String.self), campaignID: try row.decode(column: "campaign_id", as: String?.self),
                channel: try row.decode(column: "channel", as: String.self), at: try row.decode(column: "at", as: Int64.self)
            )
            groups[key, default: []].append(try row.decode(column: "external_userid", as: String.self))
        }
        for (corpID, keys) in Dictionary(grouping: groups.keys, by: \.corpID) {
            let ordinals = try await SubjectOrdinals.resolve(on: sql, corpID: corpID, ids: keys.flatMap { groups[$0]! })
            for key in keys.sorted(by: { $0.at < $1.at }) {
                guard let channel = TouchChannel(rawValue: key.channel) else {
                    throw StoreError(.corruptRow, "contact_touches.channel holds \"\(key.channel)\", which this build's TouchChannel does not know")
                }
                try await LedgerSets.add(
                    on: sql, corpID: corpID, campaignID: key.campaignID, channel: channel, at: StoredTime.date(key.at),
                    members: OrdinalSet(groups[key]!.compactMap { ordinals[$0] })
                )
            }
        }
    }

    /// Every campaign's recipient rows become chunks: per sender, task and send time, in
    /// recipient order, of at most one task's worth.
    private static func moveRecipients(on sql: any SQLDatabase) async throws {
        struct Key: Hashable { var corpID: String; var campaignID: String; var sender: String?; var msgID: String?; var sendAt: Int64?; var open: Bool }
        struct Row { var recipient: String; var state: RecipientState; var reason: RecipientReason; var updatedAt: Int64 }
        var groups: [Key: [Row]] = [:]
        var kinds: [String: CampaignKind] = [:]
        for row in try await sql.raw("SELECT corp_id, campaign_id, kind FROM campaigns").all() {
            kinds[try row.decode(column: "corp_id", as: String.self) + "/" + row.decode(column: "campaign_id", as: String.self)] =
                try row.decodeStored(column: "kind", as: CampaignKind.self)
        }
        for row in try await sql.raw("SELECT * FROM campaign_recipients ORDER BY corp_id, campaign_id, recipient").all() {
            let state = try row.decodeStored(column: "state", as: RecipientState.self)
            let key = Key(
                corpID: try row.decode(column: "corp_id", as: String.self), campaignID: try row.decode(column: "campaign_id", as: String.self),
                sender: try row.decode(column: "sender", as: String?.self), msgID: try row.decode(column: "msgid", as: String?.self),
                sendAt: try row.decode(column: "send_at", as: Int64?.self), open: state == .planned || state == .held
            )
            groups[key, default: []].append(Row(
                recipient: try row.decode(column: "recipient", as: String.self), state: state,
                reason: try row.decodeStored(column: "reason", as: RecipientReason.self), updatedAt: try row.decode(column: "updated_at", as: Int64.self)
            ))
        }
        var numbers: [String: Int] = [:]
        for (campaign, keys) in Dictionary(grouping: groups.keys, by: { $0.corpID + "/" + $0.campaignID }) {
            let corpID = keys[0].corpID
            let ordinals = try await SubjectOrdinals.known(on: sql, corpID: corpID, ids: keys.flatMap { groups[$0]!.map(\.recipient) })
            let perChunk = max(1, kinds[campaign]?.recipientsPerTask ?? 10_000)
            for key in keys.sorted(by: { ($0.sender ?? "", $0.msgID ?? "", $0.sendAt ?? 0) < ($1.sender ?? "", $1.msgID ?? "", $1.sendAt ?? 0) }) {
                let rows = groups[key]!
                for start in stride(from: 0, to: rows.count, by: perChunk) {
                    let part = rows[start..<min(start + perChunk, rows.count)]
                    let number = numbers[campaign, default: 0]
                    numbers[campaign] = number + 1
                    try await RecipientChunk(
                        number: number, sender: key.sender, msgID: key.msgID, sendAt: key.sendAt.map(StoredTime.date), recipients: part.map(\.recipient),
                        ordinals: part.map { ordinals[$0.recipient] ?? 0 }, states: part.map(\.state), reasons: part.map(\.reason),
                        updatedAt: StoredTime.date(part.map(\.updatedAt).max() ?? 0)
                    ).write(on: sql, corpID: corpID, campaignID: key.campaignID)
                }
            }
        }
        try await sql.raw("UPDATE campaigns SET plan_progress = 1000").run()
        try await sql.raw("""
            UPDATE campaigns SET plan_recipients = (SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM campaign_chunks k WHERE k.corp_id = campaigns.corp_id AND k.campaign_id = campaigns.campaign_id)
            """).run()
    }
}
