import Foundation
@testable import SiyuCore
import Testing

/// A small random population held plainly, with a brute-force evaluator to check the index against.
struct Population {
    static let today = SegmentDay(iso: "2026-03-01")!
    static let tagCount = 30, channelCount = 5, memberCount = 8, groupCount = 12

    var customers: [Int32: SegmentCustomer] = [:]
    var index = SegmentIndex(calendar: .platform)
    var random: SplitMix64

    init(size: Int, seed: UInt64) {
        random = SplitMix64(seed: seed)
        for t in 0..<Self.tagCount { index.defineTag(id: "tag-\(t)", name: "T\(t)") }
        for c in 0..<Self.channelCount { index.define(.channel, id: "c\(c)", name: "渠道\(c)") }
        for m in 0..<Self.memberCount { index.define(.member, id: "m\(m)", name: "成员\(m)") }
        for d in 1...4 { index.define(.department, id: "\(d)", name: "D\(d)") }
        for g in 0..<Self.groupCount { index.define(.group, id: "wr\(g)", name: "group \(g)") }
        for ordinal in 0..<Int32(size) where Int.random(in: 0..<10, using: &random) != 0 {
            set(ordinal, randomCustomer())
        }
    }

    mutating func set(_ ordinal: Int32, _ customer: SegmentCustomer) {
        customers[ordinal] = customer
        index.setCustomer(ordinal, customer)
    }

    mutating func randomDay(within days: Int) -> SegmentDay {
        SegmentDay(rawValue: Self.today.rawValue - Int32(Int.random(in: -3..<days, using: &random)))
    }

    mutating func randomCustomer() -> SegmentCustomer {
        // Skewed tags: low numbers are common, high numbers rare, so sets are both lists and bitmaps.
        let tags = (0..<Int.random(in: 0...6, using: &random)).map { _ in
            "tag-\(Int(Double(Self.tagCount) * pow(Double.random(in: 0..<1, using: &random), 2.5)))"
        }
        let members = (0..<Int.random(in: 0...2, using: &random)).map { _ in Int.random(in: 0..<Self.memberCount, using: &random) }
        let orders = Int.random(in: 0..<3, using: &random) == 0 ? 0 : Int.random(in: 1...6, using: &random)
        return SegmentCustomer(
            addedOn: randomDay(within: 400),
            status: Bool.random(using: &random) ? .active : .lost,
            channels: Int.random(in: 0..<5, using: &random) == 0 ? [] : ["c\(Int.random(in: 0..<Self.channelCount, using: &random))"],
            members: members.map { "m\($0)" },
            departments: members.map { 1 + $0 % 4 },
            groups: (0..<Int.random(in: 0...2, using: &random)).map { _ in "wr\(Int.random(in: 0..<Self.groupCount, using: &random))" },
            tags: Array(Set(tags)),
            lastContact: Bool.random(using: &random) ? randomDay(within: 60) : nil,
            orderCount: orders,
            orderAmountFen: orders == 0 ? 0 : Int64.random(in: 100...100_000, using: &random),
            lastOrder: orders == 0 ? nil : randomDay(within: 200))
    }

    // MARK: Random expressions

    mutating func randomName(_ prefix: String, _ displayPrefix: String, _ count: Int) -> SegmentName {
        let n = Int.random(in: 0..<count, using: &random)
        return SegmentName(Bool.random(using: &random) ? "\(prefix)\(n)" : "\(displayPrefix)\(n)")
    }

    mutating func randomNames(_ prefix: String, _ displayPrefix: String, _ count: Int) -> [SegmentName] {
        (0..<Int.random(in: 1...3, using: &random)).map { _ in randomName(prefix, displayPrefix, count) }
    }

    mutating func randomDateTest(allowingNone: Bool) -> SegmentDateTest {
        switch Int.random(in: 0..<(allowingNone ? 4 : 3), using: &random) {
        case 0: return .after(randomDay(within: 300))
        case 1: return .before(randomDay(within: 300))
        case 2: return .within(days: Int.random(in: 1...90, using: &random))
        default: return .none
        }
    }

