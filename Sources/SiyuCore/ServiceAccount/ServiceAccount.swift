import Foundation

/// How an Official Account's server configuration (服务器配置) protects its pushes. The account
/// is configured with one; a push in a weaker mode than configured is refused, so nobody who
/// knows only the token can downgrade a secure account to plain.
public enum CallbackMode: String, Sendable, Codable, CaseIterable, Comparable {
    /// 明文模式: plain XML, `signature` only.
    case plain
    /// 兼容模式: the plain fields and `Encrypt` side by side.
    case compatible
    /// 安全模式: only `ToUserName` and `Encrypt`; replies must be encrypted.
    case secure

    var strength: Int {
        switch self {
        case .plain: 0
        case .compatible: 1
        case .secure: 2
        }
    }

    public static func < (lhs: CallbackMode, rhs: CallbackMode) -> Bool { lhs.strength < rhs.strength }

    /// Whether the account decrypts pushes and needs an EncodingAESKey.
    public var encrypts: Bool { self != .plain }
}

/// What an operator supplies to connect a service account (服务号) to a corp.
public struct ServiceAccountRegistration: Sendable, Equatable {
    public var corpID: String
    public var appID: String
    public var name: String
    /// The AppSecret, for `stable_token`.
    public var secret: String
    /// The server configuration's Token, for `signature` and `msg_signature`.
    public var token: String
    /// The 43-character EncodingAESKey; required unless the mode is plain.
    public var encodingAESKey: String?
    public var mode: CallbackMode

    public init(corpID: String, appID: String, name: String, secret: String, token: String, encodingAESKey: String?, mode: CallbackMode) {
        self.corpID = corpID
        self.appID = appID
        self.name = name
        self.secret = secret
        self.token = token
        self.encodingAESKey = encodingAESKey
        self.mode = mode
    }

    public func validate() throws(ValidationError) {
        try CorpRegistration.validateCorpID(corpID)
        try Self.validateAppID(appID)
        try Self.validateName(name)
        try CorpRegistration.validateSecret(secret)
        try Self.validateToken(token)
        try Self.validateKey(encodingAESKey, mode: mode)
    }

    /// An AppID as the platform issues it: `wx` and 16 letters or digits.
    public static func validateAppID(_ appID: String) throws(ValidationError) {
        guard appID.utf8.count == 18, appID.hasPrefix("wx"), appID.allSatisfy(CorpRegistration.isAlphanumeric) else {
            throw ValidationError(field: "app_id", message: "an AppID is wx followed by 16 letters or digits, as shown under 设置与开发 › 基本配置")
        }
    }

    public static func validateName(_ name: String) throws(ValidationError) {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 64, !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw ValidationError(field: "name", message: "the account name is 1 to 64 characters, without control characters")
        }
    }

    /// The server configuration's Token: 3 to 32 letters or digits.
    public static func validateToken(_ token: String) throws(ValidationError) {
        guard (3...32).contains(token.utf8.count), token.allSatisfy(CorpRegistration.isAlphanumeric) else {
            throw ValidationError(field: "token", message: "the Token is 3 to 32 letters or digits")
        }
    }

    /// An encrypting mode needs a key; a key given in plain mode must still be a valid one.
    public static func validateKey(_ key: String?, mode: CallbackMode) throws(ValidationError) {
        if let key {
            try CorpRegistration.validateEncodingAESKey(key)
        } else if mode.encrypts {
            throw ValidationError(field: "aes_key", message: "\(mode.rawValue) mode needs the account's EncodingAESKey")
        }
    }
}

/// A service account as listed: never carries its secrets.
public struct ServiceAccountSummary: Sendable, Equatable, Codable {
    public var corpID: String
    public var appID: String
    public var name: String
    public var mode: CallbackMode
    /// Whether a previous EncodingAESKey is still accepted for decryption (after a rotation).
    public var hasPreviousKey: Bool
    /// When the EncodingAESKey was last rotated.
    public var keyRotatedAt: Date?
    /// Where the account's API calls go: nil means the real platform (a sandbox sets it).
    public var apiBaseURL: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(corpID: String, appID: String, name: String, mode: CallbackMode, hasPreviousKey: Bool, keyRotatedAt: Date?, apiBaseURL: String?, createdAt: Date, updatedAt: Date) {
        self.corpID = corpID
        self.appID = appID
        self.name = name
        self.mode = mode
        self.hasPreviousKey = hasPreviousKey
        self.keyRotatedAt = keyRotatedAt
        self.apiBaseURL = apiBaseURL
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case corpID = "corp_id", appID = "app_id", name, mode, hasPreviousKey = "has_previous_key", keyRotatedAt = "key_rotated_at"
        case apiBaseURL = "api_base_url", createdAt = "created_at", updatedAt = "updated_at"
    }
}

/// The secrets of a service account, decrypted, for the code that talks to the platform.
public struct ServiceAccountSecrets: Sendable, Equatable {
    public var secret: String
    public var token: String
    public var encodingAESKey: String?
    /// The key before the last rotation, tried when the current one does not decrypt.
    public var previousAESKey: String?

    public init(secret: String, token: String, encodingAESKey: String?, previousAESKey: String?) {
        self.secret = secret
        self.token = token
        self.encodingAESKey = encodingAESKey
        self.previousAESKey = previousAESKey
    }
}
