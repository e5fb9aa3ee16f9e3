/// How long a failed job waits before its next attempt, and when it gives up.
///
/// Exponential backoff with a ceiling: `base · 2^(attempt-1)`, capped at `maximum`.
/// After `maxAttempts` failed attempts a job is dead-lettered, kept for inspection.
public struct RetryPolicy: Sendable, Equatable {
    public var base: Duration
    public var maximum: Duration
    public var maxAttempts: Int

    public init(base: Duration = .seconds(2), maximum: Duration = .seconds(3600), maxAttempts: Int = 8) {
        precondition(maxAttempts >= 1, "a job gets at least one attempt")
        self.base = base
        self.maximum = maximum
        self.maxAttempts = maxAttempts
    }

    public static let `default` = RetryPolicy()

    /// The delay before attempt `attempts + 1`, after `attempts` attempts have failed (`attempts >= 1`).
    public func delay(afterFailedAttempts attempts: Int) -> Duration {
        let exponent = max(0, min(attempts - 1, 40))
        let factor = 1 << exponent
        let delay = base * factor
        return delay > maximum ? maximum : delay
    }

    /// Whether a job that has failed `attempts` times goes to the dead letters.
    public func isExhausted(afterFailedAttempts attempts: Int) -> Bool {
        attempts >= maxAttempts
    }
}
