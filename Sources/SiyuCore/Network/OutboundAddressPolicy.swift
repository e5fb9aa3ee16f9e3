/// Which addresses Siyu may connect to when the URL was set by a corp (webhooks today): by
/// default only public ones, so that a corp's API key cannot turn Siyu into a scanner of the
/// network it runs in (loopback services, the LAN, the cloud's metadata service).
///
/// The check is on addresses, never on URL text: the caller resolves the host, judges every
/// address with ``refusal(for:)`` and connects only to one it allowed. An IPv6 address that
/// carries an IPv4 one (``IPAddress/embeddedIPv4``, e.g. `::ffff:127.0.0.1`) is judged as that
/// IPv4 address, for the allow list and the blocked ranges alike.
///
/// An installation admin may allow ranges (``allowed``; `SIYU_OUTBOUND_ALLOW`), e.g. a receiver on
/// the LAN or loopback for tests. An allowed range wins over the blocked ones, except the cloud
/// metadata endpoints, which are refused whatever is allowed: no webhook receiver lives there,
/// and an allowed `169.254.0.0/16` or `100.64.0.0/10` must not open the instance's credentials.
///
/// The WeCom API base URL is set by the installation's admin, not by a corp, and is not subject
/// to this policy (the sandbox serves it on loopback).
public struct OutboundAddressPolicy: Sendable, Equatable {
    /// Ranges an installation admin allowed explicitly; empty by default.
    public var allowed: [IPAddressRange]

    /// Why an address is refused; the raw value is the stable word used in messages and logs.
    public enum Refusal: String, Sendable, Equatable, CustomStringConvertible {
        case unspecified
        case loopback
        /// RFC 1918 (10/8, 172.16/12, 192.168/16).
        case privateNetwork = "private"
        /// RFC 6598 shared address space, carrier-grade NAT (100.64/10).
        case sharedAddressSpace = "shared (carrier-grade NAT)"
        /// IPv6 unique local (fc00::/7) and the deprecated site-local (fec0::/10).
        case uniqueLocal = "unique local"
        case linkLocal = "link-local"
        case multicast
        /// 240/4, with the limited broadcast 255.255.255.255.
        case reserved = "reserved or broadcast"
        case cloudMetadata = "cloud metadata"

        public var description: String { rawValue }
    }

    /// One blocked block and why.
    public struct BlockedRange: Sendable, Equatable {
        public var range: IPAddressRange
        public var refusal: Refusal
    }

    /// Cloud metadata services: 169.254.169.254 (AWS, GCP, Azure, Oracle, Huawei, OpenStack),
    /// 169.254.0.23 (Tencent Cloud), 100.100.100.200 (Alibaba Cloud) and fd00:ec2::254 (AWS over
    /// IPv6). Refused even when an allowed range covers them.
    public static let metadataRanges: [IPAddressRange] =
        ["169.254.169.254/32", "169.254.0.23/32", "100.100.100.200/32", "fd00:ec2::254/128"].map(Self.range)

    /// What is refused unless allowed. IPv4-mapped, IPv4-compatible, NAT64 and 6to4 IPv6 addresses
    /// are judged by the IPv4 address they carry, so these IPv4 blocks cover them too.
    public static let blockedRanges: [BlockedRange] = {
        let table: [(String, Refusal)] = [
            ("0.0.0.0/8", .unspecified), ("::/128", .unspecified),
            ("127.0.0.0/8", .loopback), ("::1/128", .loopback),
            ("10.0.0.0/8", .privateNetwork), ("172.16.0.0/12", .privateNetwork), ("192.168.0.0/16", .privateNetwork),
            ("100.64.0.0/10", .sharedAddressSpace),
            ("fc00::/7", .uniqueLocal), ("fec0::/10", .uniqueLocal),
            ("169.254.0.0/16", .linkLocal), ("fe80::/10", .linkLocal),
            ("224.0.0.0/4", .multicast), ("ff00::/8", .multicast),
            ("240.0.0.0/4", .reserved),
        ]
        return table.map { BlockedRange(range: Self.range($0.0), refusal: $0.1) }
    }()

    /// The default: public addresses only.
    public static let publicOnly = OutboundAddressPolicy()

    public init(allowing allowed: [IPAddressRange] = []) {
        self.allowed = allowed
    }

    /// Reads an allow list such as `127.0.0.1/32,10.0.0.0/8` (commas or spaces between entries;
    /// empty or absent allows nothing beyond the public internet). Throws on the first bad entry.
    public init(allowList text: String?) throws(IPAddressRange.ParseError) {
        self.init(allowing: try IPAddressRange.list(text ?? ""))
    }

    /// Nil when Siyu may connect to `address`; otherwise why not.
    public func refusal(for address: IPAddress) -> Refusal? {
        let judged = address.embeddedIPv4.map(IPAddress.v4) ?? address
        if Self.metadataRanges.contains(where: { $0.contains(judged) }) { return .cloudMetadata }
        if allowed.contains(where: { $0.contains(judged) || $0.contains(address) }) { return nil }
        return Self.blockedRanges.first { $0.range.contains(judged) }?.refusal
    }

    public func permits(_ address: IPAddress) -> Bool { refusal(for: address) == nil }

    /// For the tables above, whose entries are known good.
    private static func range(_ text: String) -> IPAddressRange {
        do { return try IPAddressRange(text) } catch { preconditionFailure("\(error)") }
    }
}
