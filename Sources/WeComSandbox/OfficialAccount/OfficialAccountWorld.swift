import Foundation

/// The in-memory WeChat Official Account (服务号) platform behind `/mp/cgi-bin/…`: accounts,
/// their access tokens, followers, tags, parametric QR codes, menus, temporary media,
/// customer-service messages and the pushes it delivered.
///
/// Ids come from one seeded generator and time from ``SandboxClock``, so a seeded world with a
/// pinned clock replays exactly.
public actor OfficialAccountWorld {
    var accounts: [String: OfficialAccountState] = [:]
    /// Every live access token (both kinds) → its grant.
    var grants: [String: TokenGrant] = [:]
    var ids: IDGenerator
    public nonisolated let clock: SandboxClock
    /// `expire_seconds` of a temporary QR code when the request leaves it out. The older doc
    /// says 30 s, the current one 60 s (unconfirmed; a setting).
    public var temporaryQRCodeDefaultSeconds = 60

    static let tokenLifetime = 7200
    /// The platform renews a stable token this long before it expires; both stay valid meanwhile.
    static let renewalOverlap = 300
    static let tokenDailyQuota = 2000
    static let forceRefreshDailyLimit = 20
    static let forceRefreshSpacing = 30
    /// China Standard Time, the platform's day boundary.
    static let chinaTime: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 8 * 3600)!
        return calendar
    }()

    public init(seed: UInt64 = 1, clock: SandboxClock = SandboxClock()) {
        ids = IDGenerator(seed: seed ^ 0x4F41_4F41)
        self.clock = clock
    }

    /// Registers an account, or replaces its configuration keeping its followers and data.
    @discardableResult
    public func register(_ config: OfficialAccountConfig) throws(SandboxError) -> OfficialAccountConfig {
        let config = try config.validated()
        if accounts[config.appID] == nil {
            accounts[config.appID] = OfficialAccountState(config: config)
        } else {
            accounts[config.appID]!.config = config
        }
        return config
    }

    /// The console's "reset EncodingAESKey": pushes use the new key from now on.
    public func changeAESKey(appID: String, to key: String) throws(SandboxError) -> OfficialAccountConfig {
        try mutate(appID) { account throws(SandboxError) in
            var config = account.config
            let old = config.encodingAESKey
            config.encodingAESKey = key
            account.config = try config.validated()
            if let old, old != key { account.previousAESKey = old }
            return account.config
        }
    }

    public func config(of appID: String) -> OfficialAccountConfig? {
        accounts[appID]?.config
    }

    func previousAESKey(of appID: String) -> String? {
        accounts[appID]?.previousAESKey
    }

    func mutate<T>(_ appID: String, _ body: (inout OfficialAccountState) throws(SandboxError) -> T) throws(SandboxError) -> T {
        guard accounts[appID] != nil else { throw .invalidAppID }
        return try body(&accounts[appID]!)
    }

    func read<T>(_ appID: String, _ body: (OfficialAccountState) throws(SandboxError) -> T) throws(SandboxError) -> T {
        guard let account = accounts[appID] else { throw .invalidAppID }
        return try body(account)
    }

    var now: Int { clock.unixNow }

    /// `2027-01-15`, the China-time day of a unix time.
    static func day(of unix: Int) -> String {
        let parts = chinaTime.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: TimeInterval(unix)))
        let pad = { (value: Int?) in value.map { $0 < 10 ? "0\($0)" : String($0) } ?? "00" }
        return "\(parts.year ?? 1970)-\(pad(parts.month))-\(pad(parts.day))"
    }

    // MARK: Access tokens

    /// `GET token`: a new token each call; the previous one keeps working for 5 more minutes.
    func issueToken(grantType: String?, appID: String?, secret: String?) throws(SandboxError) -> OfficialAccountToken {
        let appID = try checkCredentials(grantType: grantType, appID: appID, secret: secret)
        let day = Self.day(of: now)
        guard accounts[appID]!.tokenCalls[day, default: 0] < Self.tokenDailyQuota else { throw .dailyQuota }
        accounts[appID]!.tokenCalls[day, default: 0] += 1
        if let previous = accounts[appID]!.latestToken {
            grants[previous.token]?.expiresAt = min(previous.expiresAt, now + Self.renewalOverlap)
        }
        let grant = newGrant(appID)
        accounts[appID]!.latestToken = grant
        return OfficialAccountToken(accessToken: grant.token, expiresIn: Self.tokenLifetime)
    }

    /// `POST stable_token`: the same token while it has more than 5 minutes left; a new one
    /// after that (the old one still works until it expires) or on `force_refresh` (the old one
    /// stops at once), at most 20 times a day and 30 s apart.
    func issueStableToken(_ body: StableTokenRequest) throws(SandboxError) -> OfficialAccountToken {
        let appID = try checkCredentials(grantType: body.grantType, appID: body.appID, secret: body.secret)
        let current = accounts[appID]!.stableToken.flatMap { grants[$0.token] }
        if body.forceRefresh == true {
            let today = Self.day(of: now)
            let refreshes = accounts[appID]!.forceRefreshes
            if let last = refreshes.last, now - last < Self.forceRefreshSpacing { throw .forceRefreshTooSoon }
            guard refreshes.filter({ Self.day(of: $0) == today }).count < Self.forceRefreshDailyLimit else { throw .dailyQuota }
            accounts[appID]!.forceRefreshes.append(now)
            if let current { grants[current.token] = nil }
        } else if let current, current.expiresAt - now > Self.renewalOverlap {
            return OfficialAccountToken(accessToken: current.token, expiresIn: current.expiresAt - now)
        }
        let grant = newGrant(appID)
        accounts[appID]!.stableToken = grant
        return OfficialAccountToken(accessToken: grant.token, expiresIn: Self.tokenLifetime)
    }

    private func checkCredentials(grantType: String?, appID: String?, secret: String?) throws(SandboxError) -> String {
        guard grantType == "client_credential" else { throw SandboxError(40002, "invalid grant_type") }
        guard let appID, !appID.isEmpty else { throw SandboxError(41002, "appid missing") }
        guard let secret, !secret.isEmpty else { throw SandboxError(41004, "appsecret missing") }
        guard let account = accounts[appID] else { throw .invalidAppID }
        guard account.config.secret == secret else { throw SandboxError(40125, "invalid appsecret") }
        return appID
    }

    private func newGrant(_ appID: String) -> TokenGrant {
        let grant = TokenGrant(appID: appID, token: String(ids.int(80...99)) + "_" + ids.text("", length: 134), expiresAt: now + Self.tokenLifetime)
        grants[grant.token] = grant
        return grant
    }

    /// The account a token belongs to; 41001, 40001 or 42001 otherwise.
    func appID(forToken token: String?) throws(SandboxError) -> String {
        guard let token, !token.isEmpty else { throw .missingToken }
        guard let grant = grants[token] else { throw .invalidOfficialAccountToken }
        guard grant.expiresAt > now else { throw .expiredToken }
        return grant.appID
    }

    /// Ends every token of an account early (tests use it to exercise a client's refresh).
    public func revokeTokens(appID: String) {
        grants = grants.filter { $0.value.appID != appID }
    }

    // MARK: Deliveries

    /// Keeps a delivery's record, numbering it.
    @discardableResult
    func record(_ delivery: OfficialAccountDelivery) -> OfficialAccountDelivery {
        var delivery = delivery
        guard accounts[delivery.appID] != nil else { return delivery }
        delivery.sequence = accounts[delivery.appID]!.deliveries.count + 1
        accounts[delivery.appID]!.deliveries.append(delivery)
        return delivery
    }

    /// What the account's record shows: followers, follow counts, deliveries, sends, menu.
    public func snapshot(appID: String) throws(SandboxError) -> OfficialAccountSnapshot {
        try read(appID) { account in
            OfficialAccountSnapshot(
                config: account.config,
                followers: account.followOrder.compactMap { account.followers[$0] },
                followCounts: account.followCounts.values.sorted { ($0.day, $0.scene) < ($1.day, $1.scene) },
                deliveries: account.deliveries,
                menu: account.menu.map { OfficialAccountMenu(button: $0) }
            )
        }
    }
}

