import Foundation

/// The days of a fixed UTC offset: the one place that turns instants into days, minutes of the
/// day, weekdays, week and month windows and `YYYY-MM-DD` labels, and reads dates back.
///
/// Two calendars matter. A corp's (`ContactPolicy.calendar`, from its `utc_offset_seconds`)
/// counts the brand's day: brand caps and quiet hours, segment dates, channel schedules and
/// daily caps, reports and the console's dates. ``platform`` counts the platform's day (China
/// time): WeCom's own caps, such as the mass-message receive rule, whatever the corp's offset.
///
/// The arithmetic is on whole seconds since 1970 (`Int64`) with no `Calendar` and no
/// allocation, so the contact budget can afford it per plan; `Date` forms wrap it.
public struct BusinessCalendar: Sendable, Hashable, CustomStringConvertible {
    /// Seconds east of UTC (China, +8 h, is 28 800).
    public let utcOffsetSeconds: Int

    public init(utcOffsetSeconds: Int) {
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    /// The platform's day, China Standard Time (UTC+8, no daylight saving): WeCom's caps count in it.
    public static let platform = BusinessCalendar(utcOffsetSeconds: 8 * 3600)

    /// `UTC+08:00`.
    public var description: String {
        let minutes = abs(utcOffsetSeconds) / 60
        return "UTC" + (utcOffsetSeconds < 0 ? "-" : "+") + Self.pad(minutes / 60, 2) + ":" + Self.pad(minutes % 60, 2)
    }

    private var offset: Int64 { Int64(utcOffsetSeconds) }

    // MARK: Whole seconds

    /// A half-open interval of instants `[start, end)` in seconds since 1970.
    public struct Window: Sendable, Equatable {
        public var start: Int64
        public var end: Int64

        public init(start: Int64, end: Int64) {
            self.start = start
            self.end = end
        }

        public func contains(_ time: Int64) -> Bool { time >= start && time < end }
    }

    /// The local day number (days since 1970-01-01 in this calendar) of an instant.
    public func day(_ time: Int64) -> Int64 {
        Self.floorDiv(time + offset, 86400)
    }

    /// The instant at which a local day starts.
    public func start(ofDay day: Int64) -> Int64 {
        day * 86400 - offset
    }

    /// Minutes after local midnight (0..<1440).
    public func minuteOfDay(_ time: Int64) -> Int {
        Int((time + offset - day(time) * 86400) / 60)
    }

    /// The local day around an instant.
    public func dayWindow(_ time: Int64) -> Window {
        let day = day(time)
        return Window(start: start(ofDay: day), end: start(ofDay: day + 1))
    }

    /// The ISO week (Monday to Sunday) around an instant.
    public func weekWindow(_ time: Int64) -> Window {
        let day = day(time)
        let monday = day - Int64(Self.weekday(ofDay: day) - 1)
        return Window(start: start(ofDay: monday), end: start(ofDay: monday + 7))
    }

    /// The calendar month around an instant, and how many days it has.
    public func monthWindow(_ time: Int64) -> (window: Window, days: Int) {
        let day = day(time)
        let (year, month, dayOfMonth) = Self.civil(fromDay: day)
        let first = day - Int64(dayOfMonth - 1)
        let days = Self.daysIn(month: month, year: year)
        return (Window(start: start(ofDay: first), end: start(ofDay: first + Int64(days))), days)
    }

    /// Whole seconds of a date, rounded down.
    public static func seconds(_ date: Date) -> Int64 {
        Int64(date.timeIntervalSince1970.rounded(.down))
    }

    public static func date(_ seconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(seconds))
    }

    // MARK: Dates

    /// The local day number of an instant.
    public func dayNumber(_ date: Date) -> Int {
        Int(day(Self.seconds(date)))
    }

    /// The local day an instant falls on, as segments count days.
    public func segmentDay(_ date: Date) -> SegmentDay {
        SegmentDay(rawValue: Int32(truncatingIfNeeded: dayNumber(date)))
    }

    /// Local midnight at or before an instant.
    public func startOfDay(_ date: Date) -> Date {
        startOfDay(dayNumber: dayNumber(date))
    }

    /// Local midnight of a day number.
    public func startOfDay(dayNumber: Int) -> Date {
        Self.date(start(ofDay: Int64(dayNumber)))
    }

    /// Minutes after local midnight (0..<1440) of an instant.
    public func minuteOfDay(_ date: Date) -> Int {
        minuteOfDay(Self.seconds(date))
    }

    /// ISO weekday (1 = Monday … 7 = Sunday) of an instant.
    public func weekday(_ date: Date) -> Int {
        Self.weekday(ofDay: Int64(dayNumber(date)))
    }

