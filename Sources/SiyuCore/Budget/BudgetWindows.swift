import Foundation

extension PlatformReceiveRule {
    /// The window of the rule around an instant, and how many mass messages it allows in it.
    /// The platform counts its days in China time, whatever the corp's offset, so the window
    /// is always one of ``BusinessCalendar/platform``.
    func window(around time: Int64) -> (window: BusinessCalendar.Window, cap: Int) {
        let calendar = BusinessCalendar.platform
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
    /// Quiet hours are the customer's night, so `calendar` is the corp's.
    func end(ofPeriodAround time: Int64, in calendar: BusinessCalendar) -> Int64? {
        guard contains(minuteOfDay: calendar.minuteOfDay(time)) else { return nil }
        let sameDay = calendar.start(ofDay: calendar.day(time)) + Int64(endMinute) * 60
        return sameDay > time ? sameDay : sameDay + 86400
    }
}
