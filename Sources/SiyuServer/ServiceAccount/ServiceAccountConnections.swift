import Foundation
import Logging
import SiyuCore
import SiyuStore
import WeCom

/// Per-account crypto, reply rules and API client, built from the sealed secrets and cached.
///
/// A push is answered from what this holds, in memory, so the passive reply leaves well within
/// the platform's 5 s. An entry lives ``lifetime`` at most, so rules or keys changed by another
/// process are picked up; a change made here invalidates the entry at once.
public actor ServiceAccountConnections {
    public struct Connection: Sendable {
        public let account: ServiceAccountSummary
        public let token: String
        /// The current key first, then the previous one.
        public let cryptos: [CallbackCrypto]
        public let replies: ReplyRuleSet
        /// The QR channels of the account by scene, for attribution and their welcome replies.
        public let channels: [String: SiyuCore.Channel]
        public let client: WeComClient
        let loadedAt: ContinuousClock.Instant
    }

    let store: SiyuStore
    let defaultBaseURL: String
    let lifetime: Duration
    let logger: Logger
    private var cache: [String: Connection] = [:]

    public init(store: SiyuStore, defaultBaseURL: String = "https://api.weixin.qq.com", lifetime: Duration = .seconds(30), logger: Logger) {
        self.store = store
        self.defaultBaseURL = defaultBaseURL
        self.lifetime = lifetime
        self.logger = logger
    }

    /// The connection of an account, or nil when no corp has connected this AppID.
    public func connection(appID: String) async throws -> Connection? {
        if let cached = cache[appID], ContinuousClock.now - cached.loadedAt < lifetime { return cached }
        guard let account = try await store.serviceAccounts.find(appID: appID),
              let secrets = try await store.serviceAccounts.secrets(appID: appID)
        else {
            cache[appID] = nil
            return nil
        }
        let replies = try await store.serviceAccounts.replies(appID: appID) ?? ReplyRulesDocument()
        let channels = Dictionary(
            try await store.channels.officialAccountChannels(appID: appID).compactMap { channel in channel.officialAccountQR.map { ($0.scene, channel) } },
            uniquingKeysWith: { first, _ in first }
        )
        let cryptos = try [secrets.encodingAESKey, secrets.previousAESKey].compactMap { key in
            try key.map { try CallbackCrypto(token: secrets.token, encodingAESKey: $0, receiveID: appID) }
        }
        let tokenSource = TokenSource.officialAccount(appID: appID, secret: secrets.secret)
        let baseURL = account.apiBaseURL ?? defaultBaseURL
        let client: WeComClient
        if let previous = cache[appID]?.client, previous.configuration.tokenSource == tokenSource,
           previous.configuration.baseURL == WeComClientConfiguration(baseURL: baseURL, tokenSource: tokenSource).baseURL {
            // The same settings keep the client, and with it the cached access token.
            client = previous
        } else {
            var clientLogger = logger
            clientLogger[metadataKey: "app_id"] = .string(appID)
            client = WeComClient(configuration: WeComClientConfiguration(baseURL: baseURL, tokenSource: tokenSource), logger: clientLogger)
        }
        cache[appID] = Connection(account: account, token: secrets.token, cryptos: cryptos, replies: replies.ruleSet, channels: channels, client: client, loadedAt: .now)
        return cache[appID]
    }

    /// Forgets an account's connection (its settings, keys or rules changed).
    public func invalidate(_ appID: String) {
        cache[appID] = nil
    }
}
