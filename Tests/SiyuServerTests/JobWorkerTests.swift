import Foundation
import Logging
import ServiceLifecycle
import SiyuCore
import SiyuStore
import SiyuTestSupport
import Synchronization
import Testing

@testable import SiyuServer

@Suite("Job worker")
struct JobWorkerTests {
    /// Remembers what handlers saw, across tasks.
    final class Record: Sendable {
        let seen = Mutex<[String]>([])
        func add(_ value: String) { seen.withLock { $0.append(value) } }
        var values: [String] { seen.withLock { $0 } }
    }

    @Test("runs jobs, retries failures, and releases its leases on graceful shutdown")
    func lifecycle() async throws {
        try await TestServer.withStore { store in
            let record = Record()
            let ok = try await store.jobs.enqueue(kind: "test.ok", payload: "hello", now: Date())
            let flaky = try await store.jobs.enqueue(kind: "test.flaky", payload: "x", maxAttempts: 3, now: Date())
            let handlers: [String: JobHandler] = [
                "test.ok": JobHandler { job in record.add("ok:\(job.payload)") },
                "test.flaky": JobHandler(retry: RetryPolicy(base: .milliseconds(1), maximum: .milliseconds(1), maxAttempts: 3)) { job in
                    record.add("flaky:\(job.attempts)")
                    if job.attempts < 2 { throw ValidationError(field: "x", message: "not yet") }
                },
            ]
            let worker = JobWorker(jobs: store.jobs, handlers: handlers, owner: "w1", pollInterval: .milliseconds(10), time: .system, logger: TestServer.logger)
            let group = ServiceGroup(configuration: .init(services: [worker], logger: TestServer.logger))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                for _ in 0..<3000 {
                    let states = [try await store.jobs.find(corpID: "", jobID: ok)?.state, try await store.jobs.find(corpID: "", jobID: flaky)?.state]
                    if states == ["done", "done"] { break }
                    try await Task.sleep(for: .milliseconds(10))
                }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            #expect(try await store.jobs.find(corpID: "", jobID: ok)?.state == "done")
            #expect(try await store.jobs.find(corpID: "", jobID: flaky)?.state == "done")
            #expect(record.values.contains("ok:hello"))
            #expect(record.values.filter { $0.hasPrefix("flaky") } == ["flaky:1", "flaky:2"])
        }
    }

