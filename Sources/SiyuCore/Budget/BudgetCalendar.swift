import Foundation

/// Calendar arithmetic on whole seconds since 1970 in a fixed UTC offset: no `Calendar`, no
/// allocation, so a plan can afford it once per campaign and the tests can check it against
/// Foundation's calendar.
struct BudgetCalendar: Sendable {
    /// A half-open interval of instants `[start, end)` in seconds since 1970.
    struct Window: Sendable, Equatable {
        var start: Int64
        var end: Int64
    }

    let utcOffset: Int64

    init(utcOffsetSeconds: Int) {
        utcOffset = Int64(utcOffsetSeconds)
    }

    /// The local day number (days since 1970-01-01 in local time) of an instant.
    func day(_ time: Int64) -> Int64 {
        Self.floorDiv(time + utcOffset, 86400)
    }

    /// The instant at which a local day starts.
    func start(ofDay day: Int64) -> Int64 {
        day * 86400 - utcOffset
    }

    /// Minutes after local midnight (0..<1440).
    func minuteOfDay(_ time: Int64) -> Int {
        Int((time + utcOffset - day(time) * 86400) / 60)
    }

    func dayWindow(_ time: Int64) -> Window {
        let day = day(time)
        return Window(start: start(ofDay: day), end: start(ofDay: day + 1))
    }

    /// The ISO week (Monday to Sunday) around an instant.
    func weekWindow(_ time: Int64) -> Window {
        let day = day(time)
        // Day 0 (1970-01-01) was a Thursday, three days after a Monday.
        let monday = day - Self.floorMod(day + 3, 7)
        return Window(start: start(ofDay: monday), end: start(ofDay: monday + 7))
    }

    /// The calendar month around an instant, and how many days it has.
    func monthWindow(_ time: Int64) -> (window: Window, days: Int) {
        let day = day(time)
        let (year, month, dayOfMonth) = Self.civil(fromDay: day)
        let first = day - Int64(dayOfMonth - 1)
        let days = Self.daysIn(month: month, year: year)
        return (Window(start: start(ofDay: first), end: start(ofDay: first + Int64(days))), days)
    }

    /// Year, month (1...12) and day (1...31) of a day number (Howard Hinnant's `civil_from_days`).
    static func civil(fromDay day: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = day + 719_468
        let era = floorDiv(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let dayOfMonth = Int(dayOfYear - (153 * shiftedMonth + 2) / 5 + 1)
        let month = Int(shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9)
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, dayOfMonth)
    }

    static func daysIn(month: Int, year: Int64) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let quotient = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient
    }

    static func floorMod(_ a: Int64, _ b: Int64) -> Int64 {
        a - floorDiv(a, b) * b
    }

    /// Whole seconds of a date, rounded down.
    static func seconds(_ date: Date) -> Int64 {
        Int64(date.timeIntervalSince1970.rounded(.down))
    }

    static func date(_ seconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(seconds))
    }
}

extension PlatformReceiveRule {
    /// The window of the rule around an instant, and how many mass messages it allows in it.
    func window(around time: Int64, in calendar: BudgetCalendar) -> (window: BudgetCalendar.Window, cap: Int) {
        switch self {
        case .onePerDay: return (calendar.dayWindow(time), 1)
        case .sevenPerWeek: return (calendar.weekWindow(time), 7)
        case .daysInMonth:
            let month = calendar.monthWindow(time)
            return (month.window, month.days)
        case .fourPerMonth: return (calendar.monthWindow(time).window, 4)
        }
    }
}

extension QuietHours {
    /// The end of the quiet period an instant falls in, or `nil` when the instant is not quiet.
    func end(ofPeriodAround time: Int64, in calendar: BudgetCalendar) -> Int64? {
        guard contains(minuteOfDay: calendar.minuteOfDay(time)) else { return nil }
        let sameDay = calendar.start(ofDay: calendar.day(time)) + Int64(endMinute) * 60
        return sameDay > time ? sameDay : sameDay + 86400
    }
}
