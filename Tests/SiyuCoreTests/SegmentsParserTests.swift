import Foundation
import SiyuCore
import Testing

@Suite("Segment language")
struct SegmentsParserTests {
    static func day(_ text: String) -> SegmentDay { SegmentDay(iso: text)! }

    @Test("every condition form parses", arguments: [
        ("tag \"VIP\"", SegmentCondition.tags(.all, ["VIP"])),
        ("TAG VIP", .tags(.all, ["VIP"])),
        ("tag 高价值", .tags(.all, ["高价值"])),
        ("tag all (\"A\", \"B\")", .tags(.all, ["A", "B"])),
        ("tag any (A, \"B c\")", .tags(.any, ["A", "B c"])),
        ("tag none（\"A\"，\"B\"）", .tags(.none, ["A", "B"])),
        ("channel = \"x\"", .attribute(.channel, ["x"])),
        ("channel in (\"a\",\"b\")", .attribute(.channel, ["a", "b"])),
        ("member = zhangsan", .attribute(.member, ["zhangsan"])),
        ("member in (\"a\")", .attribute(.member, ["a"])),
        ("department in (1, 2)", .attribute(.department, ["1", "2"])),
        ("group in (\"wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA\")", .attribute(.group, ["wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA"])),
        ("added after 2026-01-01", .date(.added, .after(day("2026-01-01")))),
        ("added before 2026-02-01", .date(.added, .before(day("2026-02-01")))),
        ("added within 30 days", .date(.added, .within(days: 30))),
        ("status = active", .status(.active)),
        ("Status = LOST", .status(.lost)),
        ("last_contact within 7 days", .date(.lastContact, .within(days: 7))),
        ("last_contact before 2026-01-01", .date(.lastContact, .before(day("2026-01-01")))),
        ("no contact", .date(.lastContact, .none)),
        ("last_contact none", .date(.lastContact, .none)),
        ("orders count >= 2", .orders(.count, .greaterOrEqual, 2)),
        ("orders count != 0", .orders(.count, .notEqual, 0)),
        ("orders count<3", .orders(.count, .less, 3)),
        ("orders amount >= 199.00", .orders(.amount, .greaterOrEqual, 19_900)),
        ("orders amount > 5.5", .orders(.amount, .greater, 550)),
        ("orders amount <= 12", .orders(.amount, .lessOrEqual, 1_200)),
        ("orders last within 30 days", .date(.lastOrder, .within(days: 30))),
    ])
    func conditions(text: String, condition: SegmentCondition) throws {
        #expect(try SegmentParser.parse(text) == .condition(condition))
    }

    @Test("not binds tighter than and, and than or; parentheses group")
    func precedence() throws {
        let a = SegmentExpression.condition(.tags(.all, ["A"]))
        let b = SegmentExpression.condition(.tags(.all, ["B"]))
        let c = SegmentExpression.condition(.tags(.all, ["C"]))
        #expect(try SegmentParser.parse("tag A or tag B and not tag C") == .or([a, .and([b, .not(c)])]))
        #expect(try SegmentParser.parse("(tag A or tag B) and not tag C") == .and([.or([a, b]), .not(c)]))
        #expect(try SegmentParser.parse("not (tag A and tag B) or tag C") == .or([.not(.and([a, b])), c]))
        #expect(try SegmentParser.parse("not not tag A") == .not(.not(a)))
        #expect(try SegmentParser.parse("tag A 且 (tag B 或 非 tag C)") == .and([a, .or([b, .not(c)])]))
        #expect(try SegmentParser.parse("tag A AND tag B And tag C") == .and([a, b, c]))
    }

