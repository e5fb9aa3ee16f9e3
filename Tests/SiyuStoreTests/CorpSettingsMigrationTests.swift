import Foundation
import SQLKit
import SiyuCore
import SiyuTestSupport
import Testing

@testable import SiyuStore

/// Migration 9: existing keys become `write`, the contact policy leaves the user-writable settings
/// map for its own column, and whatever the typed settings cannot hold is removed and audited.
@Suite("Typed corp settings and key scopes (migration 9)")
struct CorpSettingsMigrationTests {
    @Test("a database of schema 8 keeps its keys (now write), its policy and its valid settings; garbage is removed and audited", arguments: TestDatabases.flavors)
    func upgradesSchema8(flavor: SQLFlavor) async throws {
        try await TestDatabases.withLocation(flavor) { location in
            try await SiyuDatabase.withDatabase(location, logger: TestDatabases.logger) { db in
                try await Migrator(database: db, migrations: Migrations.all.filter { $0.version <= 8 }).migrate()
                let policy = #"{"brand_cap":{"days":7,"max_touches":2},"opt_out_tag_ids":["etOPT"]}"#
                let old: [String: String] = [
                    "contact_policy": policy, "wecom_api_base_url": "http://127.0.0.1:8090", "favourite_colour": "blue",
                ]
                let broken: [String: String] = ["contact_policy": "{garbage", "wecom_api_base_url": "gopher://internal:70/"]
                for (corpID, settings) in [("wwOLD1", old), ("wwBAD2", broken)] {
                    let text = String(decoding: try JSONEncoder.sorted.encode(settings), as: UTF8.self)
                    try await db.write { sql in
                        try await sql.raw("""
                            INSERT INTO corps (corp_id, name, secret_enc, callback_token_enc, aes_key_enc, settings, created_at, updated_at)
                            VALUES (\(bind: corpID), 'old', 'x', 'x', 'x', \(bind: text), 0, 0)
                            """).run()
                        try await sql.raw("""
                            INSERT INTO api_keys (corp_id, key_id, secret_hash, label, created_at) VALUES (\(bind: corpID), 'k1', 'h', '', 0)
                            """).run()
                    }
                }

                try await Migrator(database: db).migrate()
                let store = try await SiyuStore.open(database: db, masterKey: .generate())

                let kept = try #require(try await store.corps.find("wwOLD1"))
                #expect(kept.settings == CorpSettings(wecomAPIBaseURL: "http://127.0.0.1:8090"))
                #expect(try await store.contacts.policy(corpID: "wwOLD1").optOutTagIDs == ["etOPT"])
                #expect(try await store.apiKeys.list(corpID: "wwOLD1").map(\.scope) == [.write])

                let repaired = try #require(try await store.corps.find("wwBAD2"))
                #expect(repaired.settings == CorpSettings())
                #expect(try await store.contacts.policy(corpID: "wwBAD2") == ContactPolicy(), "a policy that did not decode gives way to the default")

                let oldAudit = try await store.audit.recent(corpID: "wwOLD1").filter { $0.action == "corp.settings_migrated" }
                #expect(oldAudit.map { $0.detail["removed"] } == ["favourite_colour"])
                let badAudit = try await store.audit.recent(corpID: "wwBAD2").filter { $0.action == "corp.settings_migrated" }
                #expect(badAudit.map { $0.detail["removed"] } == ["contact_policy,wecom_api_base_url"])
            }
        }
    }

    @Test("a stored setting no build knows fails loudly instead of being dropped", arguments: TestDatabases.flavors)
    func unknownStoredSettingFails(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            _ = try await store.corps.register(MigrationAndCorpTests.registration, actor: "t", now: Date())
            let corpID = MigrationAndCorpTests.registration.corpID
            try await store.database.write { sql in
                try await sql.raw(#"UPDATE corps SET settings = '{"mystery":"x"}' WHERE corp_id = \#(bind: corpID)"#).run()
            }
            await #expect(throws: (any Error).self) { _ = try await store.corps.find(corpID) }
        }
    }

    @Test("settings change by name: a value sets, nil removes, credentials are replaced sealed and audited by name only", arguments: TestDatabases.flavors)
    func updateSettingsAndCredentials(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            let registration = MigrationAndCorpTests.registration
            _ = try await store.corps.register(registration, actor: "t", now: Date())
            let corpID = registration.corpID
            let set = try await store.corps.update(corpID, settings: [.wecomAPIBaseURL: "http://127.0.0.1:8090"], actor: "admin", now: Date())
            #expect(set?.settings.wecomAPIBaseURL == "http://127.0.0.1:8090")
            let removed = try await store.corps.update(corpID, settings: [.wecomAPIBaseURL: String?.none], actor: "admin", now: Date())
            #expect(removed?.settings == CorpSettings())

            _ = try await store.corps.update(corpID, credentials: CorpCredentialChange(secret: "rotated-secret-42"), actor: "admin", now: Date())
            let secrets = try #require(try await store.corps.secrets(of: corpID))
            #expect(secrets.secret == "rotated-secret-42")
            #expect(secrets.callbackToken == registration.callbackToken, "credentials not named stay as they were")
            let entry = try #require(try await store.audit.recent(corpID: corpID).first)
            #expect(entry.detail["credentials"] == "secret")
            #expect(!entry.detail.values.contains { $0.contains("rotated-secret-42") })

            await #expect(throws: ValidationError.self) {
                _ = try await store.corps.update(corpID, settings: [.wecomAPIBaseURL: "file:///etc/passwd"], actor: "admin", now: Date())
            }
            await #expect(throws: ValidationError.self) {
                _ = try await store.corps.update(corpID, credentials: CorpCredentialChange(encodingAESKey: "short"), actor: "admin", now: Date())
            }
            await #expect(throws: ValidationError.self) {
                _ = try await store.corps.update(corpID, name: "bad\u{7}name", actor: "admin", now: Date())
            }
        }
    }
}
