import Foundation
import Logging
import SQLKit

/// Everything Siyu keeps, behind methods named after intent.
///
/// Open it with ``open(database:masterKey:)`` after migrating; it checks that the master key
/// is the one the database's secrets were sealed with, before anything is read or written.
public struct SiyuStore: Sendable {
    public let database: SiyuDatabase
    public let corps: CorpStore
    public let apiKeys: APIKeyStore
    public let inbox: CallbackInbox
    public let jobs: JobQueue
    public let audit: AuditLog
    public let system: SystemSettings
    public let customers: CustomerStore
    public let channels: ChannelStore
    public let directory: DirectoryStore
    public let orders: OrderStore
    public let segments: SegmentStore
    public let contacts: ContactStore
    public let webhooks: WebhookStore
    public let campaigns: CampaignStore
    public let consoleUsers: ConsoleUserStore
    public let groups: GroupStore
    public let serviceAccounts: ServiceAccountStore
    public let followers: FollowerStore
    /// Checks that ids a request names are the acting corp's own.
    public let references: CorpReferences

    private init(database: SiyuDatabase, box: SecretBox) {
        self.database = database
        self.corps = CorpStore(database: database, box: box)
        self.apiKeys = APIKeyStore(database: database)
        self.inbox = CallbackInbox(database: database)
        self.jobs = JobQueue(database: database)
        self.audit = AuditLog(database: database)
        self.system = SystemSettings(database: database)
        self.customers = CustomerStore(database: database)
        self.channels = ChannelStore(database: database)
        self.directory = DirectoryStore(database: database)
        self.orders = OrderStore(database: database)
        self.segments = SegmentStore(database: database)
        self.contacts = ContactStore(database: database, corps: corps)
        self.webhooks = WebhookStore(database: database, box: box)
        self.campaigns = CampaignStore(database: database, contacts: contacts)
        self.consoleUsers = ConsoleUserStore(database: database)
        self.groups = GroupStore(database: database)
        self.serviceAccounts = ServiceAccountStore(database: database, box: box)
        self.followers = FollowerStore(database: database)
        self.references = CorpReferences(database: database)
    }

    /// Binds the store to a migrated database and a master key.
    public static func open(database: SiyuDatabase, masterKey: MasterKey) async throws -> SiyuStore {
        let box = SecretBox(masterKey: masterKey)
        let store = SiyuStore(database: database, box: box)
        try await store.verifyMasterKey(box)
        return store
    }

    /// The first start seals a known value; every later start must be able to open it.
    private func verifyMasterKey(_ box: SecretBox) async throws {
        let context = "system_settings.master_key_check"
        if let sealed = try await system.value(named: SystemSettings.masterKeyCheck) {
            do {
                _ = try box.open(sealed, context: context)
            } catch {
                throw StoreError(.masterKeyMismatch, "this master key is not the one the database was created with; set SIYU_MASTER_KEY (or restore siyu.master.key) to the original key")
            }
        } else {
            // Installation bookkeeping before any service (and its clock) exists, like a migration's applied_at.
            try await system.setIfAbsent(SystemSettings.masterKeyCheck, to: try box.seal("siyu", context: context), now: Date())
        }
    }
}

/// Small named values that belong to the installation, not to a tenant.
public struct SystemSettings: Sendable {
    let database: SiyuDatabase

    static let masterKeyCheck = "master_key_check"
    /// SHA-256 of the generated admin token (hex).
    public static let adminTokenHash = "admin_token_sha256"

    public func value(named name: String) async throws -> String? {
        try await database.read { sql in
            try await sql.raw("SELECT value FROM system_settings WHERE name = \(bind: name)")
                .first()?.decode(column: "value", as: String.self)
        }
    }

    /// Stores `value` unless a value is already there; returns whether it was stored.
    @discardableResult
    public func setIfAbsent(_ name: String, to value: String, now: Date) async throws -> Bool {
        try await database.write { sql in
            let rows = try await sql.raw("""
                INSERT INTO system_settings (name, value, updated_at)
                VALUES (\(bind: name), \(bind: value), \(bind: StoredTime.millis(now)))
                ON CONFLICT (name) DO NOTHING
                RETURNING name
                """).all()
            return !rows.isEmpty
        }
    }
}
