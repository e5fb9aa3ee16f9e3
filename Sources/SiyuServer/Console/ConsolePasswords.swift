import Crypto
import Foundation
import HummingbirdBcrypt
import SiyuCore
import SiyuStore

/// bcrypt for console passwords, and the random tokens of sessions and CSRF.
enum ConsolePasswords {
    static let minimumLength = 8

    static func hash(_ password: String, cost: UInt8) throws -> String {
        guard password.count >= minimumLength else {
            throw ValidationError(field: "password", message: "a password is at least \(minimumLength) characters")
        }
        guard password.utf8.count <= 72 else {
            throw ValidationError(field: "password", message: "bcrypt reads at most 72 bytes of a password")
        }
        return Bcrypt.hash(password, cost: cost)
    }

    static func verify(_ password: String, hash: String) -> Bool {
        Bcrypt.verify(password, hash: hash)
    }

    /// A hash to check against when the username is unknown, so both answers take as long.
    static let decoy = Bcrypt.hash("siyu-decoy-password", cost: 10)

    /// 256 random bits as hex: a session cookie's token.
    static func newToken() -> String { Hex.random(bytes: 32) }

    /// What the database keeps of a session token.
    static func tokenHash(_ token: String) -> String { Hex.encode(SHA256.hash(data: Data(token.utf8))) }
}

extension ConsoleUserStore {
    /// Creates a console user with a bcrypt hash of `password` (at least 8 characters).
    ///
    /// An admin has no corp; an operator needs `corpID`; an employee needs `corpID` and the
    /// WeCom `memberUserID` whose customers they see. `bcryptCost` is 10 unless a test wants speed.
    @discardableResult
    public func createUser(
        username: String, password: String, role: ConsoleRole, corpID: String? = nil, memberUserID: String? = nil, bcryptCost: UInt8 = 10, now: Date
    ) async throws -> ConsoleUser {
        let hash = try ConsolePasswords.hash(password, cost: bcryptCost)
        return try await create(username: username, passwordHash: hash, role: role, corpID: corpID, memberUserID: memberUserID, now: now)
    }
}
