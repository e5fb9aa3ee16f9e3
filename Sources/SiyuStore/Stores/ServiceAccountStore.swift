import Foundation
import SQLKit
import SiyuCore

/// Service accounts (服务号) of the corps: credentials sealed with the master key, the callback
/// mode, key rotation with the previous key kept, reply rules and the menu.
public struct ServiceAccountStore: Sendable {
    let database: SiyuDatabase
    let box: SecretBox

    static let columns: SQLQueryString = """
        corp_id, app_id, name, mode, previous_aes_key_enc IS NOT NULL AS has_previous, key_rotated_at, api_base_url, created_at, updated_at
        """

    private struct Row: Decodable {
        var corpID: String
        var appID: String
        var name: String
        var mode: String
        var hasPrevious: Bool
        var keyRotatedAt: Int64?
        var apiBaseURL: String?
        var createdAt: Int64
        var updatedAt: Int64

        enum CodingKeys: String, CodingKey {
            case corpID = "corp_id", appID = "app_id", name, mode, hasPrevious = "has_previous", keyRotatedAt = "key_rotated_at"
            case apiBaseURL = "api_base_url", createdAt = "created_at", updatedAt = "updated_at"
        }

        var summary: ServiceAccountSummary {
            ServiceAccountSummary(
                corpID: corpID, appID: appID, name: name, mode: CallbackMode(rawValue: mode) ?? .secure, hasPreviousKey: hasPrevious,
                keyRotatedAt: keyRotatedAt.map(StoredTime.date), apiBaseURL: apiBaseURL,
                createdAt: StoredTime.date(createdAt), updatedAt: StoredTime.date(updatedAt)
            )
        }
    }

    private func seal(_ value: String?, column: String, appID: String) throws -> String? {
        try value.map { try box.seal($0, context: "service_accounts.\(column):\(appID)") }
    }

    private func open(_ value: String?, column: String, appID: String) throws -> String? {
        try value.map { try box.open($0, context: "service_accounts.\(column):\(appID)") }
    }

    /// Connects an account to a corp and audits it, in one transaction. An AppID already
    /// connected (to any corp) and an unknown corp are errors.
    public func register(_ registration: ServiceAccountRegistration, apiBaseURL: String? = nil, actor: String, now: Date) async throws -> ServiceAccountSummary {
        try registration.validate()
        if let apiBaseURL { try CorpSettings.validateAPIBaseURL(apiBaseURL, field: "api_base_url") }
        let appID = registration.appID
        let secret = try seal(registration.secret, column: "secret_enc", appID: appID)
        let token = try seal(registration.token, column: "token_enc", appID: appID)
        let key = try seal(registration.encodingAESKey, column: "aes_key_enc", appID: appID)
        let name = registration.name.trimmingCharacters(in: .whitespacesAndNewlines)
        let at = StoredTime.millis(now)
        return try await database.write { sql in
            guard try await sql.raw("SELECT corp_id FROM corps WHERE corp_id = \(bind: registration.corpID)").first() != nil else {
                throw StoreError(.notFound, "no corp \(registration.corpID); register it first (`siyu corp add`)")
            }
            let inserted = try await sql.raw("""
                INSERT INTO service_accounts (corp_id, app_id, name, mode, secret_enc, token_enc, aes_key_enc, api_base_url, created_at, updated_at)
                VALUES (\(bind: registration.corpID), \(bind: appID), \(bind: name), \(bind: registration.mode.rawValue), \(bind: secret), \(bind: token),
                        \(bind: key), \(bind: apiBaseURL), \(bind: at), \(bind: at))
                ON CONFLICT DO NOTHING
                RETURNING app_id
                """).all()
            guard !inserted.isEmpty else {
                throw StoreError(.duplicate, "the service account \(appID) is already connected; `siyu account list` shows it")
            }
            try await AuditLog.append(
                on: sql, corpID: registration.corpID, actor: actor, action: "service_account.register", target: appID,
                detail: ["name": name, "mode": registration.mode.rawValue], now: now
            )
            return ServiceAccountSummary(
                corpID: registration.corpID, appID: appID, name: name, mode: registration.mode, hasPreviousKey: false, keyRotatedAt: nil,
                apiBaseURL: apiBaseURL, createdAt: StoredTime.date(at), updatedAt: StoredTime.date(at)
            )
        }
    }

    /// The accounts of one corp, or of every corp when `corpID` is nil, by AppID.
    public func list(corpID: String?) async throws -> [ServiceAccountSummary] {
        try await database.read { sql in
            if let corpID {
                return try await sql.raw("SELECT \(Self.columns) FROM service_accounts WHERE corp_id = \(bind: corpID) ORDER BY app_id")
                    .all(decoding: Row.self).map(\.summary)
            }
            return try await sql.raw("SELECT \(Self.columns) FROM service_accounts ORDER BY corp_id, app_id").all(decoding: Row.self).map(\.summary)
        }
    }

