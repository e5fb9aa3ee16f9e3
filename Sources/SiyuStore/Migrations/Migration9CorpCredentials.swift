import Foundation
import SQLKit
import SiyuCore

extension Migrations {
    /// API key scopes, and corp settings made typed.
    ///
    /// Keys get a scope (`read` or `write`); every key that existed could write, so it stays `write`.
    /// The contact policy, which lived as JSON text inside the user-writable settings map, moves to
    /// its own column. Of the remaining settings, those ``CorpSettings`` knows and whose values are
    /// valid are kept; anything else (unknown names, invalid values, a policy that does not decode)
    /// is removed and listed in an audit entry `corp.settings_migrated`, so nothing vanishes unseen.
    static let corpCredentials = Migration(
        version: 9, name: "api key scopes, typed corp settings",
        statements: [
            "ALTER TABLE api_keys ADD COLUMN scope TEXT NOT NULL DEFAULT 'write' CHECK (scope IN ('read', 'write'))",
            "ALTER TABLE corps ADD COLUMN contact_policy TEXT",
        ],
        data: { sql in
            for row in try await sql.raw("SELECT corp_id, settings FROM corps ORDER BY corp_id").all() {
                let corpID = try row.decode(column: "corp_id", as: String.self)
                let text = try row.decode(column: "settings", as: String.self)
                let reshaped = CorpSettingsMigration.reshape(text)
                let settings = String(decoding: try JSONEncoder.sorted.encode(reshaped.settings), as: UTF8.self)
                try await sql.raw("""
                    UPDATE corps SET settings = \(bind: settings), contact_policy = \(bind: reshaped.policy) WHERE corp_id = \(bind: corpID)
                    """).run()
                if !reshaped.removed.isEmpty {
                    // The audit table as it is at version 9 (later migrations add columns), so no store code here.
                    let detail = String(decoding: try JSONEncoder.sorted.encode(["removed": reshaped.removed.joined(separator: ",")]), as: UTF8.self)
                    try await sql.raw("""
                        INSERT INTO audit_log (corp_id, entry_id, at, actor, action, target, detail)
                        VALUES (\(bind: corpID), \(bind: UUID().uuidString.lowercased()), \(bind: StoredTime.millis(Date())),
                                'migration:9', 'corp.settings_migrated', \(bind: corpID), \(bind: detail))
                        """).run()
                }
            }
        }
    )
}

/// The pure part of migration 9: an old settings map split into typed settings and the policy.
enum CorpSettingsMigration {
    struct Reshaped: Equatable {
        var settings: CorpSettings
        var policy: String?
        /// Names removed because they are unknown or their values are invalid.
        var removed: [String]
    }

    static func reshape(_ text: String) -> Reshaped {
        let old = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
        var result = Reshaped(settings: CorpSettings(), policy: nil, removed: [])
        for name in old.keys.sorted() {
            let value = old[name] as? String
            if name == ContactStore.policySetting, let value,
               let policy = try? JSONDecoder().decode(ContactPolicy.self, from: Data(value.utf8)), (try? policy.validate()) != nil {
                result.policy = value
            } else if let key = CorpSettings.Key(rawValue: name), let value, (try? CorpSettings.validate(value, for: key)) != nil {
                result.settings[key] = value
            } else {
                result.removed.append(name)
            }
        }
        return result
    }
}