    /// ISO weekday (1 = Monday … 7 = Sunday) of a day number.
    public static func weekday(ofDay day: Int64) -> Int {
        // Day 0 (1970-01-01) was a Thursday (4).
        Int(floorMod(day + 3, 7)) + 1
    }

    // MARK: Labels and parsing

    /// `YYYY-MM-DD` of the local day of an instant.
    public func label(_ date: Date) -> String {
        Self.label(dayNumber: dayNumber(date))
    }

    /// `YYYY-MM-DD HH:MM` of an instant in local time, as the console shows times.
    public func minuteLabel(_ date: Date) -> String {
        let minute = minuteOfDay(date)
        return label(date) + " " + Self.pad(minute / 60, 2) + ":" + Self.pad(minute % 60, 2)
    }

    /// ISO 8601 in local time with the offset (`2026-12-01T10:05:09+08:00`), as exports write times.
    public func isoLabel(_ date: Date) -> String {
        let seconds = Self.seconds(date)
        let local = Self.floorMod(seconds + Int64(utcOffsetSeconds), 86400)
        let offset = abs(utcOffsetSeconds) / 60
        return label(date) + "T" + Self.pad(Int(local / 3600), 2) + ":" + Self.pad(Int(local % 3600 / 60), 2) + ":" + Self.pad(Int(local % 60), 2)
            + (utcOffsetSeconds < 0 ? "-" : "+") + Self.pad(offset / 60, 2) + ":" + Self.pad(offset % 60, 2)
    }

    /// `YYYY-MM-DD` of a day number (a day is the same day in every calendar; only instants differ).
    public static func label(dayNumber: Int) -> String {
        let (year, month, day) = civil(fromDay: Int64(dayNumber))
        return pad(Int(year), 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
    }

    /// The day number of `YYYY-MM-DD` (exactly that form), or `nil` when it is no such day.
    public static func dayNumber(parsing text: some StringProtocol) -> Int? {
        let utf8 = Array(text.utf8)
        guard utf8.count == 10, utf8[4] == 0x2D, utf8[7] == 0x2D,
              let year = digits(utf8[0..<4]), let month = digits(utf8[5..<7]), let day = digits(utf8[8..<10])
        else { return nil }
        return dayNumber(year: year, month: month, day: day)
    }

    /// A date or time as a person or a client writes it, read in this calendar:
    /// `YYYY-MM-DD` (local midnight), `YYYY-MM-DDTHH:MM` or `YYYY-MM-DDTHH:MM:SS` (local time,
    /// as an HTML `datetime-local` field sends it), or ISO 8601 with `Z` or an offset (that
    /// instant, whatever this calendar). `nil` when it is none of these.
    public func date(parsing text: String) -> Date? {
        if let day = Self.dayNumber(parsing: text) { return startOfDay(dayNumber: day) }
        let utf8 = Array(text.utf8)
        if utf8.count == 16 || utf8.count == 19, utf8[10] == 0x54 || utf8[10] == 0x20, utf8[13] == 0x3A,
           let day = Self.dayNumber(parsing: text.prefix(10)),
           let hour = Self.digits(utf8[11..<13]), let minute = Self.digits(utf8[14..<16]), hour < 24, minute < 60 {
            var second = 0
            if utf8.count == 19 {
                guard utf8[16] == 0x3A, let parsed = Self.digits(utf8[17..<19]), parsed < 60 else { return nil }
                second = parsed
            }
            return Self.date(start(ofDay: Int64(day)) + Int64(hour * 3600 + minute * 60 + second))
        }
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    // MARK: The proleptic Gregorian calendar

    /// The day number of `year-month-day`, or `nil` if there is no such day (years 1…9999).
    public static func dayNumber(year: Int, month: Int, day: Int) -> Int? {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: Int64(year)) else { return nil }
        // Howard Hinnant's days_from_civil.
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = floorDiv(y, 400)
        let yearOfEra = y - era * 400
        let dayOfYear = Int64((153 * ((month + 9) % 12) + 2) / 5 + day - 1)
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return Int(era * 146_097 + dayOfEra - 719_468)
    }

    /// Year, month (1...12) and day (1...31) of a day number (Howard Hinnant's `civil_from_days`).
    public static func civil(fromDay day: Int64) -> (year: Int64, month: Int, day: Int) {
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

    public static func daysIn(month: Int, year: Int64) -> Int {
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

    private static func digits(_ bytes: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for byte in bytes {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }

    private static func pad(_ number: Int, _ width: Int) -> String {
        let text = String(number)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}

extension ContactPolicy {
    /// The corp's calendar: the brand's day, in the policy's `utc_offset_seconds`.
    public var calendar: BusinessCalendar { BusinessCalendar(utcOffsetSeconds: utcOffsetSeconds) }
}
