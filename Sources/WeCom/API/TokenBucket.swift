/// A token bucket: `capacity` calls at once, refilled at `refillPerSecond`.
///
/// Pure arithmetic over a caller-supplied clock reading, so it is exact to test; the client
/// wraps it in an actor and sleeps for the wait it returns.
public struct TokenBucket: Sendable, Equatable {
    public let capacity: Double
    public let refillPerSecond: Double
    private(set) var tokens: Double
    private var last: Double?

    /// `perMinute` calls a minute, with bursts of up to `perMinute` (the platform counts per minute).
    public init(perMinute: Int, burst: Int? = nil) {
        precondition(perMinute > 0, "a rate limit allows at least one call a minute")
        capacity = Double(burst ?? perMinute)
        refillPerSecond = Double(perMinute) / 60
        tokens = capacity
    }

    /// Takes one token at time `now` (seconds on any monotonic clock). Returns how long the caller
    /// must wait before its call: zero when a token was free. The token is reserved either way.
    public mutating func take(now: Double) -> Double {
        if let last {
            tokens = min(capacity, tokens + max(0, now - last) * refillPerSecond)
        }
        last = now
        tokens -= 1
        return tokens >= 0 ? 0 : -tokens / refillPerSecond
    }
}
