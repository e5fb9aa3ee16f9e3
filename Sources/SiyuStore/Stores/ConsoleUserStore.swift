import Foundation
import SQLKit
import SiyuCore

/// What a console user may do.
public enum ConsoleRole: String, Codable, Sendable, CaseIterable {
    /// Everything, in every corp.
    case admin
    /// The customer operations of one corp.
    case `operator`
    /// Only the customers one WeCom member follows, in one corp.
    case employee
}

/// A person who signs in to the console. The password is held only as a bcrypt hash.
public struct ConsoleUser: Sendable, Equatable {
    public var userID: String
    public var username: String
    public var passwordHash: String
    public var role: ConsoleRole
    /// The corp an operator or employee works for; nil for an admin.
    public var corpID: String?
    /// The WeCom member an employee is; nil otherwise.
    public var memberUserID: String?
    public var createdAt: Date
    public var disabledAt: Date?
}

/// A signed-in browser. Only the SHA-256 of the cookie's token is stored.
public struct ConsoleSession: Sendable, Equatable {
    public var sessionHash: String
    public var user: ConsoleUser
    /// The token every form and JSON call of this session must echo.
    public var csrfToken: String
    /// The corp an admin chose to work on (operators and employees have theirs fixed).
    public var actingCorpID: String?
    public var createdAt: Date
    public var expiresAt: Date
    public var lastSeenAt: Date
}

/// Console users, their sessions and failed sign-ins.
public struct ConsoleUserStore: Sendable {
    let database: SiyuDatabase

    private static let userColumns = "u.user_id, u.username, u.password_hash, u.role, u.corp_id, u.member_userid, u.created_at, u.disabled_at"

