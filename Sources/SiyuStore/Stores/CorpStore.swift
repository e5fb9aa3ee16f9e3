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

        /// The corp as stored; settings no ``CorpSettings`` knows fail loudly (a migration bug).
        func summary() throws -> CorpSummary {
            CorpSummary(
                corpID: corpID, name: name, settings: try JSONDecoder().decode(CorpSettings.self, from: Data(settings.utf8)),
                createdAt: StoredTime.date(createdAt), updatedAt: StoredTime.date(updatedAt)
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
    public func register(_ registration: CorpRegistration, actor: String, now: Date) async throws -> CorpSummary {
        try registration.validate()
        let corpID = registration.corpID
        let sealed = Dictionary(uniqueKeysWithValues: try seal(CorpCredentialChange(
            secret: registration.secret, callbackToken: registration.callbackToken, encodingAESKey: registration.encodingAESKey
        ), corpID: corpID))
        let (secret, token, aesKey) = (sealed["secret_enc"] ?? "", sealed["callback_token_enc"] ?? "", sealed["aes_key_enc"] ?? "")
        let name = registration.name.trimmingCharacters(in: .whitespacesAndNewlines)
        let at = StoredTime.millis(now)
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
            return CorpSummary(corpID: corpID, name: name, settings: CorpSettings(), createdAt: StoredTime.date(at), updatedAt: StoredTime.date(at))
        }
    }

    /// Corps ordered by id, without secrets: up to `limit` after the corp id `after` (a cursor).
    public func list(after: String? = nil, limit: Int = 1000) async throws -> [CorpSummary] {
        let limit = max(1, min(limit, 1000))
        return try await database.read { sql in
            try await sql.raw("""
                SELECT corp_id, name, settings, created_at, updated_at FROM corps
                WHERE corp_id > \(bind: after ?? "") ORDER BY corp_id LIMIT \(literal: limit)
                """).all(decoding: Row.self).map { try $0.summary() }
        }
    }

    public func find(_ corpID: String) async throws -> CorpSummary? {
        try await database.read { sql in
            try await sql.raw("SELECT corp_id, name, settings, created_at, updated_at FROM corps WHERE corp_id = \(bind: corpID)")
                .first(decoding: Row.self)?.summary()
        }
    }

    /// Renames a corp, changes settings (a value sets one, nil removes it) and/or replaces
    /// credentials, in one audited transaction; returns the updated corp, or nil if there is none.
    /// Who may change what is the caller's rule (credentials and credential settings are admin only).
    public func update(
        _ corpID: String, name: String? = nil, settings: [CorpSettings.Key: String?] = [:],
        credentials: CorpCredentialChange = CorpCredentialChange(), actor: String, now: Date
    ) async throws -> CorpSummary? {
        if let name {
            let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty, trimmed.count <= 128, !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw ValidationError(field: "name", message: "name must be 1 to 128 characters, without control characters")
            }
        }
        for case let (key, value?) in settings { try CorpSettings.validate(value, for: key) }
        try credentials.validate()
        let sealed = try seal(credentials, corpID: corpID)
        return try await database.write { sql in
            guard var current = try await sql.raw("SELECT corp_id, name, settings, created_at, updated_at FROM corps WHERE corp_id = \(bind: corpID)")
                .first(decoding: Row.self)?.summary()
            else { return nil }
            if let name { current.name = name.trimmingCharacters(in: .whitespacesAndNewlines) }
            current.settings.apply(settings)
            current.updatedAt = now
            let encoded = String(decoding: try JSONEncoder.sorted.encode(current.settings), as: UTF8.self)
            try await sql.raw("""
                UPDATE corps SET name = \(bind: current.name), settings = \(bind: encoded), updated_at = \(bind: StoredTime.millis(now))
                WHERE corp_id = \(bind: corpID)
                """).run()
            for (column, value) in sealed {
                try await sql.raw("UPDATE corps SET \(ident: column) = \(bind: value) WHERE corp_id = \(bind: corpID)").run()
            }
            var detail = ["name": current.name]
            if !settings.isEmpty { detail["settings"] = settings.keys.map(\.rawValue).sorted().joined(separator: ",") }
            if !credentials.isEmpty { detail["credentials"] = credentials.names.joined(separator: ",") }
            try await AuditLog.append(on: sql, corpID: corpID, actor: actor, action: "corp.update", target: corpID, detail: detail, now: now)
            return current
        }
    }

    /// Sealed values of the credentials a change replaces, by column.
    private func seal(_ change: CorpCredentialChange, corpID: String) throws -> [(column: String, value: String)] {
        let plain: [(String, String?)] = [
            ("secret_enc", change.secret), ("callback_token_enc", change.callbackToken), ("aes_key_enc", change.encodingAESKey),
        ]
        return try plain.compactMap { column, value in
            guard let value else { return nil }
            return (column, try box.seal(value, context: "corps.\(column):\(corpID)"))
        }
    }

    /// The corp's contact policy as stored (JSON), or nil when it has none.
    public func contactPolicyText(of corpID: String) async throws -> String?? {
        try await database.read { sql in
            guard let row = try await sql.raw("SELECT contact_policy FROM corps WHERE corp_id = \(bind: corpID)").first() else { return nil }
            return .some(try row.decode(column: "contact_policy", as: String?.self))
        }
    }

    /// Stores the corp's contact policy (JSON) and audits it; false when there is no such corp.
    public func setContactPolicyText(_ text: String, of corpID: String, actor: String, now: Date) async throws -> Bool {
        try await database.write { sql in
            let rows = try await sql.raw("""
                UPDATE corps SET contact_policy = \(bind: text), updated_at = \(bind: StoredTime.millis(now)) WHERE corp_id = \(bind: corpID) RETURNING corp_id
                """).all()
            guard !rows.isEmpty else { return false }
            try await AuditLog.append(on: sql, corpID: corpID, actor: actor, action: "contact_policy.update", target: corpID, detail: [:], now: now)
            return true
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
