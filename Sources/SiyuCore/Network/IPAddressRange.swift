import Foundation

/// A CIDR block such as `10.0.0.0/8` or `fc00::/7`; a bare address is the block of that one address.
public struct IPAddressRange: Hashable, Sendable, CustomStringConvertible {
    /// The first address of the block (its host bits are zero).
    public let base: IPAddress
    public let prefixLength: Int

    /// Why a block's text was refused, naming the entry.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var entry: String
        public var reason: String
        public var description: String { "'\(entry)' is not an address range: \(reason)" }
    }

    /// `base` must have zero host bits under `prefixLength`, which must fit its family.
    public init?(base: IPAddress, prefixLength: Int) {
        guard (0...(base.isIPv4 ? 32 : 128)).contains(prefixLength), Self.masked(base, prefixLength) == base else { return nil }
        self.base = base
        self.prefixLength = prefixLength
    }

    /// Strict text only (see ``IPAddress/init(_:)``): `a.b.c.d/n`, `x:y::/n`, or one address.
    /// Host bits under the prefix are refused (`10.1.2.3/8` is a typo of `10.0.0.0/8` or of `/32`).
    public init(_ text: String) throws(ParseError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = IPAddress(String(parts[0])) else {
            throw ParseError(entry: text, reason: "expected an IPv4 or IPv6 address with an optional /prefix, e.g. 10.0.0.0/8 or fd00::/8")
        }
        let maximum = address.isIPv4 ? 32 : 128
        var length = maximum
        if parts.count == 2 {
            guard parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(parts[1]), (0...maximum).contains(value) else {
                throw ParseError(entry: text, reason: "the prefix length must be a number from 0 to \(maximum)")
            }
            length = value
        }
        let base = Self.masked(address, length)
        guard base == address else {
            throw ParseError(entry: text, reason: "it has host bits set; the block is \(base)/\(length)")
        }
        self.base = base
        self.prefixLength = length
    }

    /// Whether `address` lies in this block (an IPv4 block never holds an IPv6 address, and the reverse).
    public func contains(_ address: IPAddress) -> Bool {
        guard address.isIPv4 == base.isIPv4 else { return false }
        return Self.masked(address, prefixLength) == base
    }

    public var description: String { "\(base)/\(prefixLength)" }

    /// `address` with every bit past the first `length` cleared.
    static func masked(_ address: IPAddress, _ length: Int) -> IPAddress {
        func keep(_ word: UInt64, bits: Int) -> UInt64 {
            bits <= 0 ? 0 : bits >= 64 ? word : word & ~(UInt64.max >> UInt64(bits))
        }
        switch address {
        case .v4(let value):
            return .v4(length <= 0 ? 0 : length >= 32 ? value : value & ~(UInt32.max >> UInt32(length)))
        case .v6(let high, let low):
            return .v6(high: keep(high, bits: length), low: keep(low, bits: length - 64))
        }
    }
}

extension IPAddressRange {
    /// A configured list of blocks (`SIYU_TRUSTED_PROXIES`, `SIYU_OUTBOUND_ALLOW`): entries
    /// separated by commas and/or whitespace, each by the strict rules of ``init(_:)``.
    public static func list(_ text: String) throws(ParseError) -> [IPAddressRange] {
        var ranges: [IPAddressRange] = []
        for entry in text.split(whereSeparator: { $0 == "," || $0.isWhitespace }) {
            ranges.append(try IPAddressRange(String(entry)))
        }
        return ranges
    }

    /// The block a CIDR text names, or nil (the strict rules of ``init(_:)``).
    public init?(cidr text: String) {
        guard let range = try? IPAddressRange(text.trimmingCharacters(in: .whitespaces)) else { return nil }
        self = range
    }

    /// Whether the address in `text` (a peer's or a forwarded hop's) lies in this block; an
    /// IPv4-mapped IPv6 address (`::ffff:10.1.2.3`, as dual-stack sockets report IPv4 peers)
    /// counts as the IPv4 address it maps. False for text that is not an address.
    public func contains(_ text: String) -> Bool {
        guard let address = IPAddress(text.trimmingCharacters(in: .whitespaces)) else { return false }
        return contains(address.unmapped)
    }
}
