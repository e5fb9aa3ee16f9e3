import Crypto
import Foundation
import SQLKit
import SiyuCore

/// Bearer keys that act for exactly one corp.
///
/// A key reads `sk.<corp_id>.<key_id>.<secret>`: the corp and key id locate the row by
/// primary key; only SHA-256 of the whole key is stored, so a leaked database leaks no key.
/// The secret is 256 random bits, which is why a fast hash is enough here.
public struct APIKeyStore: Sendable {
    let database: SiyuDatabase

    public struct Created: Sendable {
        /// The full key, shown once.
        public var token: String
        public var info: Info
    }

    public struct Info: Sendable, Codable, Equatable {
        public var corpID: String
        public var keyID: String
        public var label: String
        public var scope: APIKeyScope
        public var createdAt: Date
        public var lastUsedAt: Date?
        public var revokedAt: Date?
    }

    private struct Row: Decodable {
        var corpID: String
        var keyID: String
        var secretHash: String
        var label: String
        var scope: String
        var createdAt: Int64
        var lastUsedAt: Int64?
        var revokedAt: Int64?

        enum CodingKeys: String, CodingKey {
            case corpID = "corp_id", keyID = "key_id", secretHash = "secret_hash", label, scope
            case createdAt = "created_at", lastUsedAt = "last_used_at", revokedAt = "revoked_at"
        }

        /// The key as stored; a scope no ``APIKeyScope`` knows fails loudly (a migration bug).
        func info() throws -> Info {
            guard let scope = APIKeyScope(rawValue: scope) else {
                throw StoreError(.corruptRow, "api key \(corpID)/\(keyID) has an unknown scope \(scope)")
            }
            return Info(
                corpID: corpID, keyID: keyID, label: label, scope: scope, createdAt: StoredTime.date(createdAt),
                lastUsedAt: lastUsedAt.map(StoredTime.date), revokedAt: revokedAt.map(StoredTime.date)
            )
        }
    }

    /// Creates a key for a corp that exists; the returned token is never stored.
    public func create(corpID: String, label: String, scope: APIKeyScope = .write, actor: String, now: Date) async throws -> Created {
        let label = label.trimmingCharacters(in: .whitespacesAndNewlines)
        guard label.count <= 100 else {
            throw ValidationError(field: "label", message: "label must be at most 100 characters")
        }
        let keyID = Self.randomHex(bytes: 6)
        let token = "sk.\(corpID).\(keyID).\(Self.randomHex(bytes: 32))"
        let hash = Self.hash(token)
        let at = StoredTime.millis(now)
        return try await database.write { sql in
            guard try await sql.raw("SELECT corp_id FROM corps WHERE corp_id = \(bind: corpID)").first() != nil else {
                throw StoreError(.notFound, "corp \(corpID) is not registered")
            }
            try await sql.raw("""
                INSERT INTO api_keys (corp_id, key_id, secret_hash, label, scope, created_at)
                VALUES (\(bind: corpID), \(bind: keyID), \(bind: hash), \(bind: label), \(bind: scope.rawValue), \(bind: at))
                """).run()
            try await AuditLog.append(
                on: sql, corpID: corpID, actor: actor, action: "api_key.create", target: keyID, detail: ["label": label, "scope": scope.rawValue], now: now
            )
            return Created(
                token: token,
                info: Info(corpID: corpID, keyID: keyID, label: label, scope: scope, createdAt: StoredTime.date(at), lastUsedAt: nil, revokedAt: nil)
            )
        }
    }

    /// The corp a presented key acts for, or nil when the key is unknown, revoked or malformed.
    public func authenticate(_ token: String) async throws -> Info? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "sk", token.utf8.count < 256 else { return nil }
        let corpID = String(parts[1])
        let keyID = String(parts[2])
        guard let row = try await database.read({ sql in
            try await sql.raw("""
                SELECT corp_id, key_id, secret_hash, label, scope, created_at, last_used_at, revoked_at FROM api_keys
                WHERE corp_id = \(bind: corpID) AND key_id = \(bind: keyID)
                """).first(decoding: Row.self)
        }) else { return nil }
        guard row.revokedAt == nil, ConstantTime.equal(Array(row.secretHash.utf8), Array(Self.hash(token).utf8)) else { return nil }
        return try row.info()
    }

    public func list(corpID: String) async throws -> [Info] {
        try await database.read { sql in
            try await sql.raw("""
                SELECT corp_id, key_id, secret_hash, label, scope, created_at, last_used_at, revoked_at FROM api_keys
                WHERE corp_id = \(bind: corpID) ORDER BY created_at, key_id
                """).all(decoding: Row.self).map { try $0.info() }
        }
    }

    /// Revokes a key; returns false when the corp has no such key.
    public func revoke(corpID: String, keyID: String, actor: String, now: Date) async throws -> Bool {
        try await database.write { sql in
            let rows = try await sql.raw("""
                UPDATE api_keys SET revoked_at = \(bind: StoredTime.millis(now))
                WHERE corp_id = \(bind: corpID) AND key_id = \(bind: keyID) AND revoked_at IS NULL
                RETURNING key_id
                """).all()
            if rows.isEmpty { return false }
            try await AuditLog.append(on: sql, corpID: corpID, actor: actor, action: "api_key.revoke", target: keyID, detail: [:], now: now)
            return true
        }
    }

    static func hash(_ token: String) -> String {
        Hex.encode(SHA256.hash(data: Data(token.utf8)))
    }

    static func randomHex(bytes: Int) -> String {
        Hex.random(bytes: bytes)
    }
}
