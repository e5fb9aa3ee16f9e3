import Foundation
import SiyuCore
import Testing

/// The one business calendar: its arithmetic against Foundation's, its labels and parsing, and a
/// corp at UTC+7 whose brand day and platform day differ between 16:00 and 17:00 UTC.
@Suite("The business calendar")
struct BusinessCalendarTests {
    static let bangkok = BusinessCalendar(utcOffsetSeconds: 7 * 3600)

    /// An instant given in UTC.
    static func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute))!
    }

    @Test("days, minutes, weekdays, week and month windows and labels agree with Foundation's calendar at any offset")
    func agreesWithFoundation() {
        var seed: UInt64 = 20_260_301
        func next() -> UInt64 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return seed >> 11
        }
        for offset in [8 * 3600, 7 * 3600, 0, -5 * 3600, 19800, -9 * 3600 - 1800, 14 * 3600, -12 * 3600] {
            let calendar = BusinessCalendar(utcOffsetSeconds: offset)
            var reference = Calendar(identifier: .iso8601)
            reference.timeZone = TimeZone(secondsFromGMT: offset)!
            for _ in 0..<400 {
                // From 1960 to 2100, negative instants included.
                let seconds = Int64(next() % 4_417_977_600) - 315_619_200
                let date = Date(timeIntervalSince1970: Double(seconds))
                let parts = reference.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: date)
                let context = "\(calendar) at \(seconds)"
                #expect(calendar.label(date) == String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!), "\(context)")
                #expect(calendar.minuteOfDay(date) == parts.hour! * 60 + parts.minute!, "\(context)")
                #expect(calendar.weekday(date) == (parts.weekday! + 5) % 7 + 1, "\(context)")
                #expect(calendar.startOfDay(date) == reference.startOfDay(for: date), "\(context)")
                let week = calendar.weekWindow(seconds)
                let referenceWeek = reference.dateInterval(of: .weekOfYear, for: date)!
                #expect(BusinessCalendar.date(week.start) == referenceWeek.start && BusinessCalendar.date(week.end) == referenceWeek.end, "\(context)")
                let month = calendar.monthWindow(seconds)
                let referenceMonth = reference.dateInterval(of: .month, for: date)!
                #expect(BusinessCalendar.date(month.window.start) == referenceMonth.start && BusinessCalendar.date(month.window.end) == referenceMonth.end, "\(context)")
                #expect(month.days == reference.range(of: .day, in: .month, for: date)!.count, "\(context)")
                #expect(calendar.date(parsing: calendar.label(date)) == calendar.startOfDay(date), "\(context)")
            }
        }
    }

    @Test("dates and times are read in the calendar; an explicit offset wins; anything else is refused")
    func parsing() {
        let calendar = Self.bangkok
        #expect(calendar.date(parsing: "2025-03-01") == Self.utc(2025, 2, 28, 17))
        #expect(BusinessCalendar.platform.date(parsing: "2025-03-01") == Self.utc(2025, 2, 28, 16))
        #expect(calendar.date(parsing: "2026-11-24T10:00") == Self.utc(2026, 11, 24, 3))
        #expect(calendar.date(parsing: "2026-11-24T10:00:30") == Self.utc(2026, 11, 24, 3).addingTimeInterval(30))
        #expect(calendar.date(parsing: "2026-11-24 10:00") == Self.utc(2026, 11, 24, 3))
        #expect(calendar.date(parsing: "2026-11-24T10:00:00+08:00") == Self.utc(2026, 11, 24, 2))
        #expect(calendar.date(parsing: "2026-11-24T10:00:00Z") == Self.utc(2026, 11, 24, 10))
        for wrong in ["", "yesterday", "2025-3-1", "2025-02-30", "2025-13-01", "0000-01-01", "2026-11-24T24:00", "2026-11-24T10:60", "2026-11-24T10:00:61", "2026-11-24T10"] {
            #expect(calendar.date(parsing: wrong) == nil, "\(wrong)")
        }
        #expect(BusinessCalendar.dayNumber(parsing: "1970-01-01") == 0)
        #expect(BusinessCalendar.dayNumber(parsing: "2024-02-29") == BusinessCalendar.dayNumber(year: 2024, month: 2, day: 29))
        #expect(BusinessCalendar.dayNumber(parsing: "2025-02-29") == nil)
        #expect(calendar.minuteLabel(Self.utc(2026, 11, 24, 16, 59)) == "2026-11-24 23:59")
        #expect(BusinessCalendar.platform.minuteLabel(Self.utc(2026, 11, 24, 16, 59)) == "2026-11-25 00:59")
        #expect(calendar.description == "UTC+07:00" && BusinessCalendar(utcOffsetSeconds: -34200).description == "UTC-09:30")
    }

    /// Plans one recipient under its own campaign id.
    static func plan(_ customer: String, at date: Date, policy: ContactPolicy, ledger: inout ContactLedger) -> ContactBudget.Decision {
        ContactBudget.plan(
            recipients: [.init(externalUserID: customer)], channel: .massMessage, at: date, policy: policy, ledger: &ledger, campaignID: UUID().uuidString
        )[0]
    }

    @Test("a corp at UTC+7: the platform's 1-a-day rule turns at China's midnight (16:00 UTC), not the corp's (17:00 UTC)")
    func platformDayAtAnotherOffset() {
        let policy = ContactPolicy(platformRule: .onePerDay, utcOffsetSeconds: 7 * 3600)
        var ledger = ContactLedger()
        // 15:30 UTC: 23:30 in China, 22:30 for the corp, both on the 20th.
        let evening = Self.utc(2025, 11, 20, 15, 30)
        #expect(Self.plan("wm-a", at: evening, policy: policy, ledger: &ledger) == .send(at: evening))
        // 16:30 UTC: China's 21st already (the corp's is still the 20th): a new platform day.
        let chinaMidnight = Self.utc(2025, 11, 20, 16, 30)
        #expect(Self.plan("wm-a", at: chinaMidnight, policy: policy, ledger: &ledger) == .send(at: chinaMidnight))
        // 17:10 UTC: the corp's 21st has begun, but China's 21st already has its one message.
        #expect(Self.plan("wm-a", at: Self.utc(2025, 11, 20, 17, 10), policy: policy, ledger: &ledger) == .skip(reason: .platformCap))
        // The same at UTC+0: the platform day still turns at 16:00 UTC.
        let london = ContactPolicy(platformRule: .onePerDay, utcOffsetSeconds: 0)
        var other = ContactLedger()
        #expect(Self.plan("wm-b", at: Self.utc(2025, 11, 20, 23, 59), policy: london, ledger: &other) == .send(at: Self.utc(2025, 11, 20, 23, 59)))
        #expect(Self.plan("wm-b", at: Self.utc(2025, 11, 21, 0, 1), policy: london, ledger: &other) == .skip(reason: .platformCap))
        #expect(Self.plan("wm-b", at: Self.utc(2025, 11, 21, 16), policy: london, ledger: &other) == .send(at: Self.utc(2025, 11, 21, 16)))
    }

    @Test("a corp at UTC+7: quiet hours are the corp's night, and a hold ends at the corp's 08:00")
    func quietHoursAtAnotherOffset() {
        let policy = ContactPolicy(utcOffsetSeconds: 7 * 3600, quietHours: QuietHours(startMinute: 0, endMinute: 8 * 60))
        var ledger = ContactLedger()
        // 16:30 UTC is 00:30 in China (quiet there) but 23:30 for the corp: it goes out.
        let late = Self.utc(2025, 11, 20, 16, 30)
        #expect(Self.plan("wm-a", at: late, policy: policy, ledger: &ledger) == .send(at: late))
        // 17:30 UTC is 00:30 for the corp: held until its 08:00, 01:00 UTC (China's 08:00 would be 00:00 UTC).
        #expect(Self.plan("wm-b", at: Self.utc(2025, 11, 20, 17, 30), policy: policy, ledger: &ledger)
            == .hold(until: Self.utc(2025, 11, 21, 1), reason: .quietHours))
    }

    @Test("segments at UTC+7 and +8: one instant is a different day, so `added after` and `added within` differ")
    func segmentDaysAtAnotherOffset() throws {
        // 16:30 UTC on 2025-03-01: the corp's 1 March at +7, already 2 March at +8.
        let added = Self.utc(2025, 3, 1, 16, 30)
        // Noon UTC on 31 March: the same day at +7 and +8, so 30 days reach back to 2 March in both.
        let now = Self.utc(2025, 3, 31, 12)
        func counts(_ calendar: BusinessCalendar) throws -> [Int] {
            var index = SegmentIndex(calendar: calendar)
            index.setCustomer(0, SegmentCustomer(addedOn: index.calendar.segmentDay(added)))
            let today = index.calendar.segmentDay(now)
            return try ["added after 2025-03-01", "added before 2025-03-02", "added within 30 days"].map {
                try index.count(try SegmentParser.parse($0), today: today)
            }
        }
        #expect(try counts(Self.bangkok) == [0, 1, 0], "added on 1 March at +7")
        #expect(try counts(.platform) == [1, 0, 1], "added on 2 March at +8")
        #expect(Self.bangkok.segmentDay(added) == SegmentDay(iso: "2025-03-01"))
        #expect(BusinessCalendar.platform.segmentDay(added) == SegmentDay(iso: "2025-03-02"))
    }
}
