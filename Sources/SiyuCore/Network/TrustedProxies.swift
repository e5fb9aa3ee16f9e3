import Foundation

/// The reverse proxies whose forwarding headers are believed, and how the client is found.
///
/// A request that comes from a trusted proxy names its client in `Forwarded: for=…` (RFC 7239)
/// or, when that header is absent, `X-Forwarded-For`. Each proxy appends the address it received
/// from, so the list is read from the right: trusted hops are skipped and the first untrusted
/// one is the client (anything to its left could have been written by the client itself).
/// A request from any other peer is taken at its TCP address; its headers are ignored.
public struct TrustedProxies: Sendable, Equatable {
    public var ranges: [IPAddressRange]

    /// No proxy is trusted: every client is its TCP peer.
    public static let empty = TrustedProxies(ranges: [])

    public init(ranges: [IPAddressRange]) {
        self.ranges = ranges
    }

    /// Reads a comma- or space-separated list of CIDRs (`SIYU_TRUSTED_PROXIES`); a failure names
    /// the first entry that is not one.
    public static func parse(_ text: String) -> Result<TrustedProxies, ValidationError> {
        do {
            return .success(TrustedProxies(ranges: try IPAddressRange.list(text)))
        } catch {
            return .failure(ValidationError(field: "trusted_proxies", message: error.description))
        }
    }

    public func isTrusted(_ address: String) -> Bool {
        ranges.contains { $0.contains(address) }
    }

    /// The client of a request: `peer` itself unless it is a trusted proxy, else the rightmost
    /// untrusted hop of `forwarded` (preferred) or `xForwardedFor`. A hop that is not an address
    /// (`unknown`, an obfuscated name) stops the walk at the last proxy, which is then the answer.
    public func clientAddress(peer: String, forwarded: String?, xForwardedFor: String?) -> String {
        guard isTrusted(peer) else { return peer }
        let hops: [String]
        if let forwarded, !forwarded.isEmpty {
            hops = Self.forHops(forwarded)
        } else if let xForwardedFor, !xForwardedFor.isEmpty {
            hops = xForwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        } else {
            return peer
        }
        var client = peer
        for hop in hops.reversed() {
            guard let address = Self.address(ofNode: hop) else { return client }
            client = address
            if !isTrusted(address) { return address }
        }
        return client
    }

    /// The `for=` values of a `Forwarded` header, in order (one per forwarded-element).
    static func forHops(_ header: String) -> [String] {
        header.split(separator: ",").compactMap { element in
            for pair in element.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces).lowercased() == "for" else { continue }
                return parts[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
            return nil
        }
    }

    /// The address in a node (`1.2.3.4`, `1.2.3.4:8080`, `[2001:db8::1]:443`, `2001:db8::1`), normalised; nil if none.
    static func address(ofNode node: String) -> String? {
        var text = node
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            text = String(text[text.index(after: text.startIndex)..<close])
        } else if text.filter({ $0 == ":" }).count == 1 {
            text = String(text.split(separator: ":")[0])
        }
        guard let address = IPAddress(text) else { return nil }
        return address.unmapped.description  // one spelling per client, for throttling and the audit log
    }
}

extension TrustedProxies {
    /// Loopback addresses (`127.0.0.0/8`, `::1`).
    public static func isLoopback(_ address: String) -> Bool {
        loopback.contains { $0.contains(address) }
    }

    private static let loopback = [IPAddressRange(cidr: "127.0.0.0/8")!, IPAddressRange(cidr: "::1/128")!]
}
