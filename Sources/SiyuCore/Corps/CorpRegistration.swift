import Foundation

/// What an operator supplies to register an enterprise (a WeCom corp) with Siyu.
///
/// Validation follows the platform's own formats so that a typo is caught here,
/// not hours later when the first callback fails to decrypt.
public struct CorpRegistration: Sendable, Equatable {
    public var corpID: String
    public var name: String
    /// The app secret used for `gettoken` (customer-contact APIs need a self-built app's secret).
    public var secret: String
    /// The callback token used in `msg_signature`.
    public var callbackToken: String
    /// The 43-character EncodingAESKey of the callback configuration.
    public var encodingAESKey: String

    public init(corpID: String, name: String, secret: String, callbackToken: String, encodingAESKey: String) {
        self.corpID = corpID
        self.name = name
        self.secret = secret
        self.callbackToken = callbackToken
        self.encodingAESKey = encodingAESKey
    }

    /// Checks every field and returns the first problem found, naming the field.
    public func validate() throws(ValidationError) {
        try Self.validateCorpID(corpID)
        let trimmedName = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmedName.isEmpty, trimmedName.count <= 128 else {
            throw ValidationError(field: "name", message: "name must be 1 to 128 characters")
        }
        try Self.validateSecret(secret)
        try Self.validateCallbackToken(callbackToken)
        try Self.validateEncodingAESKey(encodingAESKey)
    }

    /// An app secret: 1 to 256 printable ASCII characters.
    public static func validateSecret(_ secret: String) throws(ValidationError) {
        guard (1...256).contains(secret.utf8.count), secret.utf8.allSatisfy({ (0x21..<0x7F).contains($0) }) else {
            throw ValidationError(field: "secret", message: "secret must be 1 to 256 printable ASCII characters")
        }
    }

    /// A callback token: 1 to 32 letters or digits.
    public static func validateCallbackToken(_ token: String) throws(ValidationError) {
        guard (1...32).contains(token.utf8.count), token.allSatisfy(Self.isAlphanumeric) else {
            throw ValidationError(field: "token", message: "callback token must be 1 to 32 letters or digits")
        }
    }

    /// A corp id is what WeCom shows as 企业ID (`ww…`, or `wx…` for older corps): letters and digits.
    public static func validateCorpID(_ corpID: String) throws(ValidationError) {
        guard (2...64).contains(corpID.utf8.count), corpID.allSatisfy(isAlphanumeric) else {
            throw ValidationError(field: "corp_id", message: "corp id must be 2 to 64 letters or digits, as shown in the WeCom admin console (e.g. ww1234abcd)")
        }
    }

    /// An EncodingAESKey is 43 base64 characters that decode (with a trailing `=`) to 32 bytes.
    public static func validateEncodingAESKey(_ key: String) throws(ValidationError) {
        guard key.utf8.count == 43, Data(base64Encoded: key + "=")?.count == 32 else {
            throw ValidationError(field: "aes_key", message: "EncodingAESKey must be the 43 characters shown in the WeCom callback settings")
        }
    }

    static func isAlphanumeric(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber)
    }
}

/// A corp as listed to operators: never carries its secrets.
public struct CorpSummary: Sendable, Equatable, Codable {
    public var corpID: String
    public var name: String
    public var settings: CorpSettings
    public var createdAt: Date
    public var updatedAt: Date

    public init(corpID: String, name: String, settings: CorpSettings, createdAt: Date, updatedAt: Date) {
        self.corpID = corpID
        self.name = name
        self.settings = settings
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// New credentials for a registered corp; nil leaves one as it is. Admin only.
public struct CorpCredentialChange: Sendable, Equatable {
    public var secret: String?
    public var callbackToken: String?
    public var encodingAESKey: String?

    public init(secret: String? = nil, callbackToken: String? = nil, encodingAESKey: String? = nil) {
        self.secret = secret
        self.callbackToken = callbackToken
        self.encodingAESKey = encodingAESKey
    }

    public var isEmpty: Bool { secret == nil && callbackToken == nil && encodingAESKey == nil }

    /// The names of the credentials this change replaces, for the audit log (never the values).
    public var names: [String] {
        [secret.map { _ in "secret" }, callbackToken.map { _ in "token" }, encodingAESKey.map { _ in "aes_key" }].compactMap { $0 }
    }

    public func validate() throws(ValidationError) {
        if let secret { try CorpRegistration.validateSecret(secret) }
        if let callbackToken { try CorpRegistration.validateCallbackToken(callbackToken) }
        if let encodingAESKey { try CorpRegistration.validateEncodingAESKey(encodingAESKey) }
    }
}

/// The secrets of a corp, decrypted, for the code that talks to WeCom.
public struct CorpSecrets: Sendable, Equatable {
    public var secret: String
    public var callbackToken: String
    public var encodingAESKey: String

    public init(secret: String, callbackToken: String, encodingAESKey: String) {
        self.secret = secret
        self.callbackToken = callbackToken
        self.encodingAESKey = encodingAESKey
    }
}
