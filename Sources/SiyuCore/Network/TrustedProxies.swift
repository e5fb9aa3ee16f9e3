import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 network written as CIDR (`10.0.0.0/8`, `fd00::/8`) or a single address.
///
/// IPv4-mapped IPv6 addresses (`::ffff:10.1.2.3`) are compared as the IPv4 address they carry.
public struct IPAddressRange: Sendable, Hashable, CustomStringConvertible {
    /// 4 or 16 bytes, host bits cleared.
    let network: [UInt8]
    let prefixLength: Int

    public init?(cidr text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let address = Self.bytes(of: String(parts[0])) else { return nil }
        let maximum = address.count * 8
        var length = maximum
        if parts.count == 2 {
            guard let given = Int(parts[1]), (0...maximum).contains(given), parts[1].allSatisfy(\.isASCII) else { return nil }
            length = given
        }
        self.prefixLength = length
        self.network = Self.masked(address, to: length)
    }

    /// Whether `address` (IPv4 or IPv6 text) lies in this range; false for anything unreadable.
    public func contains(_ address: String) -> Bool {
        guard let bytes = Self.bytes(of: address), bytes.count == network.count else { return false }
        return Self.masked(bytes, to: prefixLength) == network
    }

    public var description: String {
        "\(Self.text(of: network))/\(prefixLength)"
    }

    /// The address's bytes: 4 for IPv4 (also when written IPv4-mapped), 16 for IPv6; nil if unreadable.
    static func bytes(of text: String) -> [UInt8]? {
        var text = text.trimmingCharacters(in: .whitespaces)
        if let percent = text.firstIndex(of: "%") { text = String(text[..<percent]) }  // zone id
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff {
            return Array(bytes[12..<16])
        }
        return bytes
    }

    private static func masked(_ bytes: [UInt8], to length: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let bits = min(8, max(0, length - index * 8))
            return bits == 8 ? byte : byte & UInt8(truncatingIfNeeded: 0xff << (8 - bits))
        }
    }

    private static func text(of bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }.joined(separator: ":")
    }
}

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
        var ranges: [IPAddressRange] = []
        for entry in text.split(whereSeparator: { $0 == "," || $0 == " " }) where !entry.isEmpty {
            guard let range = IPAddressRange(cidr: String(entry)) else {
                return .failure(ValidationError(field: "trusted_proxies", message: "'\(entry)' is not an IP address or CIDR range (e.g. 10.0.0.0/8, fd00::/8)"))
            }
            ranges.append(range)
        }
        return .success(TrustedProxies(ranges: ranges))
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
        guard IPAddressRange.bytes(of: text) != nil else { return nil }
        return text
    }
}

extension TrustedProxies {
    /// Loopback addresses (`127.0.0.0/8`, `::1`).
    public static func isLoopback(_ address: String) -> Bool {
        loopback.contains { $0.contains(address) }
    }

    private static let loopback = [IPAddressRange(cidr: "127.0.0.0/8")!, IPAddressRange(cidr: "::1/128")!]
}
