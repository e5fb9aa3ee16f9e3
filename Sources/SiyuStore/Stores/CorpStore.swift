import Foundation
import SQLKit
import SiyuCore

/// The tenant registry: one row per enterprise, secrets sealed with the master key.
public struct CorpStore: Sendable {
    let database: SiyuDatabase
    let box: SecretBox

    private struct Row: Decodable {
        var corpID: String
        var name: String
        var settings: String
        var createdAt: Int64
        var updatedAt: Int64

        enum CodingKeys: String, CodingKey {
            case corpID = "corp_id", name, settings, createdAt = "created_at", updatedAt = "updated_at"
        }

        var summary: CorpSummary {
            let decoded = (try? JSONDecoder().decode([String: String].self, from: Data(settings.utf8))) ?? [:]
            return CorpSummary(
                corpID: corpID, name: name, settings: decoded,
                createdAt: Clock.date(createdAt), updatedAt: Clock.date(updatedAt)
            )
        }
    }

    private struct SecretRow: Decodable {
        var secretEnc: String
        var callbackTokenEnc: String
        var aesKeyEnc: String

        enum CodingKeys: String, CodingKey {
            case secretEnc = "secret_enc", callbackTokenEnc = "callback_token_enc", aesKeyEnc = "aes_key_enc"
        }
    }

    /// Registers a corp and audits it, in one transaction. A corp id already present is an error.
    public func register(_ registration: CorpRegistration, actor: String, now: Date = Date()) async throws -> CorpSummary {
        try registration.validate()
        let corpID = registration.corpID
        let secret = try box.seal(registration.secret, context: "corps.secret_enc:\(corpID)")
        let token = try box.seal(registration.callbackToken, context: "corps.callback_token_enc:\(corpID)")
        let aesKey = try box.seal(registration.encodingAESKey, context: "corps.aes_key_enc:\(corpID)")
        let name = registration.name.trimmingCharacters(in: .whitespacesAndNewlines)
        let at = Clock.millis(now)
        return try await database.write { sql in
            let inserted = try await sql.raw("""
                INSERT INTO corps (corp_id, name, secret_enc, callback_token_enc, aes_key_enc, settings, created_at, updated_at)
                VALUES (\(bind: corpID), \(bind: name), \(bind: secret), \(bind: token), \(bind: aesKey), '{}', \(bind: at), \(bind: at))
                ON CONFLICT (corp_id) DO NOTHING
                RETURNING corp_id
                """).all()
            guard !inserted.isEmpty else {
                throw StoreError(.duplicate, "corp \(corpID) is already registered; `siyu corp list` shows it")
            }
            try await AuditLog.append(
                on: sql, corpID: corpID, actor: actor, action: "corp.register", target: corpID, detail: ["name": name], now: now
            )
            return CorpSummary(corpID: corpID, name: name, settings: [:], createdAt: Clock.date(at), updatedAt: Clock.date(at))
        }
    }

    /// Corps ordered by id, without secrets: up to `limit` after the corp id `after` (a cursor).
    public func list(after: String? = nil, limit: Int = 1000) async throws -> [CorpSummary] {
        let limit = max(1, min(limit, 1000))
        return try await database.read { sql in
            try await sql.raw("""
                SELECT corp_id, name, settings, created_at, updated_at FROM corps
                WHERE corp_id > \(bind: after ?? "") ORDER BY corp_id LIMIT \(literal: limit)
                """).all(decoding: Row.self).map(\.summary)
        }
    }

    public func find(_ corpID: String) async throws -> CorpSummary? {
        try await database.read { sql in
            try await sql.raw("SELECT corp_id, name, settings, created_at, updated_at FROM corps WHERE corp_id = \(bind: corpID)")
                .first(decoding: Row.self)?.summary
        }
    }

    /// Renames a corp and/or merges settings; returns the updated corp, or nil if there is none.
    public func update(_ corpID: String, name: String?, settings: [String: String]?, actor: String, now: Date = Date()) async throws -> CorpSummary? {
        if let name {
            let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty, trimmed.count <= 128 else {
                throw ValidationError(field: "name", message: "name must be 1 to 128 characters")
            }
        }
        return try await database.write { sql in
            guard var current = try await sql.raw("SELECT corp_id, name, settings, created_at, updated_at FROM corps WHERE corp_id = \(bind: corpID)")
                .first(decoding: Row.self)?.summary
            else { return nil }
            if let name { current.name = name.trimmingCharacters(in: .whitespacesAndNewlines) }
            if let settings { current.settings.merge(settings) { $1 } }
            current.updatedAt = now
            let encoded = String(decoding: try JSONEncoder.sorted.encode(current.settings), as: UTF8.self)
            try await sql.raw("""
                UPDATE corps SET name = \(bind: current.name), settings = \(bind: encoded), updated_at = \(bind: Clock.millis(now))
                WHERE corp_id = \(bind: corpID)
                """).run()
            try await AuditLog.append(
                on: sql, corpID: corpID, actor: actor, action: "corp.update", target: corpID,
                detail: ["name": current.name, "settings_keys": (settings ?? [:]).keys.sorted().joined(separator: ",")], now: now
            )
            return current
        }
    }

    /// The decrypted secrets of a corp, for the code that talks to WeCom.
    public func secrets(of corpID: String) async throws -> CorpSecrets? {
        guard let row = try await database.read({ sql in
            try await sql.raw("SELECT secret_enc, callback_token_enc, aes_key_enc FROM corps WHERE corp_id = \(bind: corpID)")
                .first(decoding: SecretRow.self)
        }) else { return nil }
        return CorpSecrets(
            secret: try box.open(row.secretEnc, context: "corps.secret_enc:\(corpID)"),
            callbackToken: try box.open(row.callbackTokenEnc, context: "corps.callback_token_enc:\(corpID)"),
            encodingAESKey: try box.open(row.aesKeyEnc, context: "corps.aes_key_enc:\(corpID)")
        )
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
