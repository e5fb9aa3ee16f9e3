import Foundation
import WeCom

/// An Official Account (服务号) as registered in the sandbox: what its console would show.
public struct OfficialAccountConfig: Codable, Sendable, Equatable {
    /// The console's message crypto mode (明文 / 兼容 / 安全).
    public enum Mode: String, Codable, Sendable, CaseIterable {
        case plain, compatible, secure
    }

    /// `wx…`, the AppID; also the receive id inside encrypted payloads.
    public var appID: String
    public var secret: String
    /// `gh_…`: `ToUserName` of every push.
    public var originalID: String
    /// The server-configuration token (signatures).
    public var token: String
    /// The EncodingAESKey (43 characters); required in compatible and secure mode.
    public var encodingAESKey: String?
    public var mode: Mode
    public var callbackURL: String?

    public init(
        appID: String, secret: String, originalID: String, token: String, encodingAESKey: String? = nil,
        mode: Mode = .plain, callbackURL: String? = nil
    ) {
        self.appID = appID
        self.secret = secret
        self.originalID = originalID
        self.token = token
        self.encodingAESKey = encodingAESKey
        self.mode = mode
        self.callbackURL = callbackURL
    }

    enum CodingKeys: String, CodingKey {
        case appID = "app_id", secret, originalID = "original_id", token, encodingAESKey = "aes_key", mode, callbackURL = "callback_url"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        appID = try container.decode(String.self, forKey: .appID)
        secret = try container.decode(String.self, forKey: .secret)
        originalID = try container.decode(String.self, forKey: .originalID)
        token = try container.decode(String.self, forKey: .token)
        encodingAESKey = try container.decodeIfPresent(String.self, forKey: .encodingAESKey)
        mode = try container.decodeIfPresent(Mode.self, forKey: .mode) ?? .plain
        callbackURL = try container.decodeIfPresent(String.self, forKey: .callbackURL)
    }

    /// Refuses what the console would: empty ids, or an encrypted mode without a usable key.
    func validated() throws(SandboxError) -> OfficialAccountConfig {
        guard !appID.isEmpty, !secret.isEmpty, !originalID.isEmpty, !token.isEmpty else {
            throw SandboxError(40035, "invalid args, hint: [sandbox] app_id, secret, original_id and token are required")
        }
        if let key = encodingAESKey {
            do {
                _ = try CallbackCrypto(token: token, encodingAESKey: key, receiveID: appID)
            } catch {
                throw SandboxError(40035, "invalid args, hint: [sandbox] aes_key must be 43 base64 characters")
            }
        } else if mode != .plain {
            throw SandboxError(40035, "invalid args, hint: [sandbox] \(mode.rawValue) mode needs aes_key")
        }
        return self
    }
}
