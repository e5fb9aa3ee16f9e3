import Foundation

/// Builds a synthetic customer base and times segment counts over it, for `siyu bench segments`.
public enum SegmentBenchmark {
    /// The expressions timed, with `T<n>` tags (`T0` the most popular) and channels `c0`…`c5`.
    public static func expressions(tags: Int) -> [String: String] {
        let small = min(150, tags - 1), middle = min(3, tags - 1)
        return [
            "example": "tag \"T0\" and (tag \"T\(middle)\" or tag \"T\(small)\") and not tag \"T1\" and channel in (\"c0\", \"c2\", \"c4\") and added after 2025-03-01",
            "tags": "tag \"T5\" and tag any (\"T\(min(20, tags - 1))\", \"T\(min(100, tags - 1))\") and not tag \"T2\"",
            "orders": "orders count >= 2 and orders amount >= 199.00 and orders last within 90 days and last_contact within 30 days",
        ]
    }

    /// The day the synthetic data treats as today.
    public static let today = SegmentDay(year: 2026, month: 3, day: 1)!

    /// Builds an index deterministically from `seed` and returns milliseconds (medians of `runs`
    /// runs; the build once): `build_ms`, `example_count_ms`, `tags_count_ms`,
    /// `orders_count_ms`, `members_ms`; and `resident_bytes`, `customers`, `tag_assignments`,
    /// `example_count`, `tags_count`, `orders_count`.
    ///
    /// Tag popularity is skewed (weight of tag `i` ∝ (i + 1)^-0.8, so `T0` is on about half the
    /// customers and the rarest on well under 1%); 6 channels, 20 members in 4 departments,
    /// added days over 2 years, 85% active, orders on a third of customers.
    public static func run(
        customers: Int = 1_000_000, tags: Int = 200, assignmentsPerCustomer: Double = 7, seed: UInt64, runs: Int = 7
    ) -> [String: Double] {
        precondition(customers > 0 && tags >= 2 && runs > 0)
        var figures: [String: Double] = ["customers": Double(customers)]
        var index = SegmentIndex(calendar: .platform)
        var assignments = 0
        figures["build_ms"] = milliseconds {
            assignments = populate(&index, customers: customers, tags: tags, perCustomer: assignmentsPerCustomer, seed: seed)
        }
        figures["tag_assignments"] = Double(assignments)
        figures["resident_bytes"] = Double(index.residentBytes)
        for (name, text) in expressions(tags: tags) {
            let expression = try! SegmentParser.parse(text)
            var count = 0
            figures["\(name)_count_ms"] = median(runs) { count = try! index.count(expression, today: today) }
            figures["\(name)_count"] = Double(count)
        }
        let example = try! SegmentParser.parse(expressions(tags: tags)["example"]!)
        figures["members_ms"] = median(runs) { _ = try! index.members(example, today: today) }
        return figures
    }

    /// Fills `index` with `customers` synthetic customers; returns the number of tag assignments.
    static func populate(_ index: inout SegmentIndex, customers: Int, tags: Int, perCustomer: Double, seed: UInt64) -> Int {
        var random = SplitMix64(seed: seed)
        var cumulative: [Double] = []
        var total = 0.0
        for i in 0..<tags {
            total += 1 / pow(Double(i + 1), 0.8)
            cumulative.append(total)
        }
        let keys = (0..<tags).map { index.defineTag(id: "tag-\($0)", name: "T\($0)") }
        let channels = (0..<6).map { "c\($0)" }
        let members = (0..<20).map { "m\($0)" }
        var assignments = 0
        var chosen: [Int] = []
        for ordinal in 0..<Int32(customers) {
            let member = random.below(20)
            var customer = SegmentCustomer(
                addedOn: SegmentDay(rawValue: today.rawValue - Int32(random.below(730))),
                status: random.below(100) < 85 ? .active : .lost,
                channels: [channels[random.below(6)]], members: [members[member]], departments: [1 + member % 4])
            if random.below(100) < 80 { customer.lastContact = SegmentDay(rawValue: today.rawValue - Int32(random.below(180))) }
            if random.below(3) == 0 {
                customer.orderCount = 1 + random.below(10)
                customer.orderAmountFen = Int64(1_000 + random.below(500_000))
                customer.lastOrder = SegmentDay(rawValue: today.rawValue - Int32(random.below(365)))
            }
            index.setCustomer(ordinal, customer)
            chosen.removeAll(keepingCapacity: true)
            let wanted = min(tags, Int(random.unit() * (2 * perCustomer + 1)))
            while chosen.count < wanted {
                let target = random.unit() * total
                var low = 0, high = tags - 1
                while low < high {
                    let mid = (low + high) >> 1
                    if cumulative[mid] < target { low = mid + 1 } else { high = mid }
                }
                if !chosen.contains(low) { chosen.append(low) }
            }
            for tag in chosen { index.addTag(ordinal, keys[tag]) }
            assignments += chosen.count
        }
        return assignments
    }

    private static func milliseconds(_ body: () -> Void) -> Double {
        let elapsed = ContinuousClock().measure(body)
        return elapsed.timeInterval * 1_000
    }

    private static func median(_ runs: Int, _ body: () -> Void) -> Double {
        let times = (0..<runs).map { _ in milliseconds(body) }.sorted()
        return times[times.count / 2]
    }
}

/// A small, fast, seedable generator (SplitMix64), so synthetic data is the same on every machine.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `0..<bound`.
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    /// Uniform in `[0, 1)`.
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
