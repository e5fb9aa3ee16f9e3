import Crypto
import Foundation
import SiyuCore

/// Encrypts tenant secrets at rest with AES-256-GCM under the master key.
///
/// A sealed value is `v1:` followed by base64 of nonce ‖ ciphertext ‖ tag; the version
/// prefix leaves room for key rotation. The column name is bound in as authenticated data,
/// so a ciphertext copied into another column does not decrypt.
public struct SecretBox: Sendable {
    private let key: SymmetricKey

    public init(masterKey: MasterKey) {
        self.key = masterKey.symmetricKey
    }

    public func seal(_ plaintext: String, context: String) throws -> String {
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: key, authenticating: Data(context.utf8))
        guard let combined = box.combined else {
            throw StoreError(.corruptSecret, "AES-GCM produced no combined box")
        }
        return "v1:" + combined.base64EncodedString()
    }

    public func open(_ sealed: String, context: String) throws -> String {
        guard sealed.hasPrefix("v1:"), let combined = Data(base64Encoded: String(sealed.dropFirst(3))) else {
            throw StoreError(.corruptSecret, "a stored secret (\(context)) is not in the v1 format")
        }
        do {
            let box = try AES.GCM.SealedBox(combined: combined)
            let plaintext = try AES.GCM.open(box, using: key, authenticating: Data(context.utf8))
            guard let text = String(data: plaintext, encoding: .utf8) else {
                throw StoreError(.corruptSecret, "a stored secret (\(context)) is not UTF-8")
            }
            return text
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.masterKeyMismatch, "a stored secret (\(context)) does not decrypt with this SIYU_MASTER_KEY; use the key the database was created with")
        }
    }
}

/// The 32-byte key that protects secrets at rest.
public struct MasterKey: Sendable {
    let symmetricKey: SymmetricKey

    /// Reads a key written as 64 hex characters or as base64 of 32 bytes.
    public init(parsing text: String) throws(StoreError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if let bytes = Self.hexBytes(trimmed), bytes.count == 32 {
            symmetricKey = SymmetricKey(data: bytes)
        } else if let data = Data(base64Encoded: trimmed), data.count == 32 {
            symmetricKey = SymmetricKey(data: data)
        } else {
            throw StoreError(.masterKeyMalformed, "SIYU_MASTER_KEY must be 32 bytes written as 64 hex characters or as base64 (generate one with: openssl rand -hex 32)")
        }
    }

    /// A fresh random key.
    public static func generate() -> MasterKey {
        MasterKey(symmetricKey: SymmetricKey(size: .bits256))
    }

    private init(symmetricKey: SymmetricKey) {
        self.symmetricKey = symmetricKey
    }

    /// The key as 64 hex characters, for writing to the development key file.
    public var hexString: String {
        symmetricKey.withUnsafeBytes { Hex.encode($0) }
    }

    private static func hexBytes(_ text: String) -> [UInt8]? {
        guard text.utf8.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count / 2)
        var iterator = text.utf8.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            guard let h = hexValue(high), let l = hexValue(low) else { return nil }
            bytes.append(h << 4 | l)
        }
        return bytes
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

/// Where the master key comes from: the environment, or a development key file.
public enum MasterKeySource {
    public static let fileName = "siyu.master.key"

    public struct Resolved: Sendable {
        public var key: MasterKey
        /// Set when a development key file was created now (the caller logs it).
        public var generatedFile: String?
    }

    /// `SIYU_MASTER_KEY` wins. Without it, production refuses to start; development reads
    /// or creates `siyu.master.key` (mode 0600) in `directory`.
    public static func resolve(environmentValue: String?, production: Bool, directory: String) throws -> Resolved {
        if let value = environmentValue, !value.isEmpty {
            return Resolved(key: try MasterKey(parsing: value), generatedFile: nil)
        }
        if production {
            throw StoreError(.masterKeyMissing, "--production needs SIYU_MASTER_KEY (32 bytes as 64 hex characters; generate one with: openssl rand -hex 32)")
        }
        let path = (directory as NSString).appendingPathComponent(fileName)
        if let existing = try? String(contentsOfFile: path, encoding: .utf8) {
            do {
                return Resolved(key: try MasterKey(parsing: existing), generatedFile: nil)
            } catch {
                throw StoreError(.masterKeyMalformed, "\(path) does not hold a valid master key; restore it, or set SIYU_MASTER_KEY")
            }
        }
        let key = MasterKey.generate()
        let created = FileManager.default.createFile(
            atPath: path, contents: Data((key.hexString + "\n").utf8), attributes: [.posixPermissions: 0o600]
        )
        guard created else {
            throw StoreError(.io, "cannot write the development master key to \(path); make the folder writable or set SIYU_MASTER_KEY")
        }
        return Resolved(key: key, generatedFile: path)
    }
}