/// `{access_token, expires_in}`.
struct OfficialAccountToken: Encodable, Sendable {
    var accessToken: String
    var expiresIn: Int
    enum CodingKeys: String, CodingKey { case accessToken = "access_token", expiresIn = "expires_in" }
}

/// `POST stable_token`'s body.
struct StableTokenRequest: Decodable, Sendable {
    var grantType: String?
    var appID: String?
    var secret: String?
    var forceRefresh: Bool?
    enum CodingKeys: String, CodingKey { case grantType = "grant_type", appID = "appid", secret, forceRefresh = "force_refresh" }
}

/// An account's record as the control API shows it.
public struct OfficialAccountSnapshot: Encodable, Sendable {
    public var config: OfficialAccountConfig
    public var followers: [OfficialAccountFollower]
    public var followCounts: [FollowCounts]
    public var deliveries: [OfficialAccountDelivery]
    public var menu: OfficialAccountMenu?

    enum CodingKeys: String, CodingKey { case config = "account", followers, followCounts = "follow_counts", deliveries, menu }
}

extension SandboxError {
    static let invalidAppID = SandboxError(40013, "invalid appid")
    static let invalidOfficialAccountToken = SandboxError(40001, "invalid credential, access_token is invalid or not latest")
    static let invalidOpenID = SandboxError(40003, "invalid openid")
    static let dailyQuota = SandboxError(45009, "reach max api daily quota limit")
    /// Unconfirmed code for a force refresh sooner than 30 s after the last one.
    static let forceRefreshTooSoon = SandboxError(45011, "api minute-quota reach limit mustslower retry next minute")
}
