import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import SiyuCore
import Synchronization

/// Sets ``AppRequestContext/clientAddress`` from `Forwarded` / `X-Forwarded-For`, but only when
/// the TCP peer is one of the trusted proxies; everyone else is taken at their TCP address.
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let trusted: TrustedProxies

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let peer = context.peerAddress, !trusted.ranges.isEmpty else {
            return try await next(request, context)
        }
        var context = context
        context.clientAddress = trusted.clientAddress(
            peer: peer, forwarded: request.headers[.forwarded], xForwardedFor: request.headers[.xForwardedFor]
        )
        return try await next(request, context)
    }
}

/// Who may scrape `/metrics`: with a token configured, whoever sends it as a bearer token;
/// without one, loopback clients only (a request with no socket, as in router tests, counts as local).
public struct MetricsAccess: Sendable {
    let tokenHash: [UInt8]?

    public init(token: String?) {
        self.tokenHash = token.flatMap { $0.isEmpty ? nil : Array(SHA256.hash(data: Data($0.utf8))) }
    }

    /// Nil when allowed; otherwise the refusal to answer with.
    func refusal(clientAddress: String?, authorization: String?) -> APIError? {
        if let tokenHash {
            let prefix = "bearer "
            guard let header = authorization, header.lowercased().hasPrefix(prefix) else {
                return APIError(.unauthorized, code: "unauthorized", "/metrics needs 'Authorization: Bearer <SIYU_METRICS_TOKEN>'")
            }
            let token = header.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
            guard ConstantTime.equal(Array(SHA256.hash(data: Data(token.utf8))), tokenHash) else {
                return APIError(.unauthorized, code: "unauthorized", "the bearer token is not SIYU_METRICS_TOKEN")
            }
            return nil
        }
        guard let clientAddress, !TrustedProxies.isLoopback(clientAddress) else { return nil }
        return APIError(.forbidden, code: "forbidden", "/metrics answers loopback clients only; set SIYU_METRICS_TOKEN to scrape it from elsewhere")
    }
}

/// The methods each route pattern has, filled in once the router is built.
final class RouteMethods: Sendable {
    private let table = Mutex<[(segments: [Substring], methods: Set<HTTPRequest.Method>)]>([])

    func load(_ routes: [Router<AppRequestContext>.RouteDescription]) {
        var byPath: [String: Set<HTTPRequest.Method>] = [:]
        for route in routes { byPath[route.path.description, default: []].insert(route.method) }
        table.withLock { table in
            table = byPath.map { path, methods in (path.split(separator: "/"), methods) }
        }
    }

    /// The methods of every pattern that matches `path`; empty when no route has it.
    func methods(for path: String) -> Set<HTTPRequest.Method> {
        let segments = path.split(separator: "/")
        return table.withLock { table in
            table.reduce(into: Set<HTTPRequest.Method>()) { found, entry in
                if Self.matches(entry.segments, segments) { found.formUnion(entry.methods) }
            }
        }
    }

    private static func matches(_ pattern: [Substring], _ path: [Substring]) -> Bool {
        for (index, segment) in pattern.enumerated() {
            if segment == "**" { return true }
            guard index < path.count else { return false }
            let wildcard = segment == "*" || segment.hasPrefix(":") || segment.hasPrefix("{")
            if !wildcard && segment != path[index] { return false }
        }
        return pattern.count == path.count
    }
}

/// 405 with `Allow` instead of 404 when the path exists with other methods; TRACE, CONNECT and
/// methods no route uses are 405 on every path.
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let routes: RouteMethods
    static let served: Set<HTTPRequest.Method> = [.get, .head, .post, .put, .patch, .delete, .options]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.served.contains(request.method) else {
            throw refusal(request, allowed: routes.methods(for: request.uri.path))
        }
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && Self.unrouted(context) {
            let allowed = routes.methods(for: request.uri.path)
            guard !allowed.isEmpty else { throw error }
            throw refusal(request, allowed: allowed)
        }
    }

    /// No route matched (Hummingbird's not-found responder marks the context "NotFound").
    private static func unrouted(_ context: Context) -> Bool {
        context.endpointPath == nil || context.endpointPath == "NotFound"
    }

    private func refusal(_ request: Request, allowed: Set<HTTPRequest.Method>) -> APIError {
        let list = (allowed.isEmpty ? Self.served : allowed).map(\.rawValue).sorted().joined(separator: ", ")
        var error = APIError(.methodNotAllowed, code: "method_not_allowed", "\(request.method.rawValue) is not allowed here; allowed: \(list)")
        error.headers[.allow] = list
        return error
    }
}

extension HTTPField.Name {
    static let forwarded = Self("Forwarded")!
    static let xForwardedFor = Self("X-Forwarded-For")!
}
