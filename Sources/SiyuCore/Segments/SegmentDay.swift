import Foundation

/// A calendar day, counted from 1970-01-01 (day 0) in the proleptic Gregorian calendar.
///
/// Segments compare days, not instants: instants become days in the corp's calendar
/// (`BusinessCalendar.segmentDay`, see `SegmentIndex.calendar`), so "added after 2026-01-01"
/// means the brand's calendar day.
public struct SegmentDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var rawValue: Int32

    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// The day `year-month-day`, or `nil` if there is no such day.
    public init?(year: Int, month: Int, day: Int) {
        guard let number = BusinessCalendar.dayNumber(year: year, month: month, day: day) else { return nil }
        rawValue = Int32(number)
    }

    /// Parses `YYYY-MM-DD`.
    public init?(iso text: some StringProtocol) {
        guard let number = BusinessCalendar.dayNumber(parsing: text) else { return nil }
        rawValue = Int32(number)
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        BusinessCalendar.label(dayNumber: Int(rawValue))
    }

    public static func < (a: SegmentDay, b: SegmentDay) -> Bool { a.rawValue < b.rawValue }
}
