/// An IPv4 or IPv6 address, as a number: what an outbound connection would actually reach,
/// whichever way its text was spelled.
public enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    case v4(UInt32)
    /// The 128 bits as two words, most significant first.
    case v6(high: UInt64, low: UInt64)

    /// Strict text: a dotted quad of four decimal octets without leading zeros (`10.0.0.1`), or an
    /// IPv6 address (`fd00::1`, `::ffff:127.0.0.1`; brackets and a zone are not part of it). For
    /// configuration, where an ambiguous spelling is a mistake to report, not a trick to see through.
    public init?(_ text: String) {
        if text.contains(":") {
            guard let value = Self.parseIPv6(Substring(text)) else { return nil }
            self = value
        } else {
            guard let value = Self.parseDottedQuad(Substring(text)) else { return nil }
            self = .v4(value)
        }
    }

    /// The host of a URL, read the way resolvers and browsers read it, so that no spelling of an
    /// address passes for a name: `[::1]`, `fe80::1%eth0`, and the IPv4 forms of `inet_aton` and
    /// the WHATWG URL standard — decimal (`2130706433`), octal (`0177.0.0.1`), hex (`0x7f.1`),
    /// short forms (`127.1`, `10.1.2`) and a trailing dot. Nil when the host is a name.
    public init?(urlHost host: String) {
        var text = Substring(host)
        let bracketed = text.hasPrefix("[") && text.hasSuffix("]")
        if bracketed { text = text.dropFirst().dropLast() }
        if bracketed || text.contains(":") {
            if let zone = text.firstIndex(of: "%") { text = text[..<zone] }
            guard let value = Self.parseIPv6(text) else { return nil }
            self = value
            return
        }
        if text.hasSuffix("."), text.count > 1 { text = text.dropLast() }
        guard let value = Self.parseLenientIPv4(text) else { return nil }
        self = .v4(value)
    }

    /// An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) as the IPv4 address; any other unchanged.
    public var unmapped: IPAddress {
        if case .v6(0, let low) = self, low >> 32 == 0xFFFF { return .v4(UInt32(truncatingIfNeeded: low)) }
        return self
    }

    public var isIPv4: Bool {
        if case .v4 = self { return true }
        return false
    }

    /// The IPv4 address an IPv6 one carries and is routed to: IPv4-mapped (`::ffff:a.b.c.d`),
    /// IPv4-compatible (`::a.b.c.d`, deprecated; not `::` and `::1`), the NAT64 well-known
    /// prefix (`64:ff9b::a.b.c.d`) and 6to4 (`2002:AABB:CCDD::/48`). Nil for any other address.
    public var embeddedIPv4: UInt32? {
        guard case .v6(let high, let low) = self else { return nil }
        let low32 = UInt32(truncatingIfNeeded: low)
        switch high {
        case 0 where low >> 32 == 0xFFFF: return low32
        case 0 where low >> 32 == 0 && low > 1: return low32
        case 0x0064_FF9B_0000_0000 where low >> 32 == 0: return low32
        default:
            if high >> 48 == 0x2002 { return UInt32(truncatingIfNeeded: high >> 16) }
            return nil
        }
    }

    /// Canonical text: dotted quad, or RFC 5952 IPv6 in hex groups (lowercase, the longest run of
    /// zero groups as `::`; an embedded IPv4 address is written in hex too, `::ffff:7f00:1`).
    public var description: String {
        switch self {
        case .v4(let value):
            return [24, 16, 8, 0].map { String((value >> UInt32($0)) & 0xFF) }.joined(separator: ".")
        case .v6(let high, let low):
            let groups = (0..<8).map { index -> UInt16 in
                let word = index < 4 ? high : low
                return UInt16(truncatingIfNeeded: word >> UInt64(48 - 16 * (index % 4)))
            }
            var best = (start: -1, length: 0)
            var index = 0
            while index < 8 {
                guard groups[index] == 0 else { index += 1; continue }
                var end = index
                while end < 8, groups[end] == 0 { end += 1 }
                if end - index > best.length, end - index > 1 { best = (index, end - index) }
                index = end
            }
            let hex = groups.map { String($0, radix: 16) }
            guard best.start >= 0 else { return hex.joined(separator: ":") }
            let head = hex[..<best.start].joined(separator: ":")
            let tail = hex[(best.start + best.length)...].joined(separator: ":")
            return head + "::" + tail
        }
    }

    // MARK: Parsing

    /// `a.b.c.d`, each 0...255 in decimal, no leading zeros.
    static func parseDottedQuad(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  part == "0" || !part.hasPrefix("0"), let octet = UInt32(part), octet <= 255
            else { return nil }
            value = value << 8 | octet
        }
        return value
    }

    /// One to four parts, each decimal, octal (leading `0`) or hex (`0x`); all but the last are
    /// one byte each, the last fills the bytes that remain (so `127.1` is 127.0.0.1).
    static func parseLenientIPv4(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...4).contains(parts.count) else { return nil }
        var numbers: [UInt64] = []
        for part in parts {
            guard let number = parseNumber(part) else { return nil }
            numbers.append(number)
        }
        let last = numbers.removeLast()
        guard numbers.allSatisfy({ $0 <= 255 }), last < (UInt64(1) << (8 * (4 - numbers.count))) else { return nil }
        var value: UInt64 = 0
        for (index, byte) in numbers.enumerated() { value |= byte << UInt64(24 - 8 * index) }
        return UInt32(value | last)
    }

    /// A number as `inet_aton` reads one part: `0x1F`, `017` (octal), `15`. Nil past 32 bits.
    private static func parseNumber(_ part: Substring) -> UInt64? {
        var digits = part
        var radix = 10
        if digits.lowercased().hasPrefix("0x") {
            digits = digits.dropFirst(2)
            radix = 16
            if digits.isEmpty { return 0 }
        } else if digits.count > 1, digits.hasPrefix("0") {
            digits = digits.dropFirst()
            radix = 8
        }
        guard !digits.isEmpty, digits.count <= 32, digits.allSatisfy({ $0.isASCII && $0.isHexDigit }),
              let value = UInt64(digits, radix: radix), value <= UInt64(UInt32.max)
        else { return nil }
        return value
    }

    /// RFC 4291 text: up to eight groups of 1–4 hex digits, one `::` for a run of zero groups,
    /// and optionally a dotted quad in place of the last two groups.
    static func parseIPv6(_ text: Substring) -> IPAddress? {
        guard !text.isEmpty, text.count <= 45 else { return nil }
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var compressed = false
        let halves = text.split(separator: "::", omittingEmptySubsequences: false).map(String.init)
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String, allowQuad: Bool) -> [UInt16]? {
            if part.isEmpty { return [] }
            var result: [UInt16] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if index == pieces.count - 1, allowQuad, piece.contains(".") {
                    guard let quad = parseDottedQuad(piece) else { return nil }
                    result += [UInt16(quad >> 16), UInt16(truncatingIfNeeded: quad)]
                } else {
                    guard (1...4).contains(piece.count), piece.allSatisfy(\.isHexDigit), let group = UInt16(piece, radix: 16) else { return nil }
                    result.append(group)
                }
            }
            return result
        }
        if halves.count == 2 {
            compressed = true
            guard let first = groups(halves[0], allowQuad: false), let second = groups(halves[1], allowQuad: true) else { return nil }
            head = first
            tail = second
            guard head.count + tail.count <= 7 else { return nil }
        } else {
            guard let all = groups(halves[0], allowQuad: true), all.count == 8 else { return nil }
            head = all
        }
        let all = compressed ? head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail : head
        let high = all[0..<4].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
        let low = all[4..<8].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
        return .v6(high: high, low: low)
    }
}