    @Test("the canonical text parses back to the same expression")
    func roundTrip() throws {
        let texts = [
            "tag \"A\" and (tag \"B\" or tag \"C\") and not tag \"D\" and channel in (\"c1\", \"c2\") and added after 2026-01-01",
            "(tag A and tag B) and tag C", "tag A or (tag B or tag C)", "not (tag A or tag B)",
            "tag none (\"say \\\"hi\\\"\", \"back\\\\slash\")", "department = 7", "orders amount != 0.05",
            "no contact or last_contact before 2026-01-01 and orders last within 3 days",
        ]
        for text in texts {
            let expression = try SegmentParser.parse(text)
            #expect(try SegmentParser.parse(expression.description) == expression, "\(text)")
        }
        #expect(
            try SegmentParser.parse("tag A and (tag B or not tag C) and department in (1,2)").description
                == "tag \"A\" and (tag \"B\" or not tag \"C\") and department in (1, 2)")
        #expect(try SegmentParser.parse("orders amount >= 199").description == "orders amount >= 199.00")
    }

    @Test("errors name the offending token's position and what was expected", arguments: [
        ("(tag \"A\" or tag \"B\"", SegmentError.Code.unclosedParenthesis, 19, 1, 20),
        ("channel in (\"a\", \"b\"", .unclosedParenthesis, 20, 1, 21),
        ("channel in (\"a\" \"b\")", .unexpectedToken, 16, 1, 17),
        ("channel in \"a\"", .expectedList, 11, 1, 12),
        ("tag any", .expectedList, 7, 1, 8),
        ("tag \"A\" and colour = \"red\"", .unknownKeyword, 12, 1, 13),
        ("added after 2026-13-01", .badDate, 12, 1, 13),
        ("last_contact before yesterday", .badDate, 20, 1, 21),
        ("orders amount >= 19.999", .badNumber, 17, 1, 18),
        ("orders count > two", .badNumber, 15, 1, 16),
        ("department in (1, x)", .badNumber, 18, 1, 19),
        ("tag \"A\" tag \"B\"", .trailingInput, 8, 1, 9),
        ("tag A)", .trailingInput, 5, 1, 6),
        ("", .emptyExpression, 0, 1, 1),
        ("   ", .emptyExpression, 3, 1, 4),
        ("tag \"A\" and", .unexpectedEnd, 11, 1, 12),
        ("tag \"A", .unterminatedString, 4, 1, 5),
        ("tag \"A\" and\n  bogus", .unknownKeyword, 14, 2, 3),
        ("tag \"高价值\" 且 colour", .unknownKeyword, 20, 1, 13),
    ])
    func errors(text: String, code: SegmentError.Code, offset: Int, line: Int, column: Int) {
        do {
            let expression = try SegmentParser.parse(text)
            Issue.record("parsed \(text) as \(expression)")
        } catch {
            #expect(error.code == code, "\(error)")
            #expect(error.position == SegmentPosition(offset: offset, line: line, column: column), "\(error)")
            #expect(error.message.hasSuffix("at \(error.position!)"))
        }
    }

    @Test("messages say what was expected")
    func messages() {
        #expect(throws: SegmentError(.unclosedParenthesis, "expected `,` or `)` after the list, found the end", at: SegmentPosition(offset: 20, line: 1, column: 21))) {
            try SegmentParser.parse("channel in (\"a\", \"b\"")
        }
        #expect(throws: SegmentError(.unclosedParenthesis, "expected `)` to close the `(` at column 1, found the end", at: SegmentPosition(offset: 7, line: 1, column: 8))) {
            try SegmentParser.parse("(tag A ")
        }
    }

    @Test("days count from 1970-01-01 and print as ISO dates")
    func days() {
        #expect(SegmentDay(year: 1970, month: 1, day: 1)?.rawValue == 0)
        #expect(SegmentDay(iso: "2024-02-29")?.description == "2024-02-29")
        #expect(SegmentDay(iso: "2025-02-29") == nil)
        #expect(SegmentDay(iso: "2026-01-01")!.rawValue - SegmentDay(iso: "2025-01-01")!.rawValue == 365)
        #expect(BusinessCalendar.platform.segmentDay(Date(timeIntervalSince1970: 16 * 3600)).rawValue == 1)
    }
}
