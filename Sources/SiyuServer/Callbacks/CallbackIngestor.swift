import SiyuCore
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
    private typealias Waiter = CheckedContinuation<CallbackInbox.RecordOutcome, any Error>

    private struct State {
        var nextID: UInt64 = 0
        var queue: [(id: UInt64, submission: CallbackInbox.Submission)] = []
        /// Requests still waiting for their answer; one that gave up is no longer here.
        var waiting: [UInt64: Waiter] = [:]
        var running = false
        var stopped = false
    }

    let inbox: CallbackInbox
    let maxBatch: Int
    /// How long a request waits for its event to be committed before it answers 503; below the
    /// platform's 5 s so that the platform sees a failure (and retries) instead of a timeout.
    let deadline: Duration
    /// How long one batch's transaction may take before the loop stops waiting for it and goes on.
    let batchDeadline: Duration = .seconds(3)
    let logger: Logger
    let time: TimeSource
    private let state = Mutex(State())
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    public init(inbox: CallbackInbox, maxBatch: Int = 512, deadline: Duration = .milliseconds(2500), time: TimeSource, logger: Logger) {
        self.time = time
        self.inbox = inbox
        self.maxBatch = maxBatch
        self.deadline = deadline
        self.logger = logger
        (wakeups, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Stores a callback durably; returns once it is committed (or known to be a duplicate).
    /// Throws ``CallbackNotStored`` when that has not happened within ``deadline``: the event may
    /// still be committed later, which the platform's retry then finds as a duplicate.
    public func submit(_ submission: CallbackInbox.Submission) async throws -> CallbackInbox.RecordOutcome {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        return try await withThrowingTaskGroup(of: CallbackInbox.RecordOutcome?.self) { group in
            group.addTask { try await self.enqueue(id: id, submission) }
            group.addTask {
                try await Task.sleep(for: self.deadline)
                self.giveUp(id: id)
                return nil
            }
            defer { group.cancelAll() }
            while let next = try await group.next() {
                if let outcome = next { return outcome }
            }
            throw CancellationError()
        }
    }

    private func enqueue(id: UInt64, _ submission: CallbackInbox.Submission) async throws -> CallbackInbox.RecordOutcome {
        try await withCheckedThrowingContinuation { (continuation: Waiter) in
            let accepted = state.withLock { state -> Bool in
                guard state.running, !state.stopped else { return false }
                state.queue.append((id, submission))
                state.waiting[id] = continuation
                return true
            }
            if accepted {
                wake.yield()
            } else {
                continuation.resume(throwing: IngestorUnavailable())
            }
        }
    }

    /// Answers a request that waited too long; its event is dropped from the queue if not yet taken.
    private func giveUp(id: UInt64) {
        let waiter = state.withLock { state -> Waiter? in
            state.queue.removeAll { $0.id == id }
            return state.waiting.removeValue(forKey: id)
        }
        waiter?.resume(throwing: CallbackNotStored(deadline: deadline))
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
            let batch = state.withLock { state -> [(id: UInt64, submission: CallbackInbox.Submission)] in
                let taken = Array(state.queue.prefix(maxBatch))
                state.queue.removeFirst(taken.count)
                return taken
            }
            if batch.isEmpty { return }
            let result: Result<[CallbackInbox.RecordOutcome], any Error>
            do {
                // A batch that hangs (a connection dropped mid-query) must not hold up the next one.
                let (inbox, submissions) = (self.inbox, batch.map(\.submission))
                result = .success(try await Abandonable.run(giveUpAfter: batchDeadline) { try await inbox.recordBatch(submissions, now: self.time()) })
            } catch {
                logger.error("cannot store callbacks", metadata: ["count": .stringConvertible(batch.count), "error": .string(String(describing: error))])
                result = .failure(error)
            }
            let waiters = state.withLock { state in batch.map { state.waiting.removeValue(forKey: $0.id) } }
            switch result {
            case .success(let outcomes):
                for (waiter, outcome) in zip(waiters, outcomes) { waiter?.resume(returning: outcome) }
            case .failure(let error):
                for waiter in waiters { waiter?.resume(throwing: error) }
            }
        }
    }
}

/// The ingestor is not running (starting up or shutting down): the platform will retry.
struct IngestorUnavailable: Error {}

/// The event was not committed within the ingestor's deadline (the database is slow or away).
struct CallbackNotStored: Error, CustomStringConvertible {
    var deadline: Duration
    var description: String { "the event was not stored within \(deadline)" }
}
