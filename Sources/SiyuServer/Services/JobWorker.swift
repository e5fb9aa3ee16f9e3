import Foundation
import Logging
import ServiceLifecycle
import SiyuCore
import SiyuStore

/// What a worker does with one kind of job.
public struct JobHandler: Sendable {
    public var retry: RetryPolicy
    public var perform: @Sendable (JobQueue.Job) async throws -> Void

    public init(retry: RetryPolicy = .default, perform: @escaping @Sendable (JobQueue.Job) async throws -> Void) {
        self.retry = retry
        self.perform = perform
    }
}

/// Claims due jobs of the kinds it has handlers for and runs them, one at a time.
///
/// While it holds claimed jobs it renews their leases every `renewEvery` (a third of the lease
/// by default), so neither a long job nor the ones waiting behind it in the batch are claimed by
/// another worker and run twice. A worker that dies stops renewing; its leases then expire.
///
/// On graceful shutdown it stops claiming, lets the job in hand finish, and gives back any
/// lease it still holds so another process picks the work up at once.
public struct JobWorker: Service {
    let jobs: JobQueue
    let handlers: [String: JobHandler]
    let owner: String
    let pollInterval: Duration
    let lease: Duration
    let renewEvery: Duration
    let time: TimeSource
    let logger: Logger

    public init(
        jobs: JobQueue, handlers: [String: JobHandler], owner: String = "\(ProcessInfo.processInfo.hostName)-\(getpid())-\(UUID().uuidString.prefix(8))",
        pollInterval: Duration = .milliseconds(500), lease: Duration = .seconds(60), renewEvery: Duration? = nil, time: TimeSource, logger: Logger
    ) {
        self.renewEvery = renewEvery ?? lease / 3
        self.time = time
        self.jobs = jobs
        self.handlers = handlers
        self.owner = owner
        self.pollInterval = pollInterval
        self.lease = lease
        self.logger = logger
    }

    public func run() async throws {
        let kinds = handlers.keys.sorted()
        logger.info("job worker started", metadata: ["owner": .string(owner), "kinds": .string(kinds.joined(separator: ","))])
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let claimed: [JobQueue.Job]
            do {
                claimed = try await jobs.claim(owner: owner, kinds: kinds, limit: 8, lease: lease, now: time())
            } catch {
                logger.error("cannot claim jobs", metadata: ["error": .string(String(describing: error))])
                claimed = []
            }
            if claimed.isEmpty {
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pollInterval) }
                continue
            }
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await renewLeases() }
                for job in claimed {
                    if Task.isShuttingDownGracefully { break }
                    await perform(job)
                }
                group.cancelAll()
            }
        }
        let released = (try? await jobs.releaseLeases(owner: owner, now: time())) ?? 0
        logger.info("job worker stopped", metadata: ["released_leases": .stringConvertible(released)])
    }

    /// The heartbeat: runs until cancelled (the batch is done). A failed renewal (the database
    /// is away) is logged and retried at the next beat; the lease may lapse meanwhile.
    private func renewLeases() async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: renewEvery) } catch { return }
            do {
                try await jobs.renewLeases(owner: owner, lease: lease, now: time())
            } catch {
                logger.warning("cannot renew job leases", metadata: ["owner": .string(owner), "error": .string(String(describing: error))])
            }
        }
    }

    private func perform(_ job: JobQueue.Job) async {
        guard let handler = handlers[job.kind] else { return }
        var logger = logger
        logger[metadataKey: "job_id"] = .string(job.jobID)
        logger[metadataKey: "job_kind"] = .string(job.kind)
        if !job.corpID.isEmpty { logger[metadataKey: "corp_id"] = .string(job.corpID) }
        do {
            try await handler.perform(job)
            try await jobs.complete(job, owner: owner, now: time())
        } catch {
            let outcome = try? await jobs.fail(job, owner: owner, error: String(describing: error), policy: handler.retry, now: time())
            logger.warning("job failed", metadata: [
                "error": .string(String(describing: error)), "attempt": .stringConvertible(job.attempts),
                "outcome": .string(outcome.map { String(describing: $0) } ?? "unrecorded"),
            ])
        }
    }
}
