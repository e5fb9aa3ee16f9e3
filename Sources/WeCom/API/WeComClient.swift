import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Where access tokens come from: a WeCom app secret, or an Official Account's AppID and secret.
public enum TokenSource: Sendable, Equatable {
    /// `GET /cgi-bin/gettoken?corpid=&corpsecret=`; tokens are per app secret.
    case wecom(corpID: String, secret: String)
    /// `POST /cgi-bin/stable_token` `{grant_type, appid, secret}`: the stable token, which the
    /// platform renews itself and which `/cgi-bin/token` callers elsewhere cannot invalidate.
    case officialAccount(appID: String, secret: String)
}

/// How a ``WeComClient`` talks to the platform.
public struct WeComClientConfiguration: Sendable {
    /// The real platform by default; the sandbox's address in tests and demos.
    public var baseURL: String
    public var tokenSource: TokenSource
    /// Calls a minute across every API of this corp (the platform allows 10,000 per API).
    public var callsPerMinute: Int
    /// A cached token is refreshed this long before it expires.
    public var refreshMargin: Duration
    /// Retries after errcode -1 (busy), 45009 (over the limit) and 45033 (too many concurrent calls).
    public var busyRetries: Int
    /// First back-off after a busy answer; doubles each time.
    public var busyBackoff: Duration
    public var timeout: Duration
    public var maxResponseBytes: Int

    public init(
        baseURL: String = "https://qyapi.weixin.qq.com",
        tokenSource: TokenSource,
        callsPerMinute: Int = 10_000,
        refreshMargin: Duration = .seconds(300),
        busyRetries: Int = 3,
        busyBackoff: Duration = .seconds(1),
        timeout: Duration = .seconds(10),
        maxResponseBytes: Int = 16 << 20
    ) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.tokenSource = tokenSource
        self.callsPerMinute = callsPerMinute
        self.refreshMargin = refreshMargin
        self.busyRetries = busyRetries
        self.busyBackoff = busyBackoff
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
    }
}

/// A typed client of the WeCom (and Official Account) server API for one app secret.
///
/// Access tokens are cached, refreshed early, and fetched once however many callers ask at the
/// same moment. A token the platform rejects (40001, 40014, 42001) is dropped and the call
/// retried once; busy answers (-1, 45009, 45033) back off exponentially; every call passes a
/// token bucket so one corp never exceeds its rate.
public final class WeComClient: Sendable {
    public let configuration: WeComClientConfiguration
    let http: HTTPClient
    let logger: Logger
    private let tokens: AccessTokenCache
    private let limiter: RateLimiter

