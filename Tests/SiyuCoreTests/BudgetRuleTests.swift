import Foundation
import SiyuCore
import Testing

@Suite("Contact budget rules")
struct BudgetRuleTests {
    typealias Decision = ContactBudget.Decision

    /// An instant given in China time (UTC+8).
    static func china(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 8 * 3600)!
        return calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second))!
    }

    /// Plans one recipient under its own campaign id and returns the decision.
    static func plan(
        _ customer: String = "wm-a", at date: Date, channel: TouchChannel = .massMessage, policy: ContactPolicy,
        ledger: inout ContactLedger, campaign: String = UUID().uuidString, tags: [String] = []
    ) -> Decision {
        ContactBudget.plan(
            recipients: [.init(externalUserID: customer, tagIDs: tags)], channel: channel, at: date, policy: policy,
            ledger: &ledger, campaignID: campaign
        )[0]
    }

    /// Fills a window with `count` sends spread from its first to its last second, then checks
    /// one more at the last second is refused and one at the next window's first second is not.
    static func expectWindow(rule: PlatformReceiveRule, first: Date, next: Date, count: Int) {
        let policy = ContactPolicy(platformRule: rule)
        var ledger = ContactLedger()
        let last = next.addingTimeInterval(-1)
        for index in 0..<count {
            let offset = count == 1 ? 0 : (last.timeIntervalSince(first) * Double(index) / Double(count - 1)).rounded(.down)
            let date = count == 1 ? last : first + offset
            let decision = plan(at: date, policy: policy, ledger: &ledger)
            #expect(decision == .send(at: date), "send \(index + 1) of \(count) under \(rule)")
        }
        #expect(plan(at: last, policy: policy, ledger: &ledger) == .skip(reason: .platformCap), "one more under \(rule)")
        #expect(plan(at: next, policy: policy, ledger: &ledger) == .send(at: next), "next window under \(rule)")
    }

    @Test("1 per day: the day ends at 23:59:59 China time")
    func onePerDay() {
        Self.expectWindow(rule: .onePerDay, first: Self.china(2025, 11, 20), next: Self.china(2025, 11, 21), count: 1)
    }

    @Test("7 per week: an ISO week, Monday 00:00 to Sunday 23:59:59 China time")
    func sevenPerWeek() {
        // 2025-12-29 is the Monday of ISO week 2026-W01, across a year end.
        Self.expectWindow(rule: .sevenPerWeek, first: Self.china(2025, 12, 29), next: Self.china(2026, 1, 5), count: 7)
        Self.expectWindow(rule: .sevenPerWeek, first: Self.china(2025, 11, 17), next: Self.china(2025, 11, 24), count: 7)
    }

    @Test("days in month: months of 28, 29, 30 and 31 days")
    func daysInMonth() {
        Self.expectWindow(rule: .daysInMonth, first: Self.china(2026, 2, 1), next: Self.china(2026, 3, 1), count: 28)
        Self.expectWindow(rule: .daysInMonth, first: Self.china(2024, 2, 1), next: Self.china(2024, 3, 1), count: 29)
        Self.expectWindow(rule: .daysInMonth, first: Self.china(2025, 11, 1), next: Self.china(2025, 12, 1), count: 30)
        Self.expectWindow(rule: .daysInMonth, first: Self.china(2025, 12, 1), next: Self.china(2026, 1, 1), count: 31)
        #expect(PlatformReceiveRule.current == .daysInMonth)
        #expect(PlatformReceiveRule.daysInMonth.version == "2025-11")
    }

    @Test("4 per month: the legacy rule")
    func fourPerMonth() {
        Self.expectWindow(rule: .fourPerMonth, first: Self.china(2025, 1, 1), next: Self.china(2025, 2, 1), count: 4)
        #expect(PlatformReceiveRule.fourPerMonth.version == "legacy")
    }

    @Test("windows are China's days whatever the corp's UTC offset")
    func otherOffset() {
        let policy = ContactPolicy(platformRule: .onePerDay, utcOffsetSeconds: 0)
        var ledger = ContactLedger()
        // 07:59:59 China time is the previous day in UTC, but the platform counts China's day.
        #expect(Self.plan(at: Self.china(2025, 11, 21, 7, 59, 59), policy: policy, ledger: &ledger) == .send(at: Self.china(2025, 11, 21, 7, 59, 59)))
        #expect(Self.plan(at: Self.china(2025, 11, 21, 8), policy: policy, ledger: &ledger) == .skip(reason: .platformCap))
        #expect(Self.plan(at: Self.china(2025, 11, 22), policy: policy, ledger: &ledger) == .send(at: Self.china(2025, 11, 22)))
    }

    @Test("the platform rule counts only mass messages; the brand cap counts every channel")
    func channels() {
        var ledger = ContactLedger()
        let daily = ContactPolicy(platformRule: .onePerDay)
        let day = Self.china(2025, 11, 20, 10)
        for channel in TouchChannel.allCases where channel != .massMessage {
            #expect(Self.plan(at: day, channel: channel, policy: daily, ledger: &ledger) == .send(at: day))
        }
        #expect(Self.plan(at: day, policy: daily, ledger: &ledger) == .send(at: day))
        let capped = ContactPolicy(platformRule: .daysInMonth, brandCap: BrandCap(maxTouches: 5, days: 1))
        #expect(Self.plan(at: day, channel: .moment, policy: capped, ledger: &ledger) == .skip(reason: .brandCap))
    }

    @Test("brand cap: a rolling window of exactly D days, in both directions")
    func brandCapEdges() {
        let policy = ContactPolicy(brandCap: BrandCap(maxTouches: 2, days: 7))
        var ledger = ContactLedger()
        let start = Self.china(2025, 11, 3, 10)
        let day = 86400.0
        #expect(Self.plan(at: start, channel: .sop, policy: policy, ledger: &ledger) == .send(at: start))
        #expect(Self.plan(at: start + day, channel: .moment, policy: policy, ledger: &ledger) == .send(at: start + day))
        #expect(Self.plan(at: start + 7 * day - 1, policy: policy, ledger: &ledger) == .skip(reason: .brandCap))
        #expect(Self.plan(at: start + 7 * day, policy: policy, ledger: &ledger) == .send(at: start + 7 * day))
        // Day 8 - 1 s would put three in [day 1, day 8).
        #expect(Self.plan(at: start + 8 * day - 1, policy: policy, ledger: &ledger) == .skip(reason: .brandCap))
        #expect(Self.plan(at: start + 8 * day, policy: policy, ledger: &ledger) == .send(at: start + 8 * day))
        // A plan earlier than touches already reserved sees them too.
        var later = ContactLedger()
        _ = Self.plan(at: start + 10 * day, policy: policy, ledger: &later)
        _ = Self.plan(at: start + 12 * day, policy: policy, ledger: &later)
        #expect(Self.plan(at: start + 6 * day, policy: policy, ledger: &later) == .skip(reason: .brandCap))
        #expect(Self.plan(at: start + 5 * day, policy: policy, ledger: &later) == .send(at: start + 5 * day))
    }

    /// Plans at each instant (a different customer each time) and expects a send then, or a
    /// hold until the given end of the quiet period.
    static func expectQuiet(_ quiet: QuietHours, _ cases: [(at: Date, heldUntil: Date?)]) {
        let policy = ContactPolicy(quietHours: quiet)
        var ledger = ContactLedger()
        for (index, (at, heldUntil)) in cases.enumerated() {
            let expected: Decision = heldUntil.map { .hold(until: $0, reason: .quietHours) } ?? .send(at: at)
            #expect(plan("wm-\(index)", at: at, policy: policy, ledger: &ledger) == expected)
        }
    }

    @Test("quiet hours wrapping midnight hold until 08:00 in the customer's day")
    func quietHoursWrapping() {
        Self.expectQuiet(QuietHours(startMinute: 22 * 60, endMinute: 8 * 60), [
            (Self.china(2025, 11, 20, 21, 59, 59), nil),
            (Self.china(2025, 11, 20, 22), Self.china(2025, 11, 21, 8)),
            (Self.china(2025, 11, 21, 7, 59, 59), Self.china(2025, 11, 21, 8)),
            (Self.china(2025, 11, 21, 8), nil),
        ])
        #expect(QuietHours(startMinute: 22 * 60, endMinute: 8 * 60).contains(minuteOfDay: 0))
    }

    @Test("quiet hours within a day")
    func quietHoursWithinDay() {
        Self.expectQuiet(QuietHours(startMinute: 12 * 60, endMinute: 14 * 60), [
            (Self.china(2025, 11, 20, 11, 59, 59), nil),
            (Self.china(2025, 11, 20, 12), Self.china(2025, 11, 20, 14)),
            (Self.china(2025, 11, 20, 13, 59, 59), Self.china(2025, 11, 20, 14)),
            (Self.china(2025, 11, 20, 14), nil),
        ])
        #expect(!QuietHours(startMinute: 12 * 60, endMinute: 14 * 60).contains(minuteOfDay: 0))
    }

    @Test("a hold is reserved at its time, in the window of that time")
    func holdIsReserved() {
        let policy = ContactPolicy(platformRule: .onePerDay, quietHours: QuietHours(startMinute: 22 * 60, endMinute: 8 * 60))
        var ledger = ContactLedger()
        #expect(Self.plan(at: Self.china(2025, 11, 30, 23), policy: policy, ledger: &ledger) == .hold(until: Self.china(2025, 12, 1, 8), reason: .quietHours))
        #expect(Self.plan(at: Self.china(2025, 12, 1, 9), policy: policy, ledger: &ledger) == .skip(reason: .platformCap))
        #expect(Self.plan(at: Self.china(2025, 11, 30, 21), policy: policy, ledger: &ledger) == .send(at: Self.china(2025, 11, 30, 21)))
        #expect(ledger.touches(of: "wm-a").map(\.date) == [Self.china(2025, 11, 30, 21), Self.china(2025, 12, 1, 8)])
    }

    @Test("opted-out customers get nothing and spend nothing")
    func optOut() {
        let policy = ContactPolicy(optOutTagIDs: ["et-no-marketing"])
        var ledger = ContactLedger()
        let date = Self.china(2025, 11, 20, 10)
        #expect(Self.plan(at: date, policy: policy, ledger: &ledger, tags: ["et-vip", "et-no-marketing"]) == .skip(reason: .optedOut))
        #expect(ledger.touches(of: "wm-a").isEmpty)
        #expect(Self.plan(at: date, policy: policy, ledger: &ledger, tags: ["et-vip"]) == .send(at: date))
    }

    @Test("a customer listed twice in a campaign is sent once")
    func duplicates() {
        var ledger = ContactLedger()
        let date = Self.china(2025, 11, 20, 10)
        let recipients = ["wm-a", "wm-b", "wm-a", "wm-c", "wm-b"].map { ContactBudget.Recipient(externalUserID: $0) }
        let decisions = ContactBudget.plan(recipients: recipients, channel: .massMessage, at: date, policy: ContactPolicy(), ledger: &ledger, campaignID: "c1")
        #expect(decisions == [.send(at: date), .send(at: date), .skip(reason: .duplicateRecipient), .send(at: date), .skip(reason: .duplicateRecipient)])
        // The next batch of the same campaign.
        #expect(Self.plan("wm-c", at: date, policy: ContactPolicy(), ledger: &ledger, campaign: "c1") == .skip(reason: .duplicateRecipient))
        // An opted-out customer listed twice: the second is still a duplicate.
        let optOut = ContactPolicy(optOutTagIDs: ["no"])
        let twice = Array(repeating: ContactBudget.Recipient(externalUserID: "wm-d", tagIDs: ["no"]), count: 2)
        let second = ContactBudget.plan(recipients: twice, channel: .moment, at: date, policy: optOut, ledger: &ledger, campaignID: "c2")
        #expect(second == [.skip(reason: .optedOut), .skip(reason: .duplicateRecipient)])
    }

    @Test("release gives the budget back; record confirms a reservation without counting it twice")
    func releaseAndRecord() {
        let policy = ContactPolicy(platformRule: .onePerDay)
        var ledger = ContactLedger()
        let date = Self.china(2025, 11, 20, 10)
        #expect(Self.plan(at: date, policy: policy, ledger: &ledger, campaign: "c1") == .send(at: date))
        #expect(Self.plan(at: date, policy: policy, ledger: &ledger, campaign: "c2") == .skip(reason: .platformCap))
        #expect(ledger.release(campaignID: "c1", recipient: "wm-a") == 1)
        #expect(ledger.release(campaignID: "c1", recipient: "wm-a") == 0)
        #expect(ledger.release(campaignID: "unknown", recipient: "wm-a") == 0)
        #expect(Self.plan(at: date, policy: policy, ledger: &ledger, campaign: "c2") == .send(at: date))
        ledger.record(customer: "wm-a", channel: .massMessage, at: date + 60, campaignID: "c2")
        #expect(ledger.touches(of: "wm-a") == [ContactTouch(date: date + 60, channel: .massMessage, campaignID: "c2")])
        ledger.record(customer: "wm-b", channel: .massMessage, at: date)
        #expect(Self.plan("wm-b", at: date, policy: policy, ledger: &ledger) == .skip(reason: .platformCap))
        #expect(ledger.touchCount == 2)
    }

    @Test("many touches of one customer outgrow the inline slot and still count")
    func manyTouches() {
        let policy = ContactPolicy(platformRule: .daysInMonth, brandCap: BrandCap(maxTouches: 9, days: 10))
        var ledger = ContactLedger()
        let start = Self.china(2025, 11, 1, 10)
        let decisions = (0..<12).map { Self.plan(at: start + Double($0) * 3600, channel: .sop, policy: policy, ledger: &ledger) }
        #expect(decisions.filter { $0 == .skip(reason: .brandCap) }.count == 3)
        #expect(ledger.touchCount == 9)
        #expect(ledger.release(campaignID: ledger.touches(of: "wm-a")[4].campaignID!, recipient: "wm-a") == 1)
        #expect(Self.plan(at: start + 86400, policy: policy, ledger: &ledger) == .send(at: start + 86400))
        #expect(ledger.touches(of: "wm-a").map(\.date) == ledger.touches(of: "wm-a").map(\.date).sorted())
    }

    @Test("old history is dropped, and a plan older than the kept history moves forward")
    func pruning() {
        let policy = ContactPolicy(platformRule: .onePerDay)
        var ledger = ContactLedger()
        let start = Self.china(2025, 1, 1, 10)
        _ = Self.plan("wm-old", at: start, policy: policy, ledger: &ledger)
        let later = start + 200 * 86400
        _ = Self.plan("wm-old", at: later, policy: policy, ledger: &ledger)
        #expect(ledger.touches(of: "wm-old").map(\.date) == [later])
        // History reaches back 62 days (twice the longest window); a plan 100 days back is
        // evaluated where the full window is still known.
        let decision = Self.plan("wm-new", at: start + 100 * 86400, policy: policy, ledger: &ledger)
        #expect(decision == .send(at: later - 31 * 86400))
    }

    @Test("policy validation names the field")
    func validation() throws {
        try ContactPolicy(brandCap: BrandCap(maxTouches: 2, days: 7), quietHours: QuietHours(startMinute: 1320, endMinute: 480)).validate()
        let bad: [(ContactPolicy, String)] = [
            (ContactPolicy(utcOffsetSeconds: 15 * 3600), "utc_offset_seconds"),
            (ContactPolicy(brandCap: BrandCap(maxTouches: 0, days: 7)), "brand_cap.max_touches"),
            (ContactPolicy(brandCap: BrandCap(maxTouches: 2, days: 0)), "brand_cap.days"),
            (ContactPolicy(brandCap: BrandCap(maxTouches: 2, days: 91)), "brand_cap.days"),
            (ContactPolicy(quietHours: QuietHours(startMinute: 1440, endMinute: 480)), "quiet_hours.start_minute"),
            (ContactPolicy(quietHours: QuietHours(startMinute: 60, endMinute: -1)), "quiet_hours.end_minute"),
            (ContactPolicy(quietHours: QuietHours(startMinute: 60, endMinute: 60)), "quiet_hours"),
            (ContactPolicy(optOutTagIDs: [""]), "opt_out_tag_ids"),
        ]
        for (policy, field) in bad {
            #expect(throws: ValidationError.self) { try policy.validate() }
            do {
                try policy.validate()
            } catch {
                #expect(error.field == field)
            }
        }
    }

    @Test("policy JSON uses snake_case keys and defaults")
    func policyJSON() throws {
        let policy = ContactPolicy(
            platformRule: .sevenPerWeek, brandCap: BrandCap(maxTouches: 2, days: 7),
            quietHours: QuietHours(startMinute: 1320, endMinute: 480), optOutTagIDs: ["et1"]
        )
        let json = String(decoding: try JSONEncoder().encode(policy), as: UTF8.self)
        for key in ["\"platform_rule\":\"7_per_week\"", "\"max_touches\":2", "\"start_minute\":1320", "\"opt_out_tag_ids\"", "\"utc_offset_seconds\":28800"] {
            #expect(json.contains(key))
        }
        #expect(try JSONDecoder().decode(ContactPolicy.self, from: Data(json.utf8)) == policy)
        #expect(try JSONDecoder().decode(ContactPolicy.self, from: Data("{}".utf8)) == ContactPolicy())
    }

    @Test("a plan summary counts decisions by reason")
    func summary() throws {
        let date = Date(timeIntervalSince1970: 0)
        let summary = ContactBudget.PlanSummary([
            .send(at: date), .send(at: date), .hold(until: date, reason: .quietHours),
            .skip(reason: .brandCap), .skip(reason: .brandCap), .skip(reason: .optedOut),
        ])
        #expect(summary == ContactBudget.PlanSummary(send: 2, hold: [.quietHours: 1], skip: [.brandCap: 2, .optedOut: 1]))
        #expect(summary.total == 6)
        let json = String(decoding: try JSONEncoder().encode(summary), as: UTF8.self)
        #expect(json.contains("\"brand_cap\":2") && json.contains("\"quiet_hours\":1"))
    }
}