    @Test("a job claimed but not started when shutdown begins goes back to the queue")
    func releaseOnShutdown() async throws {
        try await TestServer.withStore { store in
            let started = Record()
            let gate = AsyncStream<Void>.makeStream()
            let first = try await store.jobs.enqueue(kind: "test.slow", payload: "1", now: Date(timeIntervalSinceNow: -2))
            let second = try await store.jobs.enqueue(kind: "test.slow", payload: "2", now: Date(timeIntervalSinceNow: -1))
            let handlers: [String: JobHandler] = [
                "test.slow": JobHandler { job in
                    started.add(job.payload)
                    for await _ in gate.stream { break }
                }
            ]
            let worker = JobWorker(jobs: store.jobs, handlers: handlers, owner: "w2", pollInterval: .milliseconds(10), time: .system, logger: TestServer.logger)
            let group = ServiceGroup(configuration: .init(services: [worker], logger: TestServer.logger))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                while started.values.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
                await group.triggerGracefulShutdown()
                try await Task.sleep(for: .milliseconds(50))
                gate.continuation.yield()
                gate.continuation.finish()
                try await tasks.waitForAll()
            }
            #expect(started.values == ["1"])
            #expect(try await store.jobs.find(corpID: "", jobID: first)?.state == "done")
            let released = try #require(try await store.jobs.find(corpID: "", jobID: second))
            #expect(released.state == "queued")
            #expect(released.attempts == 0)
            #expect(released.leaseOwner == nil)
        }
    }

    @Test("a job that outlives its lease is renewed, not claimed again: another worker finds nothing to claim, for the running job and for the one waiting behind it in the batch")
    func leasesRenewWhileWorking() async throws {
        try await TestServer.withStore { store in
            let started = Record()
            let gate = AsyncStream<Void>.makeStream()
            let start = Date()
            let clock = Mutex(start)
            let time = TimeSource { clock.withLock { $0 } }
            let first = try await store.jobs.enqueue(kind: "test.long", payload: "1", now: start.addingTimeInterval(-2))
            let second = try await store.jobs.enqueue(kind: "test.long", payload: "2", now: start.addingTimeInterval(-1))
            let handlers: [String: JobHandler] = [
                "test.long": JobHandler { job in
                    started.add(job.payload)
                    if job.payload == "1" { for await _ in gate.stream { break } }
                }
            ]
            let worker = JobWorker(
                jobs: store.jobs, handlers: handlers, owner: "w-long", pollInterval: .milliseconds(10), lease: .seconds(60), renewEvery: .milliseconds(20),
                time: time, logger: TestServer.logger
            )
            let group = ServiceGroup(configuration: .init(services: [worker], logger: TestServer.logger))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                while started.values.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
                // Two leases' worth of time passes while the first job runs.
                let later = start.addingTimeInterval(120)
                clock.withLock { $0 = later }
                for id in [first, second] {
                    try await Eventually.wait("the lease of \(id) renewed past the new time") {
                        try await store.jobs.find(corpID: "", jobID: id)?.leaseUntil.map { $0 > later } ?? false
                    } progress: { "" }
                }
                let stolen = try await store.jobs.claim(owner: "thief", kinds: ["test.long"], limit: 8, now: later)
                #expect(stolen.isEmpty, "\(stolen)")
                gate.continuation.yield()
                gate.continuation.finish()
                while try await store.jobs.find(corpID: "", jobID: second)?.state != "done" { try await Task.sleep(for: .milliseconds(5)) }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            #expect(started.values == ["1", "2"], "each job ran once, by its one owner")
            #expect(try await store.jobs.find(corpID: "", jobID: first)?.state == "done")
        }
    }

    @Test("a job is due by the worker's time source, not the system clock: a job for tomorrow runs when the source says tomorrow, and not before")
    func dueByTheInjectedTime() async throws {
        try await TestServer.withStore { store in
            let record = Record()
            let tomorrow = Date().addingTimeInterval(86_400)
            let job = try await store.jobs.enqueue(kind: "test.later", payload: "x", runAfter: tomorrow, now: Date())
            let handlers: [String: JobHandler] = ["test.later": JobHandler { job in record.add(job.payload) }]
            func run(at time: TimeSource, until done: @escaping @Sendable () async throws -> Bool) async throws {
                let worker = JobWorker(jobs: store.jobs, handlers: handlers, owner: "w-time", pollInterval: .milliseconds(10), time: time, logger: TestServer.logger)
                let group = ServiceGroup(configuration: .init(services: [worker], logger: TestServer.logger))
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await group.run() }
                    for _ in 0..<300 {
                        if try await done() { break }
                        try await Task.sleep(for: .milliseconds(10))
                    }
                    await group.triggerGracefulShutdown()
                    try await tasks.waitForAll()
                }
            }
            // Today by the source: a few polls go by and the job stays queued.
            try await run(at: .fixed(Date()), until: { record.values.count > 0 })
            #expect(record.values.isEmpty)
            #expect(try await store.jobs.find(corpID: "", jobID: job)?.state == "queued")
            // Tomorrow by the source, though the system clock still says today: it runs.
            try await run(at: .fixed(tomorrow.addingTimeInterval(1)), until: { try await store.jobs.find(corpID: "", jobID: job)?.state == "done" })
            #expect(record.values == ["x"])
            #expect(try await store.jobs.find(corpID: "", jobID: job)?.state == "done")
        }
    }
}