    mutating func randomCondition() -> SegmentCondition {
        switch Int.random(in: 0..<11, using: &random) {
        case 0, 1: return .tags(.all, [randomName("tag-", "T", Self.tagCount)])
        case 2: return .tags([.all, .any, .none].randomElement(using: &random)!, randomNames("tag-", "T", Self.tagCount))
        case 3: return .attribute(.channel, randomNames("c", "渠道", Self.channelCount))
        case 4: return .attribute(.member, randomNames("m", "成员", Self.memberCount))
        case 5: return .attribute(.department, (0..<Int.random(in: 1...2, using: &random)).map { _ in SegmentName("\(Int.random(in: 1...4, using: &random))") })
        case 6: return .attribute(.group, randomNames("wr", "group ", Self.groupCount))
        case 7: return .status(Bool.random(using: &random) ? .active : .lost)
        case 8:
            let field = [SegmentDateField.added, .lastContact, .lastOrder].randomElement(using: &random)!
            return .date(field, randomDateTest(allowingNone: field != .added))
        default:
            let measure: SegmentOrderMeasure = Bool.random(using: &random) ? .count : .amount
            let value = measure == .count ? Int64.random(in: 0...6, using: &random) : Int64.random(in: 0...100_000, using: &random)
            return .orders(measure, SegmentComparison.allCases.randomElement(using: &random)!, value)
        }
    }

    mutating func randomExpression(depth: Int) -> SegmentExpression {
        let choice = depth == 0 ? 3 : Int.random(in: 0..<5, using: &random)
        switch choice {
        case 0: return .and((0..<Int.random(in: 2...3, using: &random)).map { _ in randomExpression(depth: depth - 1) })
        case 1: return .or((0..<Int.random(in: 2...3, using: &random)).map { _ in randomExpression(depth: depth - 1) })
        case 2: return .not(randomExpression(depth: depth - 1))
        default: return .condition(randomCondition())
        }
    }

    // MARK: Brute force

    func matches(_ expression: SegmentExpression, _ customer: SegmentCustomer) -> Bool {
        switch expression {
        case .and(let parts): return parts.allSatisfy { matches($0, customer) }
        case .or(let parts): return parts.contains { matches($0, customer) }
        case .not(let inner): return !matches(inner, customer)
        case .condition(let condition): return matches(condition, customer)
        }
    }

    /// `T7` → `tag-7`, `渠道2` → `c2`, and so on; ids stay ids.
    func id(_ name: SegmentName, _ prefix: String, _ displayPrefix: String) -> String {
        name.text.hasPrefix(prefix) ? name.text : prefix + name.text.dropFirst(displayPrefix.count)
    }

    func matches(_ condition: SegmentCondition, _ c: SegmentCustomer) -> Bool {
        switch condition {
        case .tags(let match, let names):
            let has = names.map { c.tags.contains(id($0, "tag-", "T")) }
            switch match {
            case .all: return !has.contains(false)
            case .any: return has.contains(true)
            case .none: return !has.contains(true)
            }
        case .attribute(.channel, let names): return names.contains { c.channels.contains(id($0, "c", "渠道")) }
        case .attribute(.member, let names): return names.contains { c.members.contains(id($0, "m", "成员")) }
        case .attribute(.department, let names): return names.contains { c.departments.contains(Int($0.text)!) }
        case .attribute(.group, let names): return names.contains { c.groups.contains(id($0, "wr", "group ")) }
        case .status(let status): return c.status == status
        case .date(let field, let test):
            let day = field == .added ? c.addedOn : field == .lastContact ? c.lastContact : c.lastOrder
            switch test {
            case .after(let limit): return day.map { $0 > limit } ?? false
            case .before(let limit): return day.map { $0 < limit } ?? false
            case .within(let days): return day.map { $0.rawValue > Self.today.rawValue - Int32(days) } ?? false
            case .none: return day == nil
            }
        case .orders(let measure, let comparison, let value):
            let actual = measure == .count ? Int64(c.orderCount) : c.orderAmountFen
            switch comparison {
            case .equal: return actual == value
            case .notEqual: return actual != value
            case .less: return actual < value
            case .lessOrEqual: return actual <= value
            case .greater: return actual > value
            case .greaterOrEqual: return actual >= value
            }
        }
    }

    func expected(_ expression: SegmentExpression) -> [Int32] {
        customers.filter { matches(expression, $0.value) }.keys.sorted()
    }

    func check(_ expression: SegmentExpression) throws {
        let members = try index.members(expression, today: Self.today)
        #expect(members == expected(expression), "\(expression)")
        #expect(try index.count(expression, today: Self.today) == members.count, "\(expression)")
    }
}

@Suite("Segment index")
struct SegmentsIndexTests {
    @Test("random expressions count and list exactly what brute force finds, and round-trip as text")
    func randomExpressions() throws {
        var population = Population(size: 2_500, seed: 7)
        #expect(population.index.customerCount == population.customers.count)
        for _ in 0..<300 {
            let expression = population.randomExpression(depth: 3)
            #expect(try SegmentParser.parse(expression.description) == expression, "\(expression)")
            try population.check(expression)
        }
    }

