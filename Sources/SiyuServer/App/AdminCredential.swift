import Crypto
import Foundation
import SiyuCore
import SiyuStore

/// The admin bearer token, held only as its SHA-256.
public struct AdminCredential: Sendable {
    let hash: [UInt8]

    public init(token: String) {
        self.hash = Array(SHA256.hash(data: Data(token.utf8)))
    }

    init(hashHex: String) {
        var bytes: [UInt8] = []
        var index = hashHex.startIndex
        while index < hashHex.endIndex, let next = hashHex.index(index, offsetBy: 2, limitedBy: hashHex.endIndex) {
            bytes.append(UInt8(hashHex[index..<next], radix: 16) ?? 0)
            index = next
        }
        self.hash = bytes
    }

    func matches(_ token: String) -> Bool {
        ConstantTime.equal(Array(SHA256.hash(data: Data(token.utf8))), hash)
    }

    public struct Resolved: Sendable {
        public var credential: AdminCredential
        /// A token generated now: shown once, never again.
        public var generatedToken: String?
    }

    /// `SIYU_ADMIN_TOKEN` wins. Otherwise the hash stored at first start is used; when there is
    /// none, development generates a token (returned once to print), production refuses.
    public static func resolve(environmentValue: String?, production: Bool, store: SiyuStore) async throws -> Resolved {
        if let token = environmentValue, !token.isEmpty {
            guard token.utf8.count >= 16 else {
                throw ConfigurationError("SIYU_ADMIN_TOKEN must be at least 16 characters")
            }
            return Resolved(credential: AdminCredential(token: token), generatedToken: nil)
        }
        if let stored = try await store.system.value(named: SystemSettings.adminTokenHash) {
            return Resolved(credential: AdminCredential(hashHex: stored), generatedToken: nil)
        }
        if production {
            throw ConfigurationError("--production needs SIYU_ADMIN_TOKEN (at least 16 characters; e.g. openssl rand -hex 24)")
        }
        let token = "adm." + Hex.random(bytes: 24)
        let credential = AdminCredential(token: token)
        let hex = Hex.encode(credential.hash)
        if try await store.system.setIfAbsent(SystemSettings.adminTokenHash, to: hex, now: Date()) {  // installation bookkeeping at start-up
            return Resolved(credential: credential, generatedToken: token)
        }
        // Another process stored one first: use that one.
        let stored = try await store.system.value(named: SystemSettings.adminTokenHash) ?? hex
        return Resolved(credential: AdminCredential(hashHex: stored), generatedToken: nil)
    }
}