    /// The HTTP client every ``WeComClient`` uses unless given another: like `HTTPClient.shared`,
    /// but it never follows a redirect. `gettoken` carries the app secret in its query, so an
    /// answer that points elsewhere must not take the secret with it; a redirect is an error.
    public static let defaultHTTPClient = HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup,
        configuration: HTTPClient.Configuration(redirectConfiguration: .disallow, decompression: .disabled)
    )

    public init(configuration: WeComClientConfiguration, httpClient: HTTPClient = WeComClient.defaultHTTPClient, logger: Logger) {
        self.configuration = configuration
        self.http = httpClient
        self.logger = logger
        self.tokens = AccessTokenCache(margin: configuration.refreshMargin)
        self.limiter = RateLimiter(bucket: TokenBucket(perMinute: configuration.callsPerMinute))
    }

    /// A valid access token, from the cache when it is fresh.
    public func accessToken() async throws -> String {
        try await tokens.token { try await self.fetchToken() }
    }

    /// Drops `token` from the cache (the platform said it is no longer valid).
    public func invalidate(token: String) async {
        await tokens.invalidate(token)
    }

    /// `GET /cgi-bin/<path>?access_token=…&<query>` decoded as `Response`.
    public func get<Response: Decodable>(_ path: String, query: [(String, String)] = [], as type: Response.Type = Response.self) async throws -> Response {
        try await call(method: .GET, path: path, query: query, body: nil)
    }

    /// `POST /cgi-bin/<path>?access_token=…` with a JSON body, decoded as `Response`.
    public func post<Body: Encodable, Response: Decodable>(_ path: String, body: Body, as type: Response.Type = Response.self) async throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return try await call(method: .POST, path: path, query: [], body: try encoder.encode(body))
    }

    /// An empty success answer (`{"errcode":0,"errmsg":"ok"}`).
    public struct OK: Decodable, Sendable {}

    /// `POST /cgi-bin/<path>?access_token=…&<query>` with a `multipart/form-data` body of one file
    /// field (`media/upload`), decoded as `Response`.
    public func upload<Response: Decodable>(
        _ path: String, query: [(String, String)] = [], field: String, filename: String, contentType: String, data: Data, as type: Response.Type = Response.self
    ) async throws -> Response {
        let boundary = "siyu-" + String(UInt64.random(in: 1...UInt64.max), radix: 36)
        let safeName = filename.filter { $0 != "\"" && $0 != "\r" && $0 != "\n" }
        var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"; filename=\"\(safeName)\"\r\nContent-Type: \(contentType)\r\n\r\n".utf8)
        body.append(data)
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        return try await call(method: .POST, path: path, query: query, body: body, contentType: "multipart/form-data; boundary=\(boundary)")
    }

    private func call<Response: Decodable>(
        method: HTTPMethod, path: String, query: [(String, String)], body: Data?, contentType: String = "application/json; charset=utf-8"
    ) async throws -> Response {
        var retriedToken = false
        var busyAttempts = 0
        while true {
            let token = try await accessToken()
            await limiter.acquire()
            do {
                return try await send(method: method, path: path, query: [("access_token", token)] + query, body: body, contentType: contentType)
            } catch let error as WeComAPIError where error.isTokenProblem && !retriedToken {
                logger.info("access token rejected; fetching a new one", metadata: ["errcode": .stringConvertible(error.errcode), "path": .string(path)])
                await tokens.invalidate(token)
                retriedToken = true
            } catch let error as WeComAPIError where error.isBusy && busyAttempts < configuration.busyRetries {
                let delay = configuration.busyBackoff * (1 << busyAttempts)
                busyAttempts += 1
                logger.notice("platform busy; backing off", metadata: [
                    "errcode": .stringConvertible(error.errcode), "path": .string(path), "delay": .string("\(delay)"),
                ])
                try await Task.sleep(for: delay)
            }
        }
    }

    private func fetchToken() async throws -> (token: String, expiresIn: Int) {
        await limiter.acquire()
        let response: AccessTokenResponse
        switch configuration.tokenSource {
        case .wecom(let corpID, let secret):
            response = try await send(method: .GET, path: "gettoken", query: [("corpid", corpID), ("corpsecret", secret)], body: nil)
        case .officialAccount(let appID, let secret):
            // Never force_refresh: its 20 a day are for an operator, not for a retry loop.
            let body = try JSONEncoder().encode(["grant_type": "client_credential", "appid": appID, "secret": secret])
            response = try await send(method: .POST, path: "stable_token", query: [], body: body)
        }
        return (response.accessToken, response.expiresIn)
    }

    /// One HTTP exchange: non-200, unreadable JSON and non-zero errcode all become ``WeComAPIError``.
    private func send<Response: Decodable>(
        method: HTTPMethod, path: String, query: [(String, String)], body: Data?, contentType: String = "application/json; charset=utf-8"
    ) async throws -> Response {
        let fullPath = "/cgi-bin/" + path
        var request = HTTPClientRequest(url: configuration.baseURL + fullPath + (query.isEmpty ? "" : "?" + Self.encode(query)))
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let data: Data
        do {
            let timeout = configuration.timeout.components
            let response = try await http.execute(request, timeout: .nanoseconds(timeout.seconds * 1_000_000_000 + timeout.attoseconds / 1_000_000_000))
            guard response.status == .ok else {
                let redirect = (300..<400).contains(response.status.code) ? " (a redirect; WeCom calls never follow one)" : ""
                throw WeComAPIError(errcode: WeComAPIError.transportFailure, errmsg: "HTTP \(response.status.code)\(redirect)", path: fullPath)
            }
            let buffer = try await response.body.collect(upTo: configuration.maxResponseBytes)
            data = Data(buffer.readableBytesView)
        } catch let error as WeComAPIError {
            throw error
        } catch {
            throw WeComAPIError(errcode: WeComAPIError.transportFailure, errmsg: String(describing: error), path: fullPath)
        }
        let decoder = JSONDecoder()
        let status = try? decoder.decode(APIStatus.self, from: data)
        if let errcode = status?.errcode, errcode != 0 {
            throw WeComAPIError(errcode: errcode, errmsg: status?.errmsg ?? "", path: fullPath)
        }
        do {
            return try decoder.decode(Response.self, from: data)
        } catch {
            throw WeComAPIError(errcode: WeComAPIError.badResponse, errmsg: "unexpected answer: \(error)", path: fullPath)
        }
    }

    static func encode(_ query: [(String, String)]) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?/#")
        return query.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }.joined(separator: "&")
    }
}

/// The cached access token, with single-flight refresh.
actor AccessTokenCache {
    private var current: (token: String, refreshAt: ContinuousClock.Instant)?
    private var inflight: Task<(token: String, expiresIn: Int), any Error>?
    private let margin: Duration

    init(margin: Duration) {
        self.margin = margin
    }

    func token(fetch: @escaping @Sendable () async throws -> (token: String, expiresIn: Int)) async throws -> String {
        if let current, ContinuousClock.now < current.refreshAt {
            return current.token
        }
        if let inflight {
            return try await inflight.value.token
        }
        let task = Task { try await fetch() }
        inflight = task
        defer { inflight = nil }
        let fetched = try await task.value
        let lifetime = Duration.seconds(max(fetched.expiresIn, 1))
        let refreshIn = lifetime > margin * 2 ? lifetime - margin : lifetime / 2
        current = (fetched.token, ContinuousClock.now + refreshIn)
        return fetched.token
    }

    func invalidate(_ token: String) {
        if current?.token == token { current = nil }
    }
}

/// Serialises ``TokenBucket`` and sleeps for the wait it asks for.
actor RateLimiter {
    private var bucket: TokenBucket
    private let start = ContinuousClock.now

    init(bucket: TokenBucket) {
        self.bucket = bucket
    }

    func acquire() async {
        let elapsed = ContinuousClock.now - start
        let now = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let wait = bucket.take(now: now)
        if wait > 0 {
            try? await Task.sleep(for: .seconds(wait))
        }
    }
}
