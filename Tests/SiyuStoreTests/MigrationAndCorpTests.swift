import Foundation
import SQLKit
import SiyuCore
import SiyuTestSupport
import Testing

@testable import SiyuStore

@Suite("Migrations and the tenant registry")
struct MigrationAndCorpTests {
    static let registration = CorpRegistration(
        corpID: "ww5823bf96d3bd56c7", name: "星巴克测试", secret: "app-secret-XYZ-123",
        callbackToken: "QDG6eK", encodingAESKey: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
    )

    @Test("migrations run from empty, once", arguments: TestDatabases.flavors)
    func migratesFromEmpty(flavor: SQLFlavor) async throws {
        try await TestDatabases.withLocation(flavor) { location in try await SiyuDatabase.withDatabase(location, logger: TestDatabases.logger) { db in
            let migrator = Migrator(database: db)
            await #expect(throws: StoreError.self) { try await migrator.checkUpToDate() }
            #expect(try await migrator.currentVersion() == 0)
            let applied = try await migrator.migrate()
            #expect(applied == Migrations.all.map(\.version))
            #expect(try await migrator.migrate().isEmpty)
            #expect(try await migrator.currentVersion() == Migrator.latestVersion)
            try await migrator.checkUpToDate()
            for table in ["corps", "api_keys", "callback_inbox", "jobs", "audit_log", "system_settings"] {
                let count = try await db.read { sql in
                    try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first()!.decode(column: "n", as: Int.self)
                }
                #expect(count == 0, "table \(table) exists and is empty")
            }
        } }
    }

    @Test("a registered corp lists without secrets; the row holds them only sealed", arguments: TestDatabases.flavors)
    func registerAndList(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            let registration = Self.registration
            let summary = try await store.corps.register(registration, actor: "test", now: Date())
            #expect(summary.corpID == registration.corpID)
            #expect(summary.name == "星巴克测试")
            let listed = try await store.corps.list()
            #expect(listed.map(\.corpID) == [registration.corpID])

            let raw = try await store.database.read { sql in
                try await sql.raw("SELECT * FROM corps").all()
            }
            #expect(raw.count == 1)
            for column in ["secret_enc", "callback_token_enc", "aes_key_enc"] {
                let stored = try raw[0].decode(column: column, as: String.self)
                #expect(stored.hasPrefix("v1:"))
                #expect(!stored.contains(registration.secret))
                #expect(!stored.contains(registration.encodingAESKey))
                #expect(!stored.contains(registration.callbackToken))
            }
            let secrets = try #require(try await store.corps.secrets(of: registration.corpID))
            #expect(secrets == CorpSecrets(secret: registration.secret, callbackToken: registration.callbackToken, encodingAESKey: registration.encodingAESKey))

            let audit = try await store.audit.recent(corpID: registration.corpID)
            #expect(audit.map(\.action) == ["corp.register"])
        }
    }

    @Test("a duplicate corp id is refused and leaves the first intact", arguments: TestDatabases.flavors)
    func duplicateCorp(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            _ = try await store.corps.register(Self.registration, actor: "test", now: Date())
            var second = Self.registration
            second.name = "another"
            await #expect(throws: StoreError(.duplicate, "corp ww5823bf96d3bd56c7 is already registered; `siyu corp list` shows it")) {
                try await store.corps.register(second, actor: "test", now: Date())
            }
            #expect(try await store.corps.list().map(\.name) == ["星巴克测试"])
            #expect(try await store.audit.recent(corpID: Self.registration.corpID).count == 1)
        }
    }

    @Test("a different master key is refused before anything is read", arguments: TestDatabases.flavors)
    func masterKeyMismatch(flavor: SQLFlavor) async throws {
        try await TestDatabases.withLocation(flavor) { location in try await SiyuDatabase.withDatabase(location, logger: TestDatabases.logger) { db in
            try await Migrator(database: db).migrate()
            let store = try await SiyuStore.open(database: db, masterKey: .generate())
            _ = try await store.corps.register(Self.registration, actor: "test", now: Date())
            do {
                _ = try await SiyuStore.open(database: db, masterKey: .generate())
                Issue.record("a wrong master key was accepted")
            } catch let error as StoreError {
                #expect(error.code == .masterKeyMismatch)
            }
        } }
    }

    @Test("a rename keeps the settings, and is audited", arguments: TestDatabases.flavors)
    func updateCorp(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            _ = try await store.corps.register(Self.registration, actor: "test", now: Date())
            let updated = try await store.corps.update(Self.registration.corpID, settings: [.wecomAPIBaseURL: "http://127.0.0.1:8090"], actor: "ops", now: Date())
            #expect(updated?.settings.wecomAPIBaseURL == "http://127.0.0.1:8090")
            let again = try await store.corps.update(Self.registration.corpID, name: "新名字", actor: "ops", now: Date())
            #expect(again?.name == "新名字")
            #expect(again?.settings.wecomAPIBaseURL == "http://127.0.0.1:8090", "a rename leaves the settings as they were")
            #expect(try await store.corps.update("wwnosuchcorp", name: "x", actor: "ops", now: Date()) == nil)
            #expect(try await store.audit.recent(corpID: Self.registration.corpID).first?.actor == "ops")
        }
    }
}
