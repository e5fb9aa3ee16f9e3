import Foundation
import Logging
import PostgresNIO
import SiyuCore
import Synchronization

/// The PostgreSQL connection pool, kept usable through an outage of the server.
///
/// Two things of `PostgresClient` are wrong for a server that must answer within the platform's
/// callback timeout while the database is away: a connection request waits as long as the pool
/// keeps trying to connect (15 s before its circuit breaker trips), and after an outage the pool
/// retries on a backoff that grows to a minute, so requests keep failing long after the server
/// is back. So here a connection that is not leased within ``leaseTimeout`` fails at once with
/// ``StoreError/Code/unavailable``; and after such a failure a probe connects every
/// ``probeInterval`` on its own, and the moment it succeeds a fresh pool (with no backoff)
/// replaces the failing one.
final class PostgresPool: Sendable {
    private struct State {
        var client: PostgresClient
        var generation = 0
        /// Set by a failure that looks like the server is gone; cleared when a fresh pool is in place.
        var failing = false
        /// When `failing` was set.
        var failingSince = ContinuousClock.now
    }

    let location: PostgresLocation
    let leaseTimeout: Duration
    let probeInterval: Duration
    /// How long leases must have been failing before the pool is suspected broken.
    let outageAfter: Duration
    private let logger: Logger
    private let state: Mutex<State>
    private let replacements: AsyncStream<PostgresClient>
    private let replace: AsyncStream<PostgresClient>.Continuation

    init(
        location: PostgresLocation, leaseTimeout: Duration = .seconds(2), probeInterval: Duration = .milliseconds(500),
        outageAfter: Duration = .seconds(3), logger: Logger
    ) {
        self.location = location
        self.leaseTimeout = leaseTimeout
        self.probeInterval = probeInterval
        self.outageAfter = outageAfter
        self.logger = logger
        self.state = Mutex(State(client: PostgresClient(configuration: location.clientConfiguration, backgroundLogger: logger)))
        (replacements, replace) = AsyncStream<PostgresClient>.makeStream()
    }

    /// Runs the current pool and every replacement until the calling task is cancelled; then it
    /// returns at once, also when a pool's shutdown waits on connections that never answer.
    func run() async {
        try? await Abandonable.run { await self.runPools() }
    }

    private func runPools() async {
        let first = state.withLock { $0.client }
        await withDiscardingTaskGroup { group in
            group.addTask { await self.superviseRecovery() }
            // One pool runs at a time: a replaced pool is shut down (cancelling its `run`).
            var current = Task { await first.run() }
            for await client in replacements {
                current.cancel()
                current = Task { await client.run() }
            }
            current.cancel()
            group.cancelAll()
        }
    }

    /// Leases a connection within ``leaseTimeout`` (or `timeout`) and runs `body` on it. The caller
    /// stops waiting when it is cancelled even if the driver does not (see ``Abandonable``).
    func withConnection<T: Sendable>(
        timeout: Duration? = nil, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let (client, generation, failing) = state.withLock { ($0.client, $0.generation, $0.failing) }
        // While the server is known to be away, do not make every caller wait the full time.
        let limit = timeout ?? (failing ? min(leaseTimeout, .milliseconds(500)) : leaseTimeout)
        do {
            return try await Abandonable.run {
                try await Deadline.leasing(within: limit, detail: " (no connection to PostgreSQL could be had)") { leased in
                    try await client.withConnection { connection in
                        leased()
                        return try await body(connection)
                    }
                }
            }
        } catch {
            let translated = SiyuDatabase.translate(error)
            if let storeError = translated as? StoreError, storeError.code == .unavailable {
                noteFailure(generation: generation)
            }
            throw translated
        }
    }

    /// How many times the pool was replaced (tests).
    var replacementCount: Int { state.withLock { $0.generation } }

    private func noteFailure(generation: Int) {
        state.withLock { state in
            if state.generation == generation, !state.failing {
                state.failing = true
                state.failingSince = .now
            }
        }
    }

    /// While the pool is failing, connects directly every `probeInterval`; when that works and the
    /// pool in use still cannot lease, a new pool takes over and the old one is shut down (its
    /// connections are dead anyway). A pool that leases again (the failure was load) is kept.
    private func superviseRecovery() async {
        var quiet = logger
        quiet.logLevel = .critical
        while !Task.isCancelled {
            try? await Task.sleep(for: probeInterval)
            // Load (every connection busy for a moment) also fails leases; an outage keeps failing
            // them. Only a failure that has lasted `outageAfter` is a reason to look further.
            guard let since = state.withLock({ $0.failing ? $0.failingSince : nil }), ContinuousClock.now - since >= outageAfter else { continue }
            guard (try? await PostgresErrors.probe(location, timeout: .seconds(1), logger: quiet)) != nil else { continue }
            // The server answers. If the pool in use hands out a connection again, the failure was
            // load (every connection busy), not an outage: keep that pool.
            let current = state.withLock { $0.client }
            if (try? await Deadline.leasing(within: .seconds(1), detail: "", { leased in try await current.withConnection { _ in leased() } })) != nil {
                state.withLock { $0.failing = false }
                continue
            }
            let fresh = PostgresClient(configuration: location.clientConfiguration, backgroundLogger: logger)
            replace.yield(fresh)
            state.withLock { state in
                state.client = fresh
                state.generation += 1
                state.failing = false
            }
            logger.notice("PostgreSQL answers again; using a fresh connection pool")
        }
        replace.finish()
    }
}

/// Time limits on waits that cannot be allowed to last.
public enum Deadline {
    /// Runs `operation`, which calls `leased()` once it holds the resource it waited for; if that
    /// has not happened within `limit`, the operation is cancelled and this throws
    /// ``StoreError/Code/unavailable``. Work after `leased()` is not limited.
    static func leasing<T: Sendable>(
        within limit: Duration, detail: String,
        _ operation: @Sendable (_ leased: @Sendable @escaping () -> Void) async throws -> T
    ) async throws -> T {
        let acquired = LeaseFlag()
        // The group ends before this returns, so the operation does not really escape.
        return try await withoutActuallyEscaping(operation) { operation in
            try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    try await operation { acquired.value.store(true, ordering: .releasing) }
                }
                group.addTask {
                    try await Task.sleep(for: limit)
                    if acquired.value.load(ordering: .acquiring) { return nil }
                    throw StoreError(.unavailable, "the database did not answer within \(String(format: "%.1f", limit.timeInterval)) s\(detail); retry shortly")
                }
                defer { group.cancelAll() }
                while let next = try await group.next() {
                    if let value = next { return value }
                }
                throw CancellationError()
            }
        }
    }

    /// Runs `operation` and gives up after `limit` with ``StoreError/Code/unavailable``
    /// (the operation is cancelled; database waits honour cancellation).
    public static func run<T: Sendable>(within limit: Duration, _ operation: @Sendable () async throws -> T) async throws -> T {
        try await leasing(within: limit, detail: "") { _ in try await operation() }
    }
}

/// Set once the awaited resource is held (shared between a deadline's two racing tasks).
private final class LeaseFlag: Sendable {
    let value = Atomic<Bool>(false)
}