    /// Stores a user whose password is already hashed. Usernames are unique (a repeat is `.duplicate`).
    public func create(
        username: String, passwordHash: String, role: ConsoleRole, corpID: String?, memberUserID: String?, now: Date
    ) async throws -> ConsoleUser {
        let username = username.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...64).contains(username.count), !username.contains(where: \.isWhitespace) else {
            throw ValidationError(field: "username", message: "a username is 1 to 64 characters without spaces")
        }
        switch role {
        case .admin:
            guard corpID == nil, memberUserID == nil else { throw ValidationError(field: "role", message: "an admin belongs to no corp and is no member") }
        case .operator:
            guard corpID != nil else { throw ValidationError(field: "corp", message: "an operator needs a corp") }
            guard memberUserID == nil else { throw ValidationError(field: "member", message: "only an employee is linked to a member") }
        case .employee:
            guard corpID != nil else { throw ValidationError(field: "corp", message: "an employee needs a corp") }
            guard let member = memberUserID, !member.isEmpty else { throw ValidationError(field: "member", message: "an employee needs the userid of their WeCom member") }
        }
        let user = ConsoleUser(
            userID: "usr_" + Hex.random(bytes: 8), username: username, passwordHash: passwordHash, role: role, corpID: corpID,
            memberUserID: memberUserID, createdAt: StoredTime.date(StoredTime.millis(now)), disabledAt: nil
        )
        try await database.write { sql in
            if let corpID, try await sql.raw("SELECT corp_id FROM corps WHERE corp_id = \(bind: corpID)").first() == nil {
                throw StoreError(.notFound, "corp \(corpID) is not registered")
            }
            let inserted = try await sql.raw("""
                INSERT INTO console_users (user_id, username, password_hash, role, corp_id, member_userid, created_at)
                VALUES (\(bind: user.userID), \(bind: user.username), \(bind: passwordHash), \(bind: role.rawValue), \(bind: corpID),
                        \(bind: memberUserID), \(bind: StoredTime.millis(now)))
                ON CONFLICT (username) DO NOTHING
                RETURNING user_id
                """).all()
            guard !inserted.isEmpty else { throw StoreError(.duplicate, "a console user named \(username) already exists") }
            try await AuditLog.append(on: sql, corpID: corpID ?? "", actor: "system", action: "console_user.create", target: user.userID,
                                      detail: ["username": username, "role": role.rawValue], now: now)
        }
        return user
    }

    public func find(username: String) async throws -> ConsoleUser? {
        try await database.read { sql in
            try await sql.raw("SELECT \(unsafeRaw: Self.userColumns) FROM console_users u WHERE u.username = \(bind: username)").first().map(Self.user)
        }
    }

    /// Every user, by username.
    public func list() async throws -> [ConsoleUser] {
        try await database.read { sql in
            try await sql.raw("SELECT \(unsafeRaw: Self.userColumns) FROM console_users u ORDER BY u.username").all().map(Self.user)
        }
    }

    // MARK: Sessions

    /// Starts a session for a user (and audits the sign-in); `sessionHash` is the SHA-256 (hex) of the cookie's token.
    public func startSession(
        sessionHash: String, userID: String, csrfToken: String, actingCorpID: String?, lifetime: TimeInterval, now: Date
    ) async throws {
        let at = StoredTime.millis(now)
        try await database.write { sql in
            try await sql.raw("DELETE FROM console_sessions WHERE expires_at < \(bind: at)").run()
            try await sql.raw("""
                INSERT INTO console_sessions (session_hash, user_id, csrf_token, acting_corp_id, created_at, expires_at, last_seen_at)
                VALUES (\(bind: sessionHash), \(bind: userID), \(bind: csrfToken), \(bind: actingCorpID), \(bind: at),
                        \(bind: at + Int64(lifetime * 1000)), \(bind: at))
                """).run()
            let username = try await sql.raw("SELECT username FROM console_users WHERE user_id = \(bind: userID)").first()?
                .decode(column: "username", as: String.self) ?? userID
            try await AuditLog.append(on: sql, corpID: actingCorpID ?? "", actor: "console:\(username)", action: "console.sign_in",
                                      target: userID, detail: [:], now: now)
        }
    }

    /// The live session with this hash and its enabled user, or nil (unknown, expired, or the user is disabled).
    public func session(hash: String, now: Date) async throws -> ConsoleSession? {
        try await database.read { sql in
            guard let row = try await sql.raw("""
                SELECT s.session_hash, s.csrf_token, s.acting_corp_id, s.created_at AS session_created_at, s.expires_at, s.last_seen_at,
                    \(unsafeRaw: Self.userColumns)
                FROM console_sessions s JOIN console_users u ON u.user_id = s.user_id
                WHERE s.session_hash = \(bind: hash) AND s.expires_at > \(bind: StoredTime.millis(now)) AND u.disabled_at IS NULL
                """).first() else { return nil }
            return ConsoleSession(
                sessionHash: try row.decode(column: "session_hash", as: String.self), user: try Self.user(row),
                csrfToken: try row.decode(column: "csrf_token", as: String.self),
                actingCorpID: try row.decode(column: "acting_corp_id", as: String?.self),
                createdAt: StoredTime.date(try row.decode(column: "session_created_at", as: Int64.self)),
                expiresAt: StoredTime.date(try row.decode(column: "expires_at", as: Int64.self)),
                lastSeenAt: StoredTime.date(try row.decode(column: "last_seen_at", as: Int64.self))
            )
        }
    }

    /// Slides a session's expiry forward from `now`.
    public func touchSession(hash: String, lifetime: TimeInterval, now: Date) async throws {
        let at = StoredTime.millis(now)
        try await database.write { sql in
            try await sql.raw("""
                UPDATE console_sessions SET last_seen_at = \(bind: at), expires_at = \(bind: at + Int64(lifetime * 1000))
                WHERE session_hash = \(bind: hash)
                """).run()
        }
    }

    /// Remembers which corp an admin's session works on.
    public func setActingCorp(hash: String, corpID: String) async throws {
        try await database.write { sql in
            try await sql.raw("UPDATE console_sessions SET acting_corp_id = \(bind: corpID) WHERE session_hash = \(bind: hash)").run()
        }
    }

    public func endSession(hash: String) async throws {
        try await database.write { sql in
            try await sql.raw("DELETE FROM console_sessions WHERE session_hash = \(bind: hash)").run()
        }
    }

    // MARK: Throttling

    /// Records a failed sign-in for a username (known or not) from a client address ("unknown" when none).
    public func recordFailure(username: String, address: String, now: Date) async throws {
        try await database.write { sql in
            try await sql.raw("""
                INSERT INTO console_login_failures (username, address, at)
                VALUES (\(bind: username), \(bind: address), \(bind: StoredTime.millis(now)))
                """).run()
        }
    }

    /// Failed sign-ins for a username since `since`, from one address or (nil) from any.
    public func failures(username: String, address: String? = nil, since: Date) async throws -> Int {
        var query: SQLQueryString = "SELECT COUNT(*) AS n FROM console_login_failures WHERE username = \(bind: username) AND at >= \(bind: StoredTime.millis(since))"
        if let address { query += " AND address = \(bind: address)" }
        let final = query
        return try await database.read { sql in try await sql.raw(final).first()?.decode(column: "n", as: Int.self) ?? 0 }
    }

    /// Until when a sign-in as `username` from `address` is refused, or nil when it may go ahead:
    /// for each limit that is reached, the time its `maxFailures`-th newest failure leaves the window.
    public func signInRefusedUntil(username: String, address: String, limits: [SignInLimit], now: Date) async throws -> Date? {
        try await database.read { sql in try await Self.refusedUntil(on: sql, username: username, address: address, limits: limits, now: now) }
    }

    /// Starts a sign-in attempt: nil when it may go ahead, and then it is already counted as a
    /// failure (``clearFailures(username:address:before:)`` takes it back when the password is
    /// right); the time it is refused until otherwise. Checking and counting are one transaction, so
    /// guesses sent all at once cannot slip past the limit while each waits for its password check.
    public func beginSignIn(username: String, address: String, limits: [SignInLimit], now: Date) async throws -> Date? {
        try await database.write { sql in
            if let until = try await Self.refusedUntil(on: sql, username: username, address: address, limits: limits, now: now) { return until }
            try await sql.raw("""
                INSERT INTO console_login_failures (username, address, at)
                VALUES (\(bind: username), \(bind: address), \(bind: StoredTime.millis(now)))
                """).run()
            return nil
        }
    }

    private static func refusedUntil(on sql: any SQLDatabase, username: String, address: String, limits: [SignInLimit], now: Date) async throws -> Date? {
        var until: Int64?
        for limit in limits where limit.maxFailures > 0 {
            let windowMillis = Int64(limit.window * 1000)
            var query: SQLQueryString = "SELECT at FROM console_login_failures WHERE at >= \(bind: StoredTime.millis(now) - windowMillis)"
            switch limit.scope {
            case .usernameAtAddress: query += " AND username = \(bind: username) AND address = \(bind: address)"
            case .username: query += " AND username = \(bind: username)"
            case .address: query += " AND address = \(bind: address)"
            }
            query += " ORDER BY at DESC LIMIT \(literal: limit.maxFailures)"
            let times = try await sql.raw(query).all().map { try $0.decode(column: "at", as: Int64.self) }
            guard times.count >= limit.maxFailures, let oldest = times.last else { continue }
            until = max(until ?? 0, oldest + windowMillis)
        }
        return until.map(StoredTime.date)
    }

    /// Forgets a username's failures from one address (after it signed in from there) and any older than `before`.
    public func clearFailures(username: String, address: String, before: Date) async throws {
        try await database.write { sql in
            try await sql.raw("""
                DELETE FROM console_login_failures
                WHERE (username = \(bind: username) AND address = \(bind: address)) OR at < \(bind: StoredTime.millis(before))
                """).run()
        }
    }

    private static func user(_ row: any SQLRow) throws -> ConsoleUser {
        ConsoleUser(
            userID: try row.decode(column: "user_id", as: String.self), username: try row.decode(column: "username", as: String.self),
            passwordHash: try row.decode(column: "password_hash", as: String.self),
            role: try row.decodeStored(column: "role", as: ConsoleRole.self),
            corpID: try row.decode(column: "corp_id", as: String?.self), memberUserID: try row.decode(column: "member_userid", as: String?.self),
            createdAt: StoredTime.date(try row.decode(column: "created_at", as: Int64.self)),
            disabledAt: try row.decode(column: "disabled_at", as: Int64?.self).map(StoredTime.date)
        )
    }
}

/// A cap on failed console sign-ins: at most `maxFailures` within `window`, counted per `scope`.
public struct SignInLimit: Sendable, Equatable {
    public enum Scope: String, Sendable {
        /// One username from one client address.
        case usernameAtAddress
        /// Every username tried from one client address.
        case address
        /// One username from every address (a distributed guess).
        case username
    }

    public var scope: Scope
    public var maxFailures: Int
    public var window: TimeInterval

    public init(_ scope: Scope, maxFailures: Int, window: TimeInterval) {
        self.scope = scope
        self.maxFailures = maxFailures
        self.window = window
    }
}
