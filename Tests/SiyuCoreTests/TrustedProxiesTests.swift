import Testing

@testable import SiyuCore

@Suite("CIDR ranges, trusted proxies and forwarded headers")
struct TrustedProxiesTests {
    @Test("CIDR parsing: IPv4, IPv6, single addresses; nonsense refused")
    func cidrParsing() {
        #expect(IPAddressRange(cidr: "10.0.0.0/8")?.description == "10.0.0.0/8")
        #expect(IPAddressRange(cidr: "10.1.2.3/8") == nil, "host bits under the prefix are a typo to report")
        #expect(IPAddressRange(cidr: "192.168.1.7")?.description == "192.168.1.7/32")
        #expect(IPAddressRange(cidr: "fd00::/8") != nil)
        #expect(IPAddressRange(cidr: "::1") != nil)
        for bad in ["", "10.0.0.0/33", "10.0.0/8", "fd00::/129", "10.0.0.0/-1", "10.0.0.0/8/9", "example.com", "10.0.0.0/ 8", "256.0.0.1"] {
            #expect(IPAddressRange(cidr: bad) == nil, "\(bad) should not parse")
        }
    }

    @Test("contains: prefixes of any length, IPv4-mapped IPv6, families kept apart")
    func contains() {
        let private10 = IPAddressRange(cidr: "10.0.0.0/8")!
        #expect(private10.contains("10.255.1.2"))
        #expect(!private10.contains("11.0.0.1"))
        #expect(private10.contains("::ffff:10.9.8.7"))
        #expect(!private10.contains("fd00::1"))
        #expect(!private10.contains("not an address"))
        let odd = IPAddressRange(cidr: "172.16.0.0/12")!
        #expect(odd.contains("172.31.255.255"))
        #expect(!odd.contains("172.32.0.0"))
        let v6 = IPAddressRange(cidr: "2001:db8:abcd::/48")!
        #expect(v6.contains("2001:db8:abcd:12::1"))
        #expect(!v6.contains("2001:db8:abce::1"))
        #expect(IPAddressRange(cidr: "0.0.0.0/0")!.contains("8.8.8.8"))
    }

    @Test("the client is the rightmost untrusted hop, and only a trusted peer's headers count")
    func clientAddress() {
        let proxies = TrustedProxies(ranges: [IPAddressRange(cidr: "10.0.0.0/8")!, IPAddressRange(cidr: "127.0.0.1")!])
        // An untrusted peer: headers ignored.
        #expect(proxies.clientAddress(peer: "203.0.113.5", forwarded: nil, xForwardedFor: "1.2.3.4") == "203.0.113.5")
        // A trusted peer with no header: the peer.
        #expect(proxies.clientAddress(peer: "10.0.0.2", forwarded: nil, xForwardedFor: nil) == "10.0.0.2")
        // The client's own spoofed entry (leftmost) is not believed; the rightmost untrusted hop is.
        #expect(proxies.clientAddress(peer: "10.0.0.2", forwarded: nil, xForwardedFor: "6.6.6.6, 198.51.100.9, 10.0.0.7") == "198.51.100.9")
        // Only trusted hops: the leftmost of them.
        #expect(proxies.clientAddress(peer: "127.0.0.1", forwarded: nil, xForwardedFor: "10.0.0.9,10.0.0.8") == "10.0.0.9")
        // Garbage stops the walk at the last trusted hop.
        #expect(proxies.clientAddress(peer: "10.0.0.2", forwarded: nil, xForwardedFor: "unknown") == "10.0.0.2")
        #expect(proxies.clientAddress(peer: "10.0.0.2", forwarded: nil, xForwardedFor: "1.1.1.1, garbage, 10.0.0.3") == "10.0.0.3")
        // IPv6 peers and hops.
        let v6 = TrustedProxies(ranges: [IPAddressRange(cidr: "fd00::/8")!])
        #expect(v6.clientAddress(peer: "fd00::1", forwarded: nil, xForwardedFor: "2001:db8::5") == "2001:db8::5")
    }

    @Test("Forwarded: for= is read (quoted, with ports, IPv6 in brackets) and wins over X-Forwarded-For")
    func forwardedHeader() {
        let proxies = TrustedProxies(ranges: [IPAddressRange(cidr: "10.0.0.0/8")!])
        #expect(proxies.clientAddress(peer: "10.0.0.2", forwarded: "for=198.51.100.17;proto=https;by=10.0.0.2", xForwardedFor: "1.1.1.1") == "198.51.100.17")
        #expect(proxies.clientAddress(peer: "10.0.0.2", forwarded: #"for="[2001:db8:cafe::17]:4711", for=10.0.0.5"#, xForwardedFor: nil) == "2001:db8:cafe::17")
        #expect(proxies.clientAddress(peer: "10.0.0.2", forwarded: "For=192.0.2.60:8080", xForwardedFor: nil) == "192.0.2.60")
        // One client, one spelling: IPv6 in its canonical form, IPv4-mapped as IPv4.
        #expect(proxies.clientAddress(peer: "10.0.0.2", forwarded: nil, xForwardedFor: "2001:DB8:0:0::5") == "2001:db8::5")
        #expect(proxies.clientAddress(peer: "10.0.0.2", forwarded: nil, xForwardedFor: "::ffff:198.51.100.9") == "198.51.100.9")
        #expect(proxies.clientAddress(peer: "10.0.0.2", forwarded: "for=_hidden", xForwardedFor: nil) == "10.0.0.2")
        #expect(TrustedProxies.forHops("for=1.2.3.4, for=5.6.7.8;proto=http") == ["1.2.3.4", "5.6.7.8"])
    }

    @Test("the setting: comma or space separated; a bad entry is named")
    func parseSetting() throws {
        let parsed = try TrustedProxies.parse("10.0.0.0/8, 192.168.0.0/16 ::1").get()
        #expect(parsed.ranges.count == 3)
        #expect(try TrustedProxies.parse("").get() == .empty)
        guard case .failure(let error) = TrustedProxies.parse("10.0.0.0/8,proxy.internal") else {
            Issue.record("a host name should be refused")
            return
        }
        #expect(error.message.contains("proxy.internal"))
    }

    @Test("loopback is 127.0.0.0/8 and ::1")
    func loopback() {
        #expect(TrustedProxies.isLoopback("127.0.0.1"))
        #expect(TrustedProxies.isLoopback("127.8.9.10"))
        #expect(TrustedProxies.isLoopback("::1"))
        #expect(TrustedProxies.isLoopback("::ffff:127.0.0.1"))
        #expect(!TrustedProxies.isLoopback("10.0.0.1"))
    }
}
