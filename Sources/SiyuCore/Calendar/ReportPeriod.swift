import Foundation

/// The days a report covers, in a corp's calendar: the one definition of "the last 30 days"
/// that the dashboard, the channel list and a channel's page all use.
///
/// The period is whole local days ending with today, so it always holds `days` days; today is
/// partial until local midnight, and charts mark it so.
public struct ReportPeriod: Sendable, Equatable {
    public let calendar: BusinessCalendar
    /// Local day numbers, first and last (today).
    public let firstDay: Int
    public let lastDay: Int
    /// When the report was made; the last day is partial when this is before its end.
    public let now: Date

    /// The `days` local days ending with the day of `now` (at least one).
    public init(lastDays days: Int, endingAt now: Date, calendar: BusinessCalendar) {
        self.calendar = calendar
        self.now = now
        lastDay = calendar.dayNumber(now)
        firstDay = lastDay - max(1, days) + 1
    }

    /// Local midnight that starts the first day.
    public var start: Date { calendar.startOfDay(dayNumber: firstDay) }
    /// Local midnight after the last day (exclusive).
    public var end: Date { calendar.startOfDay(dayNumber: lastDay + 1) }
    public var dayNumbers: ClosedRange<Int> { firstDay...lastDay }
    public var dayCount: Int { lastDay - firstDay + 1 }
    /// Whether the last day is still running (its figures will grow).
    public var lastDayIsPartial: Bool { now < end }
    /// `MM-DD` of each day, for chart labels.
    public var shortLabels: [String] { dayNumbers.map { String(BusinessCalendar.label(dayNumber: $0).dropFirst(5)) } }
}
