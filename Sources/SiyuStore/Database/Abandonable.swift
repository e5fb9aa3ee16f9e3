import Foundation
import SiyuCore
import Synchronization

/// Waits for work that may never finish — a query on a connection the server dropped mid-way
/// can hang in the driver, and cancellation does not reach it — without being stuck with it.
///
/// The work runs in a task of its own; the caller stops waiting when the work finishes, when the
/// caller is cancelled (shutdown), or after `limit`, whichever comes first. Abandoned work keeps
/// running until it ends by itself; so use this only where finishing late is harmless (a
/// transaction that commits after its caller gave up, like a callback batch whose requests
/// were answered 503 and are retried and deduplicated).
public enum Abandonable {
    public static func run<T: Sendable>(
        giveUpAfter limit: Duration? = nil, _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let outcome = Outcome<T>()
        let work = Task {
            let result = await Result(catching: { try await operation() })
            outcome.finish(result)
        }
        let timer = limit.map { limit in
            Task {
                try await Task.sleep(for: limit)
                outcome.finish(.failure(StoreError(
                    .unavailable, "the database did not finish within \(String(format: "%.1f", limit.timeInterval)) s; retry shortly"
                )))
            }
        }
        defer { timer?.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in outcome.wait(continuation) }
        } onCancel: {
            work.cancel()
            outcome.finish(.failure(CancellationError()))
        }
    }

    /// The first result wins; the waiter is resumed exactly once.
    private final class Outcome<T: Sendable>: Sendable {
        private struct State {
            var waiter: CheckedContinuation<T, any Error>?
            var result: Result<T, any Error>?
        }

        private let state = Mutex(State())

        func wait(_ continuation: CheckedContinuation<T, any Error>) {
            let ready = state.withLock { state -> Result<T, any Error>? in
                if let result = state.result { return result }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }

        func finish(_ result: Result<T, any Error>) {
            let waiter = state.withLock { state -> CheckedContinuation<T, any Error>? in
                guard case .none = state.result else { return nil }
                state.result = result
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(with: result)
        }
    }
}

extension Result where Failure == any Error {
    fileprivate init(catching body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
