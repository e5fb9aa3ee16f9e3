import Foundation
@testable import SiyuCore
import Testing

@Suite("The audience builder writes expressions that parse, read back and count as typed by hand")
struct SegmentBuilderTests {
    /// Each builder, and the same audience as a person would type it.
    static func cases() -> [(SegmentBuilder, String)] {
        func make(_ configure: (inout SegmentBuilder) -> Void) -> SegmentBuilder {
            var builder = SegmentBuilder()
            configure(&builder)
            return builder
        }
        return [
            (make { $0.allTags = ["T1", "T2"] }, #"tag all ("T1", "T2")"#),
            (make { $0.allTags = ["T0"] }, #"tag "T0""#),
            (make { $0.anyTags = ["tag-3", "T4"]; $0.noTags = ["T5"] }, #"tag any ("tag-3", "T4") and tag none ("T5")"#),
            (make { $0.channels = ["渠道1"]; $0.members = ["m2", "成员3"]; $0.departments = [1, 2] },
             #"channel = "渠道1" and member in ("m2", "成员3") and department in (1, 2)"#),
            (make { $0.groups = ["wr1", "group 2"]; $0.status = .active; $0.addedAfter = SegmentDay(iso: "2025-06-01"); $0.addedBefore = SegmentDay(iso: "2026-02-01") },
             #"group in ("wr1", "group 2") and status = active and added after 2025-06-01 and added before 2026-02-01"#),
            (make { $0.addedWithinDays = 90; $0.lastContact = .notWithin(days: 14) }, "added within 90 days and not last_contact within 14 days"),
            (make { $0.lastContact = .never; $0.ordersCount = .init(.greaterOrEqual, 2); $0.ordersAmount = .init(.greaterOrEqual, 19_900); $0.lastOrderWithinDays = 30 },
             "no contact and orders count >= 2 and orders amount >= 199.00 and orders last within 30 days"),
            (make { $0.lastContact = .within(days: 7); $0.status = .lost }, "status = lost and last_contact within 7 days"),
            (make { $0.ordersCount = .init(.less, 1) }, "orders count < 1"),
        ]
    }

    @Test("every builder's expression parses to itself, reads back into the builder, and counts what the typed one counts")
    func writesWhatIsTyped() throws {
        let population = Population(size: 4_000, seed: 7)
        var matched = 0
        for (builder, typed) in Self.cases() {
            let written = try #require(builder.expression, "\(typed)")
            let reparsed = try SegmentParser.parse(written.description)
            #expect(reparsed == written, "\(written)")
            #expect(SegmentBuilder(expression: reparsed) == builder, "\(written) reads back")
            let byHand = try SegmentParser.parse(typed)
            let count = try population.index.count(written, today: Population.today)
            #expect(count == (try population.index.count(byHand, today: Population.today)), "\(typed)")
            matched += count
        }
        #expect(matched > 0, "the fixture makes some audiences non-empty")
    }

    @Test("nothing chosen writes nothing; what the builder cannot say stays an expression")
    func limits() throws {
        #expect(SegmentBuilder().expression == nil)
        for text in [#"tag "T1" or tag "T2""#, #"not tag "T1""#, "added within 3 days and added within 5 days", #"(tag "T1" or status = lost) and status = active"#] {
            #expect(SegmentBuilder(expression: try SegmentParser.parse(text)) == nil, "\(text)")
        }
    }
}
