import Crypto
import CryptoExtras
import Foundation

/// WeCom / Official Account callback crypto (WXBizMsgCrypt): signatures, URL verification,
/// event decryption and reply encryption.
///
/// AES-256-CBC with IV = the first 16 key bytes, PKCS#7 padding to **32-byte** blocks (the
/// platform's, not the library's), plaintext `random(16) ‖ len(4, big-endian) ‖ msg ‖ receiveid`.
public struct CallbackCrypto: Sendable {
    public let token: String
    /// CorpID for self-built apps, AppId for Official Accounts. Empty skips the check.
    public let receiveID: String
    private let key: SymmetricKey
    private let iv: AES._CBC.IV

    static let blockSize = 32

    /// - Throws: `invalidAESKey` unless `encodingAESKey` is 43 base64 characters that decode to 32 bytes.
    public init(token: String, encodingAESKey: String, receiveID: String) throws(WeComCryptoError) {
        guard encodingAESKey.utf8.count == 43, let raw = Data(base64Encoded: encodingAESKey + "="), raw.count == 32 else {
            throw WeComCryptoError(.invalidAESKey, "EncodingAESKey must be 43 base64 characters decoding to 32 bytes")
        }
        self.token = token
        self.receiveID = receiveID
        self.key = SymmetricKey(data: raw)
        do {
            self.iv = try AES._CBC.IV(ivBytes: raw.prefix(16))
        } catch {
            throw WeComCryptoError(.invalidAESKey, "cannot derive the IV from the key")
        }
    }

    // MARK: Signatures

    /// `hex(SHA1(concat(sorted([token, timestamp, nonce, encrypted]))))`.
    public func signature(timestamp: String, nonce: String, encrypted: String) -> String {
        Self.sha1Signature([token, timestamp, nonce, encrypted])
    }

    /// The plain-mode Official Account signature: `hex(SHA1(concat(sorted([token, timestamp, nonce]))))`.
    public static func plainSignature(token: String, timestamp: String, nonce: String) -> String {
        sha1Signature([token, timestamp, nonce])
    }

