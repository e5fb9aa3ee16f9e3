import SiyuCore
import Testing

@Suite("Outbound address policy: addresses, spellings, ranges")
struct OutboundAddressPolicyTests {
    static let policy = OutboundAddressPolicy.publicOnly

    static func v4(_ text: String) throws -> IPAddress { try #require(IPAddress(text)) }

    @Test("IPv4 spellings that resolvers and browsers accept are all read as the address they reach", arguments: [
        ("127.0.0.1", "127.0.0.1"), ("2130706433", "127.0.0.1"), ("0x7f000001", "127.0.0.1"), ("017700000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"), ("0x7f.0.0.1", "127.0.0.1"), ("0x7F.0x0.0x0.0x1", "127.0.0.1"), ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"), ("10.1.2", "10.1.0.2"), ("127.0.0.1.", "127.0.0.1"), ("0", "0.0.0.0"), ("0x", "0.0.0.0"),
        ("169.254.43518", "169.254.169.254"), ("0xa9fea9fe", "169.254.169.254"), ("3232235777", "192.168.1.1"), ("1.2.3.4", "1.2.3.4"),
    ])
    func lenientIPv4(host: String, canonical: String) throws {
        #expect(IPAddress(urlHost: host)?.description == canonical)
    }

    @Test("names, and numbers no resolver reads as an address, are not addresses", arguments: [
        "example.com", "localhost", "1.2.3.4.5", "256.1.1.1", "1.2.3.256", "4294967296", "08", "0x1g", "1..2", "", ".",
        "+1", "-1", "1.2.3.0x100", "999999999999999999999999999999999", "[127.0.0.1]", "[2130706433]", "12ab",
    ])
    func notAddresses(host: String) {
        #expect(IPAddress(urlHost: host) == nil)
    }

    @Test("IPv6 text: compression, brackets, zones, embedded IPv4; canonical output per RFC 5952", arguments: [
        ("::1", "::1"), ("[::1]", "::1"), ("0:0:0:0:0:0:0:1", "::1"), ("::", "::"), ("fe80::1%eth0", "fe80::1"),
        ("[fe80::1%25eth0]", "fe80::1"), ("::ffff:127.0.0.1", "::ffff:7f00:1"), ("::FFFF:7F00:1", "::ffff:7f00:1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"), ("2001:0db8::0001", "2001:db8::1"), ("fd00:ec2::254", "fd00:ec2::254"),
        ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"), ("1::", "1::"), ("64:ff9b::10.0.0.1", "64:ff9b::a00:1"), ("1:0:2::", "1:0:2::"),
    ])
    func ipv6(text: String, canonical: String) {
        #expect(IPAddress(urlHost: text)?.description == canonical)
    }

    @Test("malformed IPv6 is not an address", arguments: [
        ":::", "1:::2", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::", "g::1", "::ffff:1.2.3", "::1.2.3.4:5", "1:2:3:4:5:6:7::8",
    ])
    func badIPv6(text: String) {
        #expect(IPAddress(urlHost: text) == nil)
    }

    @Test("strict text (configuration) refuses the odd spellings")
    func strict() {
        for text in ["2130706433", "127.1", "0177.0.0.1", "0x7f.0.0.1", "127.0.0.1.", "01.2.3.4", " 1.2.3.4"] {
            #expect(IPAddress(text) == nil, "\(text)")
        }
        #expect(IPAddress("10.0.0.1") == .v4(0x0A00_0001))
        #expect(IPAddress("::1") == .v6(high: 0, low: 1))
    }

    @Test("every blocked range refuses its first, middle and last address, with its reason", arguments: [
        ("0.0.0.0", "unspecified"), ("0.255.255.255", "unspecified"), ("::", "unspecified"),
        ("127.0.0.1", "loopback"), ("127.255.255.254", "loopback"), ("::1", "loopback"),
        ("10.0.0.0", "private"), ("10.255.255.255", "private"), ("172.16.0.1", "private"), ("172.31.255.255", "private"),
        ("192.168.0.1", "private"), ("192.168.255.255", "private"),
        ("100.64.0.0", "shared (carrier-grade NAT)"), ("100.127.255.255", "shared (carrier-grade NAT)"),
        ("fc00::", "unique local"), ("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "unique local"), ("fec0::1", "unique local"),
        ("169.254.0.1", "link-local"), ("169.254.255.255", "link-local"), ("fe80::", "link-local"), ("febf::1", "link-local"),
        ("224.0.0.1", "multicast"), ("239.255.255.255", "multicast"), ("ff02::1", "multicast"), ("ffff::", "multicast"),
        ("240.0.0.1", "reserved or broadcast"), ("255.255.255.255", "reserved or broadcast"),
        ("169.254.169.254", "cloud metadata"), ("169.254.0.23", "cloud metadata"), ("100.100.100.200", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
    ])
    func blocked(text: String, reason: String) throws {
        let address = try #require(IPAddress(urlHost: text))
        #expect(Self.policy.refusal(for: address)?.rawValue == reason)
        #expect(!Self.policy.permits(address))
    }

    @Test("addresses just outside the blocked ranges, and public ones, are allowed", arguments: [
        "1.1.1.1", "8.8.8.8", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0", "126.255.255.255", "128.0.0.0",
        "169.253.255.255", "169.255.0.0", "172.15.255.255", "172.32.0.0", "192.167.255.255", "192.169.0.0", "223.255.255.255",
        "2001:4860:4860::8888", "2400:3200::1", "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fe00::1", "fe7f::1",
        "::ffff:8.8.8.8", "64:ff9b::8.8.8.8", "2002:0808:0808::1",
    ])
    func allowed(text: String) throws {
        let address = try #require(IPAddress(urlHost: text))
        #expect(Self.policy.refusal(for: address) == nil)
    }

    @Test("IPv6 forms that carry an IPv4 address are judged as that address", arguments: [
        ("::ffff:127.0.0.1", "loopback"), ("::ffff:7f00:1", "loopback"), ("::ffff:10.0.0.1", "private"),
        ("::ffff:169.254.169.254", "cloud metadata"), ("::127.0.0.1", "loopback"), ("::10.0.0.1", "private"),
        ("64:ff9b::127.0.0.1", "loopback"), ("64:ff9b::a9fe:a9fe", "cloud metadata"), ("2002:7f00:1::", "loopback"),
        ("2002:c0a8:101::1", "private"), ("::ffff:0.0.0.0", "unspecified"), ("::ffff:255.255.255.255", "reserved or broadcast"),
    ])
    func embedded(text: String, reason: String) throws {
        let address = try #require(IPAddress(urlHost: text))
        #expect(Self.policy.refusal(for: address)?.rawValue == reason)
    }

    @Test("odd spellings of internal addresses are refused once read", arguments: [
        "2130706433", "127.1", "0x7f.1", "0177.0.0.01", "017700000001", "0xa9fea9fe", "169.254.43518", "10.1", "0", "[::ffff:127.0.0.1]",
    ])
    func oddSpellingsRefused(host: String) throws {
        let address = try #require(IPAddress(urlHost: host))
        #expect(!Self.policy.permits(address))
    }

    @Test("CIDR text: blocks, single addresses, IPv6; host bits, bad prefixes and odd spellings are refused")
    func cidr() throws {
        let ten = try IPAddressRange("10.0.0.0/8")
        #expect(ten.contains(try Self.v4("10.255.0.1")))
        #expect(!ten.contains(try Self.v4("11.0.0.0")))
        #expect(!ten.contains(try #require(IPAddress("::ffff:10.0.0.1"))), "a range holds one family; the policy unwraps mapped addresses")
        #expect(try IPAddressRange("127.0.0.1").description == "127.0.0.1/32")
        #expect(try IPAddressRange("0.0.0.0/0").contains(try Self.v4("8.8.8.8")))
        #expect(try IPAddressRange("fd00::/8").contains(try #require(IPAddress("fdab::1"))))
        #expect(try IPAddressRange("::/0").contains(try #require(IPAddress("2001:db8::1"))))
        #expect(try IPAddressRange("2001:db8::1/128").description == "2001:db8::1/128")
        #expect(try IPAddressRange("2001:db8:8000::/33").contains(try #require(IPAddress("2001:db8:ffff::1"))))
        #expect(try !IPAddressRange("2001:db8:8000::/33").contains(try #require(IPAddress("2001:db8:7fff::1"))))
        for bad in ["10.1.2.3/8", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8/8", "fd00::1/8", "::/129", "127.1/32", "2130706433", "x", ""] {
            #expect(throws: IPAddressRange.ParseError.self, "\(bad)") { try IPAddressRange(bad) }
        }
        do {
            _ = try IPAddressRange("10.1.2.3/8")
        } catch {
            #expect(error.description.contains("10.0.0.0/8"), "the message names the block that was probably meant")
        }
    }

    @Test("an allow list opens exactly its ranges, for mapped IPv6 too, but never the metadata endpoints")
    func allowList() throws {
        let policy = try OutboundAddressPolicy(allowList: "127.0.0.1/32, 10.0.0.0/8 fd00::/8,169.254.0.0/16")
        #expect(policy.allowed.map(\.description) == ["127.0.0.1/32", "10.0.0.0/8", "fd00::/8", "169.254.0.0/16"])
        #expect(policy.permits(try Self.v4("127.0.0.1")))
        #expect(policy.permits(try #require(IPAddress(urlHost: "::ffff:127.0.0.1"))))
        #expect(policy.permits(try #require(IPAddress(urlHost: "2130706433"))))
        #expect(policy.refusal(for: try Self.v4("127.0.0.2")) == .loopback)
        #expect(policy.refusal(for: IPAddress.v6(high: 0, low: 1)) == .loopback, "::1 is not 127.0.0.1")
        #expect(policy.permits(try Self.v4("10.20.30.40")))
        #expect(policy.refusal(for: try Self.v4("192.168.1.1")) == .privateNetwork)
        #expect(policy.permits(try #require(IPAddress("fd12::1"))))
        #expect(policy.permits(try Self.v4("169.254.1.1")))
        #expect(policy.refusal(for: try Self.v4("169.254.169.254")) == .cloudMetadata)
        #expect(policy.refusal(for: try #require(IPAddress("fd00:ec2::254"))) == .cloudMetadata)
        let everything = try OutboundAddressPolicy(allowList: "0.0.0.0/0,::/0")
        #expect(everything.permits(try Self.v4("127.0.0.1")))
        #expect(everything.refusal(for: try Self.v4("100.100.100.200")) == .cloudMetadata)
    }

    @Test("an absent or empty allow list is the default; a bad entry is reported by name")
    func allowListText() throws {
        #expect(try OutboundAddressPolicy(allowList: nil) == .publicOnly)
        #expect(try OutboundAddressPolicy(allowList: " , ") == .publicOnly)
        #expect(OutboundAddressPolicy.publicOnly.allowed.isEmpty)
        do {
            _ = try OutboundAddressPolicy(allowList: "127.0.0.1/32,10.0.0.0/8x")
            Issue.record("a bad entry was accepted")
        } catch {
            #expect(error.entry == "10.0.0.0/8x")
        }
    }
}
