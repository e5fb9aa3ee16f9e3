import Foundation
import SiyuCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns a host name into addresses: the system resolver (`getaddrinfo`, so `/etc/hosts` and
/// the machine's DNS settings apply) in production, a fixed table in tests.
public struct HostResolver: Sendable {
    public var resolve: @Sendable (String) async throws -> [IPAddress]

    public init(_ resolve: @escaping @Sendable (String) async throws -> [IPAddress]) {
        self.resolve = resolve
    }

    /// A name the resolver does not know, or a resolver failure, with the resolver's own words.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var host: String
        public var reason: String
        public var description: String { "cannot resolve \(host): \(reason)" }
    }

    /// `getaddrinfo` on a thread of its own (it blocks), every address it returns, in its order.
    public static let system = HostResolver { host in
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try getaddrinfoAddresses(host) }) }
        }
    }

    static func getaddrinfoAddresses(_ host: String) throws(Failure) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if os(Linux)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0 else { throw Failure(host: host, reason: String(cString: gai_strerror(status))) }
        defer { freeaddrinfo(list) }
        var addresses: [IPAddress] = []
        var cursor = list
        while let entry = cursor?.pointee {
            cursor = entry.ai_next
            guard let socketAddress = entry.ai_addr else { continue }
            let address: IPAddress
            switch entry.ai_family {
            case AF_INET:
                let raw = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
                address = .v4(UInt32(bigEndian: raw))
            case AF_INET6:
                var bytes = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                let words = withUnsafeBytes(of: &bytes) { raw in
                    (raw.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }, raw.suffix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
                }
                address = .v6(high: words.0, low: words.1)
            default:
                continue
            }
            if !addresses.contains(address) { addresses.append(address) }
        }
        return addresses
    }
}

/// Where an outbound request to a URL that a corp set (a webhook) may go: the URL's host resolved
/// once, every address judged by the installation's ``OutboundAddressPolicy``, and the first
/// allowed one kept, so that the connection is pinned to exactly the address that was checked
/// (a DNS answer that changes between the check and the connection — rebinding — changes nothing).
///
/// The host is read as AsyncHTTPClient reads it (`URL.host`, IPv6 brackets trimmed), and
/// ``dnsOverride`` maps it to the checked address: the client then connects there without
/// resolving anything, while TLS still sends and verifies the URL's host name.
struct OutboundDestination: Sendable, Equatable {
    /// The URL's host, as the HTTP client keys it.
    var host: String
    /// The checked address the connection goes to.
    var address: IPAddress

    /// For `HTTPClient.Configuration.dnsOverride`: the host to the checked address. A name or an
    /// odd IPv4 spelling (`2130706433`) is a domain to the client, keyed by the host as it is, so
    /// the client connects to the checked address without resolving anything. A standard IPv6
    /// literal is keyed with brackets and so not overridden: the client connects to that literal,
    /// which is the checked address (overriding it would also send `[…]` as the TLS server name).
    var dnsOverride: [String: String] {
        [host: address.description]
    }

    /// Why there is no destination.
    struct Refusal: Error, Sendable, CustomStringConvertible {
        enum Code: Sendable { case badURL, unresolvable, notAllowed }
        var code: Code
        var message: String
        var description: String { message }
    }

    /// Resolves `url`'s host (a literal address in any spelling is taken as it is; `localhost`
    /// and `*.localhost` are loopback, RFC 6761) and returns the first address `policy` allows.
    static func resolve(_ url: String, policy: OutboundAddressPolicy, resolver: HostResolver) async throws(Refusal) -> OutboundDestination {
        guard let parsed = URL(string: url), var host = parsed.host, !host.isEmpty else {
            throw Refusal(code: .badURL, message: "\(url.prefix(200)) is not a URL with a host")
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let addresses: [IPAddress]
        if let literal = IPAddress(urlHost: host) {
            addresses = [literal]
        } else if Self.isLocalhostName(host) {
            addresses = [.v4(0x7F00_0001), .v6(high: 0, low: 1)]
        } else {
            do {
                addresses = try await resolver.resolve(host)
            } catch {
                throw Refusal(code: .unresolvable, message: "\(error)")
            }
            guard !addresses.isEmpty else { throw Refusal(code: .unresolvable, message: "\(host) has no address") }
        }
        if let allowed = addresses.first(where: policy.permits) {
            return OutboundDestination(host: host, address: allowed)
        }
        let judged = addresses.map { "\($0) (\(policy.refusal(for: $0).map(String.init(describing:)) ?? "allowed"))" }.joined(separator: ", ")
        let what = IPAddress(urlHost: host) != nil ? "is not a public address" : "resolves only to addresses that are not public"
        throw Refusal(
            code: .notAllowed,
            message: "the host \(host) \(what): \(judged); outbound requests reach public addresses only, "
                + "unless the installation's admin allows the range (SIYU_OUTBOUND_ALLOW)"
        )
    }

    static func isLocalhostName(_ host: String) -> Bool {
        var name = host.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        return name == "localhost" || name.hasSuffix(".localhost")
    }
}

extension OutboundAddressPolicy {
    /// The environment variable of the allow list, read by `siyu serve` and `siyu demo`.
    public static let environmentKey = "SIYU_OUTBOUND_ALLOW"

    /// The policy `SIYU_OUTBOUND_ALLOW` sets: public addresses only when it is unset or empty.
    public static func fromEnvironment(_ environment: [String: String]) throws(ConfigurationError) -> OutboundAddressPolicy {
        do {
            return try OutboundAddressPolicy(allowList: environment[environmentKey])
        } catch {
            throw ConfigurationError("\(environmentKey): \(error) (expected CIDR blocks or addresses separated by commas, e.g. 127.0.0.1/32,10.0.0.0/8)")
        }
    }
}
