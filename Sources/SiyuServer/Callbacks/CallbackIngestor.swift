import Foundation
import Logging
import ServiceLifecycle
import SiyuStore
import Synchronization

/// Group commit for callbacks: requests hand their decrypted event over and wait; one loop
/// writes everything that arrived meanwhile in a single transaction and answers them all.
///
/// A callback is acknowledged only after its transaction commits, so a crash after the 200
/// loses nothing; batching is what keeps that fast under load (one fsync per batch, not per event).
public final class CallbackIngestor: Service, Sendable {
    private struct Pending {
        var submission: CallbackInbox.Submission
        var continuation: CheckedContinuation<CallbackInbox.RecordOutcome, any Error>
    }

    private struct State {
        var queue: [Pending] = []
        var running = false
        var stopped = false
    }

    let inbox: CallbackInbox
    let maxBatch: Int
    let logger: Logger
    private let state = Mutex(State())
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    public init(inbox: CallbackInbox, maxBatch: Int = 512, logger: Logger) {
        self.inbox = inbox
        self.maxBatch = maxBatch
        self.logger = logger
        (wakeups, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Stores a callback durably; returns once it is committed (or known to be a duplicate).
    public func submit(_ submission: CallbackInbox.Submission) async throws -> CallbackInbox.RecordOutcome {
        try await withCheckedThrowingContinuation { continuation in
            let accepted = state.withLock { state -> Bool in
                guard state.running, !state.stopped else { return false }
                state.queue.append(Pending(submission: submission, continuation: continuation))
                return true
            }
            if accepted {
                wake.yield()
            } else {
                continuation.resume(throwing: IngestorUnavailable())
            }
        }
    }

    public func run() async throws {
        state.withLock { $0.running = true }
        await withGracefulShutdownHandler {
            for await _ in wakeups {
                await drain()
                if state.withLock({ $0.stopped }) { break }
            }
        } onGracefulShutdown: {
            self.state.withLock { $0.stopped = true }
            self.wake.yield()
        }
        // Anything that slipped in while stopping is still written.
        await drain()
        wake.finish()
    }

    private func drain() async {
        while true {
            let batch = state.withLock { state -> [Pending] in
                let taken = Array(state.queue.prefix(maxBatch))
                state.queue.removeFirst(taken.count)
                return taken
            }
            if batch.isEmpty { return }
            do {
                let outcomes = try await inbox.recordBatch(batch.map(\.submission))
                for (pending, outcome) in zip(batch, outcomes) { pending.continuation.resume(returning: outcome) }
            } catch {
                logger.error("cannot store callbacks", metadata: ["count": .stringConvertible(batch.count), "error": .string(String(describing: error))])
                for pending in batch { pending.continuation.resume(throwing: error) }
            }
        }
    }
}

/// The ingestor is not running (starting up or shutting down): the platform will retry.
struct IngestorUnavailable: Error {}