    static func sha1Signature(_ parts: [String]) -> String {
        var hasher = Insecure.SHA1()
        for part in parts.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            hasher.update(data: Data(part.utf8))
        }
        return lowercaseHex(hasher.finalize())
    }

    /// Checks `msg_signature` in constant time.
    public func verify(signature: String, timestamp: String, nonce: String, encrypted: String) throws(WeComCryptoError) {
        let expected = self.signature(timestamp: timestamp, nonce: nonce, encrypted: encrypted)
        guard Self.constantTimeEqual(expected, signature.lowercased()) else {
            throw WeComCryptoError(.invalidSignature, "msg_signature does not match; check the callback token")
        }
    }

    // MARK: Callbacks

    /// URL verification (GET): verify the signature over `echostr`, decrypt it, return the plaintext
    /// to send back as the body. Query values must already be URL-decoded.
    public func verifyURL(signature: String, timestamp: String, nonce: String, echoStr: String) throws(WeComCryptoError) -> String {
        try verify(signature: signature, timestamp: timestamp, nonce: nonce, encrypted: echoStr)
        return try decrypt(echoStr).message
    }

    /// Event delivery (POST): verify the signature over the `Encrypt` text and decrypt it.
    public func decryptMessage(signature: String, timestamp: String, nonce: String, encrypted: String) throws(WeComCryptoError) -> String {
        try verify(signature: signature, timestamp: timestamp, nonce: nonce, encrypted: encrypted)
        return try decrypt(encrypted).message
    }

    /// A decrypted payload with the parts the platform put around the message.
    public struct Decrypted: Sendable, Equatable {
        public var random: [UInt8]
        public var message: String
        public var receiveID: String
    }

    /// Decrypts base64 ciphertext and checks padding, length and receive id. No signature check.
    public func decrypt(_ base64: String) throws(WeComCryptoError) -> Decrypted {
        guard let ciphertext = Data(base64Encoded: base64) else {
            throw WeComCryptoError(.decodeBase64, "the ciphertext is not base64")
        }
        guard !ciphertext.isEmpty, ciphertext.count % 16 == 0 else {
            throw WeComCryptoError(.invalidBuffer, "the ciphertext is \(ciphertext.count) bytes, not a whole number of AES blocks")
        }
        let plain: [UInt8]
        do {
            plain = Array(try AES._CBC.decrypt(ciphertext, using: key, iv: iv, noPadding: true))
        } catch {
            throw WeComCryptoError(.decrypt, "AES-CBC decryption failed")
        }
        let pad = Int(plain[plain.count - 1])
        guard (1...Self.blockSize).contains(pad), pad <= plain.count,
              plain[(plain.count - pad)...].allSatisfy({ Int($0) == pad })
        else {
            throw WeComCryptoError(.invalidBuffer, "bad padding: the key is probably wrong")
        }
        let content = plain[..<(plain.count - pad)]
        guard content.count >= 20 else {
            throw WeComCryptoError(.invalidBuffer, "the plaintext is too short")
        }
        let start = content.startIndex
        let length = content[(start + 16)..<(start + 20)].reduce(0) { $0 << 8 | Int($1) }
        guard length <= content.count - 20 else {
            throw WeComCryptoError(.invalidBuffer, "the message length \(length) exceeds the plaintext")
        }
        let messageBytes = content[(start + 20)..<(start + 20 + length)]
        let receiveBytes = content[(start + 20 + length)...]
        guard let message = String(validating: messageBytes, as: UTF8.self),
              let receive = String(validating: receiveBytes, as: UTF8.self)
        else {
            throw WeComCryptoError(.invalidBuffer, "the plaintext is not UTF-8")
        }
        if !receiveID.isEmpty, receive != receiveID {
            throw WeComCryptoError(.receiveIDMismatch, "the message is for '\(receive)', not '\(receiveID)'")
        }
        return Decrypted(random: Array(content[start..<(start + 16)]), message: message, receiveID: receive)
    }

    /// Encrypts `message` to base64. `random` (16 bytes) is fresh unless given, for test vectors.
    public func encrypt(_ message: String, random: [UInt8]? = nil) throws(WeComCryptoError) -> String {
        let prefix = random ?? (0..<16).map { _ in UInt8.random(in: 0...255) }
        guard prefix.count == 16 else {
            throw WeComCryptoError(.encrypt, "the random prefix must be 16 bytes")
        }
        let body = Array(message.utf8)
        var plain = prefix
        plain.reserveCapacity(20 + body.count + receiveID.utf8.count + Self.blockSize)
        let length = UInt32(body.count)
        plain += [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
        plain += body
        plain += Array(receiveID.utf8)
        let pad = Self.blockSize - plain.count % Self.blockSize
        plain += [UInt8](repeating: UInt8(pad), count: pad)
        do {
            return try AES._CBC.encrypt(plain, using: key, iv: iv, noPadding: true).base64EncodedString()
        } catch {
            throw WeComCryptoError(.encrypt, "AES-CBC encryption failed")
        }
    }

    /// The parts of an encrypted passive reply.
    public struct EncryptedReply: Sendable, Equatable {
        public var encrypt: String
        public var signature: String
        public var timestamp: String
        public var nonce: String
    }

    /// Encrypts a reply message and signs it.
    public func encryptReply(_ message: String, timestamp: String, nonce: String, random: [UInt8]? = nil) throws(WeComCryptoError) -> EncryptedReply {
        let encrypted = try encrypt(message, random: random)
        return EncryptedReply(
            encrypt: encrypted, signature: signature(timestamp: timestamp, nonce: nonce, encrypted: encrypted),
            timestamp: timestamp, nonce: nonce
        )
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<x.count { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}

/// Lowercase hex without `String(format:)`; the WeCom SDK stands alone, so it keeps its own.
func lowercaseHex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(40)
    for byte in bytes {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: out, as: UTF8.self)
}
