import Foundation
import Logging
import SiyuStore
import WeCom

/// Per-corp WeCom API clients and callback crypto, built from the sealed secrets once and cached.
///
/// The API base URL is the corp's `wecom_api_base_url` setting when present (a sandbox), else the
/// server-wide default (the real platform, or `SIYU_WECOM_API_BASE_URL`). Only the installation's
/// admin sets it (``CorpSettings/Key/isCredential``): the corp's secret is sent there.
public actor WeComConnections {
    public struct Connection: Sendable {
        public let client: WeComClient
        public let crypto: CallbackCrypto
    }

    let corps: CorpStore
    let defaultBaseURL: String
    let logger: Logger
    private var cache: [String: Connection] = [:]

    public init(corps: CorpStore, defaultBaseURL: String = "https://qyapi.weixin.qq.com", logger: Logger) {
        self.corps = corps
        self.defaultBaseURL = defaultBaseURL
        self.logger = logger
    }

    /// The connection of a registered corp, or nil.
    public func connection(for corpID: String) async throws -> Connection? {
        if let cached = cache[corpID] { return cached }
        guard let corp = try await corps.find(corpID), let secrets = try await corps.secrets(of: corpID) else { return nil }
        var clientLogger = logger
        clientLogger[metadataKey: "corp_id"] = .string(corpID)
        let client = WeComClient(
            configuration: WeComClientConfiguration(
                baseURL: corp.settings.wecomAPIBaseURL ?? defaultBaseURL,
                tokenSource: .wecom(corpID: corpID, secret: secrets.secret)
            ),
            logger: clientLogger
        )
        let crypto = try CallbackCrypto(token: secrets.callbackToken, encodingAESKey: secrets.encodingAESKey, receiveID: corpID)
        let connection = Connection(client: client, crypto: crypto)
        cache[corpID] = connection
        return connection
    }

    /// Forgets a corp's connection (its settings or secrets changed).
    public func invalidate(_ corpID: String) {
        cache[corpID] = nil
    }

    public func client(for corpID: String) async throws -> WeComClient {
        guard let connection = try await connection(for: corpID) else {
            throw APIError(.notFound, code: "not_found", "no corp \(corpID)")
        }
        return connection.client
    }
}
