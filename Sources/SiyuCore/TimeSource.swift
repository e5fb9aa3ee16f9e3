import Foundation

/// The one source of "now" for stores, services, controllers and the console: the system's
/// time in production, a pinned or moving time in tests. Call it: `time()`.
///
/// Nothing that records or decides on business time reads `Date()` itself; it is handed a
/// `TimeSource` (or a `now:` read from one), so a test that pins time pins all of it.
public struct TimeSource: Sendable {
    private let read: @Sendable () -> Date

    public init(_ read: @escaping @Sendable () -> Date) {
        self.read = read
    }

    public func callAsFunction() -> Date { read() }

    /// The system's clock.
    public static let system = TimeSource { Date() }

    /// Always `date`.
    public static func fixed(_ date: Date) -> TimeSource { TimeSource { date } }
}
