import Foundation
import Testing

@testable import SiyuCore

@Suite("Ordinal sets: the ledger's stored form")
struct OrdinalSetTests {
    /// A deterministic generator, so a failing case can be replayed.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state
        }
    }

    @Test("sparse and dense sets round-trip through their stored bytes, each in the smaller encoding, and agree with Set on union and difference")
    func roundTripAndAlgebra() throws {
        var random = Generator(state: 12)
        for round in 0..<200 {
            let span = Int64([10, 1_000, 100_000, 5_000_000][round % 4])
            let count = Int.random(in: 0...3_000, using: &random)
            let base = Int64.random(in: 1...1_000_000_000, using: &random)
            let left = (0..<count).map { _ in base + Int64.random(in: 0..<span, using: &random) }
            let right = (0..<count / 2).map { _ in base + Int64.random(in: 0..<span, using: &random) }
            let a = OrdinalSet(left), b = OrdinalSet(right)
            #expect(a.members == Set(left).sorted())
            let decoded = try OrdinalSet(encoded: a.encoded)
            #expect(decoded == a)
            #expect(a.union(b).members == Set(left).union(right).sorted())
            #expect(a.subtracting(b).members == Set(left).subtracting(right).sorted())
            #expect(left.prefix(20).allSatisfy(a.contains))
            if let last = a.members.last { #expect(!a.contains(last + 1) || Set(left).contains(last + 1)) }
        }
        // A million consecutive customers cost about a bit each; a handful far apart a few bytes each.
        #expect(OrdinalSet(1...1_000_000).encoded.count < 125_100)
        #expect(OrdinalSet([5, 9_000_000, 4_000_000_000]).encoded.count < 16)
        #expect(try OrdinalSet(encoded: OrdinalSet().encoded).isEmpty)
    }

    @Test("bytes no encoding produces are refused, never read as some other set")
    func corruptBytesAreRefused() {
        for bytes: [UInt8] in [[], [9, 1, 2], [1, 0x80], [1, 0], [2, 0x80]] {
            #expect(throws: DecodingError.self, "\(bytes)") { _ = try OrdinalSet(encoded: Data(bytes)) }
        }
    }
}
