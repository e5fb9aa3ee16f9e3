import Foundation
import Testing

/// Waiting for background work in a test: for a condition, not for a clock.
///
/// A wait goes on while the work it waits for keeps moving, however slow a busy machine makes
/// it; it fails only when nothing has moved for `stall`, and then says what was still pending.
/// (`limit` is the one absolute bound, far above any healthy run, so a loop that moves forever
/// without finishing still ends.)
public enum Eventually {
    public struct Stalled: Error, CustomStringConvertible {
        public var what: String
        public var pending: String
        public var waited: Duration
        public var description: String { "\(what): no progress for the last part of \(waited); still pending: \(pending)" }
    }

    /// Returns when `done()` holds. `progress()` describes the work still under way (counts of
    /// queued jobs, pending callbacks, …); any change in it counts as progress.
    public static func wait(
        _ what: String, stall: Duration = .seconds(90), limit: Duration = .seconds(900), poll: Duration = .milliseconds(50),
        done: () async throws -> Bool, progress: () async throws -> String
    ) async throws {
        let start = ContinuousClock.now
        var last = try await progress()
        var movedAt = start
        while true {
            if try await done() { return }
            let now = ContinuousClock.now
            let current = try await progress()
            if current != last {
                last = current
                movedAt = now
            } else if now - movedAt > stall || now - start > limit {
                let stalled = Stalled(what: what, pending: current, waited: now - start)
                Issue.record(Comment(rawValue: stalled.description))
                throw stalled
            }
            try await Task.sleep(for: poll)
        }
    }
}