    @Test("changes show at once, and random changes keep the index equal to brute force")
    func mutations() throws {
        var population = Population(size: 2_000, seed: 11)
        let vip = try SegmentParser.parse("tag T3 and status = active")
        let ordinal = population.customers.keys.sorted()[10]
        var customer = population.customers[ordinal]!
        customer.tags = ["tag-3"]
        customer.status = .active
        population.set(ordinal, customer)
        let before = try population.index.count(vip, now: Date())
        population.index.removeTag(ordinal, "tag-3")
        #expect(try population.index.count(vip, now: Date()) == before - 1)
        population.index.addTag(ordinal, "tag-3")
        #expect(try population.index.count(vip, now: Date()) == before)
        population.index.setStatus(ordinal, .lost)
        population.customers[ordinal]!.status = .lost
        #expect(try population.index.count(vip, now: Date()) == before - 1)
        #expect(try population.index.members(SegmentParser.parse("status = lost"), now: Date()).contains(ordinal))

        for round in 0..<300 {
            let ordinal = Int32.random(in: 0..<2_100, using: &population.random)
            switch round % 5 {
            case 0: population.set(ordinal, population.randomCustomer())
            case 1:
                population.customers[ordinal] = nil
                population.index.removeCustomer(ordinal)
            case 2 where population.customers[ordinal] != nil:
                let tag = "tag-\(Int.random(in: 0..<Population.tagCount, using: &population.random))"
                population.customers[ordinal]!.tags.append(tag)
                population.customers[ordinal]!.tags = Array(Set(population.customers[ordinal]!.tags))
                population.index.addTag(ordinal, tag)
            case 3 where population.customers[ordinal]?.tags.isEmpty == false:
                let tag = population.customers[ordinal]!.tags.removeFirst()
                population.index.removeTag(ordinal, tag)
            case 4 where population.customers[ordinal] != nil:
                let groups = ["wr\(round % Population.groupCount)"]
                population.customers[ordinal]!.groups = groups
                population.index.setGroups(ordinal, groups)
                let day = population.randomDay(within: 30)
                population.customers[ordinal]!.lastContact = day
                population.index.setLastContact(ordinal, day)
                population.customers[ordinal]!.orderCount = 2
                population.customers[ordinal]!.orderAmountFen = 19_900
                population.customers[ordinal]!.lastOrder = day
                population.index.setOrders(ordinal, count: 2, amountFen: 19_900, last: day)
            default: break
            }
            if round % 10 == 0 { try population.check(population.randomExpression(depth: 2)) }
        }
        #expect(population.index.customerCount == population.customers.count)
        for _ in 0..<50 { try population.check(population.randomExpression(depth: 3)) }
    }

    @Test("unknown and ambiguous names point at where they were written")
    func unknownNames() throws {
        var index = SegmentIndex(calendar: .platform)
        index.defineTag(id: "et1", name: "VIP")
        index.defineTag(id: "et2", name: "Twin")
        index.defineTag(id: "et3", name: "Twin")
        index.define(.channel, id: "c1", name: "门店")
        #expect(try index.count(SegmentParser.parse("tag VIP and channel = 门店 and tag et3"), now: Date()) == 0)
        let cases: [(String, SegmentError.Code, Int)] = [
            ("tag VIP and channel in (\"门店\", \"nope\")", .unknownName, 31),
            ("tag any (VIP, Gold)", .unknownName, 15),
            ("tag Twin", .ambiguousName, 5),
            ("member = zhangsan", .unknownName, 10),
        ]
        for (text, code, column) in cases {
            do {
                _ = try index.count(SegmentParser.parse(text), now: Date())
                Issue.record("\(text) counted")
            } catch {
                #expect(error.code == code, "\(error)")
                #expect(error.position?.column == column, "\(error)")
            }
        }
    }

    @Test("not is relative to the customers present")
    func universe() throws {
        var index = SegmentIndex(calendar: .platform)
        let day = SegmentDay(iso: "2026-01-01")!
        for ordinal in [Int32(0), 5, 64, 200] { index.setCustomer(ordinal, SegmentCustomer(addedOn: day, tags: ordinal == 5 ? ["A"] : [])) }
        index.removeCustomer(64)
        #expect(try index.members(SegmentParser.parse("not tag A"), now: Date()) == [0, 200])
        #expect(try index.members(SegmentParser.parse("orders count = 0"), now: Date()) == [0, 5, 200])
        #expect(try index.members(SegmentParser.parse("not added after 2026-01-01"), now: Date()) == [0, 5, 200])
        #expect(try index.count(SegmentParser.parse("no contact or tag A"), now: Date()) == 3)
    }

    @Test("the benchmark runs on a small population")
    func benchmark() {
        let figures = SegmentBenchmark.run(customers: 5_000, tags: 20, seed: 1, runs: 1)
        #expect(figures["customers"] == 5_000)
        #expect((figures["example_count"] ?? -1) >= 0)
        #expect(figures["tag_assignments"] ?? 0 > 20_000)
    }
}