    /// The account with this AppID, whichever corp it belongs to.
    public func find(appID: String) async throws -> ServiceAccountSummary? {
        try await database.read { sql in
            try await sql.raw("SELECT \(Self.columns) FROM service_accounts WHERE app_id = \(bind: appID)").first(decoding: Row.self)?.summary
        }
    }

    /// The decrypted secrets of an account, for the code that talks to the platform.
    public func secrets(appID: String) async throws -> ServiceAccountSecrets? {
        guard let row = try await database.read({ sql in
            try await sql.raw("SELECT secret_enc, token_enc, aes_key_enc, previous_aes_key_enc FROM service_accounts WHERE app_id = \(bind: appID)").first()
        }) else { return nil }
        return ServiceAccountSecrets(
            secret: try open(try row.decode(column: "secret_enc", as: String.self), column: "secret_enc", appID: appID) ?? "",
            token: try open(try row.decode(column: "token_enc", as: String.self), column: "token_enc", appID: appID) ?? "",
            encodingAESKey: try open(try row.decode(column: "aes_key_enc", as: String?.self), column: "aes_key_enc", appID: appID),
            previousAESKey: try open(try row.decode(column: "previous_aes_key_enc", as: String?.self), column: "previous_aes_key_enc", appID: appID)
        )
    }

    /// A change an admin makes to an account; nil leaves a value as it is.
    public struct Change: Sendable, Equatable {
        public var name: String?
        public var mode: CallbackMode?
        public var secret: String?
        public var token: String?
        /// `.some(nil)` goes back to the real platform.
        public var apiBaseURL: String??

        public init(name: String? = nil, mode: CallbackMode? = nil, secret: String? = nil, token: String? = nil, apiBaseURL: String?? = nil) {
            self.name = name
            self.mode = mode
            self.secret = secret
            self.token = token
            self.apiBaseURL = apiBaseURL
        }

        /// The names of what changes, for the audit log (never the values).
        var names: [String] {
            [name.map { _ in "name" }, mode.map { _ in "mode" }, secret.map { _ in "secret" }, token.map { _ in "token" }, apiBaseURL.map { _ in "api_base_url" }]
                .compactMap { $0 }
        }
    }

    /// Applies a change in one audited transaction; nil when there is no such account. A mode that
    /// encrypts needs a key: switching to it without one is refused.
    public func update(appID: String, _ change: Change, actor: String, now: Date) async throws -> ServiceAccountSummary? {
        if let name = change.name { try ServiceAccountRegistration.validateName(name) }
        if let secret = change.secret { try CorpRegistration.validateSecret(secret) }
        if let token = change.token { try ServiceAccountRegistration.validateToken(token) }
        if case let url?? = change.apiBaseURL { try CorpSettings.validateAPIBaseURL(url, field: "api_base_url") }
        let secret = try seal(change.secret, column: "secret_enc", appID: appID)
        let token = try seal(change.token, column: "token_enc", appID: appID)
        return try await database.write { sql in
            guard let row = try await sql.raw("SELECT corp_id, aes_key_enc FROM service_accounts WHERE app_id = \(bind: appID)").first() else { return nil }
            let corpID = try row.decode(column: "corp_id", as: String.self)
            if let mode = change.mode, mode.encrypts, try row.decode(column: "aes_key_enc", as: String?.self) == nil {
                throw ValidationError(field: "mode", message: "\(mode.rawValue) mode needs an EncodingAESKey; set one with rotate-key first")
            }
            let at = StoredTime.millis(now)
            if let name = change.name {
                try await sql.raw("UPDATE service_accounts SET name = \(bind: name.trimmingCharacters(in: .whitespacesAndNewlines)) WHERE app_id = \(bind: appID)").run()
            }
            if let mode = change.mode { try await sql.raw("UPDATE service_accounts SET mode = \(bind: mode.rawValue) WHERE app_id = \(bind: appID)").run() }
            if let secret { try await sql.raw("UPDATE service_accounts SET secret_enc = \(bind: secret) WHERE app_id = \(bind: appID)").run() }
            if let token { try await sql.raw("UPDATE service_accounts SET token_enc = \(bind: token) WHERE app_id = \(bind: appID)").run() }
            if let url = change.apiBaseURL { try await sql.raw("UPDATE service_accounts SET api_base_url = \(bind: url) WHERE app_id = \(bind: appID)").run() }
            try await sql.raw("UPDATE service_accounts SET updated_at = \(bind: at) WHERE app_id = \(bind: appID)").run()
            try await AuditLog.append(
                on: sql, corpID: corpID, actor: actor, action: "service_account.update", target: appID,
                detail: ["changed": change.names.joined(separator: ",")], now: now
            )
            return try await sql.raw("SELECT \(Self.columns) FROM service_accounts WHERE app_id = \(bind: appID)").first(decoding: Row.self)?.summary
        }
    }

    /// Replaces the EncodingAESKey; the key it replaces stays accepted for decryption until the
    /// next rotation, so pushes encrypted before the platform switched still decrypt.
    public func rotateKey(appID: String, to key: String, actor: String, now: Date) async throws -> ServiceAccountSummary? {
        try CorpRegistration.validateEncodingAESKey(key)
        let sealed = try seal(key, column: "aes_key_enc", appID: appID)
        return try await database.write { sql in
            guard let row = try await sql.raw("SELECT corp_id, aes_key_enc FROM service_accounts WHERE app_id = \(bind: appID)").first() else { return nil }
            let corpID = try row.decode(column: "corp_id", as: String.self)
            // The previous key is sealed under its own column's context.
            let previous = try open(try row.decode(column: "aes_key_enc", as: String?.self), column: "aes_key_enc", appID: appID)
            let previousSealed = try seal(previous, column: "previous_aes_key_enc", appID: appID)
            let at = StoredTime.millis(now)
            try await sql.raw("""
                UPDATE service_accounts SET aes_key_enc = \(bind: sealed), previous_aes_key_enc = \(bind: previousSealed),
                    key_rotated_at = \(bind: at), updated_at = \(bind: at)
                WHERE app_id = \(bind: appID)
                """).run()
            try await AuditLog.append(on: sql, corpID: corpID, actor: actor, action: "service_account.rotate_key", target: appID, detail: [:], now: now)
            return try await sql.raw("SELECT \(Self.columns) FROM service_accounts WHERE app_id = \(bind: appID)").first(decoding: Row.self)?.summary
        }
    }

    /// The account's reply rules; an account that never saved any has none.
    public func replies(appID: String) async throws -> ReplyRulesDocument? {
        guard let text = try await database.read({ sql in
            try await sql.raw("SELECT replies FROM service_accounts WHERE app_id = \(bind: appID)").first()?.decode(column: "replies", as: String.self)
        }) else { return nil }
        return try JSONDecoder().decode(ReplyRulesDocument.self, from: Data(text.utf8))
    }

    /// Replaces the reply rules (validated) and audits it; false when there is no such account.
    public func setReplies(appID: String, _ document: ReplyRulesDocument, actor: String, now: Date) async throws -> Bool {
        if let problem = document.problems().first { throw problem }
        let text = String(decoding: try JSONEncoder.sorted.encode(document), as: UTF8.self)
        return try await database.write { sql in
            let rows = try await sql.raw("""
                UPDATE service_accounts SET replies = \(bind: text), updated_at = \(bind: StoredTime.millis(now)) WHERE app_id = \(bind: appID) RETURNING corp_id
                """).all()
            guard let corpID = try rows.first?.decode(column: "corp_id", as: String.self) else { return false }
            try await AuditLog.append(
                on: sql, corpID: corpID, actor: actor, action: "service_account.replies", target: appID,
                detail: ["rules": String(document.rules.count)], now: now
            )
            return true
        }
    }

    /// The menu last published, and when.
    public func menu(appID: String) async throws -> (menu: AccountMenu, publishedAt: Date?)? {
        guard let row = try await database.read({ sql in
            try await sql.raw("SELECT menu, menu_published_at FROM service_accounts WHERE app_id = \(bind: appID)").first()
        }), let text = try row.decode(column: "menu", as: String?.self) else { return nil }
        return (try JSONDecoder().decode(AccountMenu.self, from: Data(text.utf8)), try row.decode(column: "menu_published_at", as: Int64?.self).map(StoredTime.date))
    }

    /// Records the menu the platform accepted, and audits it; false when there is no such account.
    public func setMenu(appID: String, _ menu: AccountMenu, actor: String, now: Date) async throws -> Bool {
        let text = String(decoding: try JSONEncoder.sorted.encode(menu), as: UTF8.self)
        let at = StoredTime.millis(now)
        return try await database.write { sql in
            let rows = try await sql.raw("""
                UPDATE service_accounts SET menu = \(bind: text), menu_published_at = \(bind: at), updated_at = \(bind: at)
                WHERE app_id = \(bind: appID) RETURNING corp_id
                """).all()
            guard let corpID = try rows.first?.decode(column: "corp_id", as: String.self) else { return false }
            try await AuditLog.append(
                on: sql, corpID: corpID, actor: actor, action: "service_account.menu", target: appID, detail: ["buttons": String(menu.buttons.count)], now: now
            )
            return true
        }
    }
}
