import Foundation
import SQLKit
import SiyuCore
import SiyuTestSupport
import Testing

@testable import SiyuStore

@Suite("Job queue")
struct JobQueueTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("two workers claiming at once never get the same job", arguments: TestDatabases.flavors)
    func claimRace(flavor: SQLFlavor) async throws {
        try await TestDatabases.withLocation(flavor) { location in
            let logger = TestDatabases.logger
            let total = 300
            try await SiyuDatabase.withDatabase(location, logger: logger) { db in
                try await Migrator(database: db).migrate()
                let store = try await SiyuStore.open(database: db, masterKey: .generate())
                for i in 0..<total {
                    try await store.jobs.enqueue(kind: "test.race", payload: "\(i)", corpID: "wwcorp\(i % 3)", now: t0)
                }
            }
            // Two independent database handles: two pools on PostgreSQL, two writer connections on SQLite,
            // as two `siyu serve` processes would have.
            let claimedByWorker = try await withThrowingTaskGroup(of: [String].self) { group in
                for worker in ["worker-a", "worker-b"] {
                    group.addTask {
                        try await SiyuDatabase.withDatabase(location, logger: logger) { db in
                            let queue = JobQueue(database: db)
                            var mine: [String] = []
                            while true {
                                let jobs = try await queue.claim(owner: worker, kinds: ["test.race"], limit: 7, now: t0.addingTimeInterval(1))
                                if jobs.isEmpty { break }
                                for job in jobs {
                                    mine.append(job.payload)
                                    #expect(try await queue.complete(job, owner: worker, now: Date()))
                                }
                            }
                            return mine
                        }
                    }
                }
                var all: [[String]] = []
                for try await claimed in group { all.append(claimed) }
                return all
            }
            let everything = claimedByWorker.flatMap { $0 }
            #expect(everything.count == total, "every job claimed exactly once")
            #expect(Set(everything).count == total, "no job claimed twice")
            // Which worker wins each claim is up to the scheduler (on SQLite one may take them all);
            // what must hold is that every job is claimed exactly once.
            #expect(claimedByWorker.count == 2)
        }
    }

    @Test("an expired lease is taken over; a live one is not", arguments: TestDatabases.flavors)
    func leaseExpiry(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            let id = try await store.jobs.enqueue(kind: "test.lease", payload: "p", corpID: "wwa", now: t0)
            let first = try await store.jobs.claim(owner: "a", kinds: ["test.lease"], lease: .seconds(30), now: t0)
            #expect(first.map(\.jobID) == [id])
            #expect(first.first?.attempts == 1)
            #expect(try await store.jobs.claim(owner: "b", kinds: ["test.lease"], now: t0.addingTimeInterval(29)).isEmpty)
            let taken = try await store.jobs.claim(owner: "b", kinds: ["test.lease"], lease: .seconds(30), now: t0.addingTimeInterval(31))
            #expect(taken.map(\.jobID) == [id])
            #expect(taken.first?.attempts == 2)
            // The first worker comes back: its lease is gone, so it can neither complete nor fail the job.
            #expect(try await store.jobs.complete(first[0], owner: "a", now: t0.addingTimeInterval(32)) == false)
            #expect(try await store.jobs.fail(first[0], owner: "a", error: "late", now: t0.addingTimeInterval(32)) == .leaseLost)
            #expect(try await store.jobs.complete(taken[0], owner: "b", now: t0.addingTimeInterval(33)))
            #expect(try await store.jobs.find(corpID: "wwa", jobID: id)?.state == "done")
        }
    }

    @Test("a failed job retries with exponential backoff", arguments: TestDatabases.flavors)
    func retryBackoff(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            let policy = RetryPolicy(base: .seconds(10), maximum: .seconds(100), maxAttempts: 5)
            let id = try await store.jobs.enqueue(kind: "test.retry", payload: "p", maxAttempts: 5, now: t0)
            var now = t0
            var delays: [TimeInterval] = []
            for attempt in 1...4 {
                let jobs = try await store.jobs.claim(owner: "w", kinds: ["test.retry"], now: now)
                #expect(jobs.count == 1)
                #expect(jobs.first?.attempts == attempt)
                guard case .retryAt(let at) = try await store.jobs.fail(jobs[0], owner: "w", error: "boom \(attempt)", policy: policy, now: now) else {
                    Issue.record("attempt \(attempt) was not scheduled for retry")
                    return
                }
                delays.append(at.timeIntervalSince(now))
                #expect(try await store.jobs.claim(owner: "w", kinds: ["test.retry"], now: at.addingTimeInterval(-1)).isEmpty, "not before its time")
                now = at
            }
            #expect(delays == [10, 20, 40, 80])
            let snapshot = try #require(try await store.jobs.find(corpID: "", jobID: id))
            #expect(snapshot.state == "queued")
            #expect(snapshot.lastError == "boom 4")
        }
    }

    @Test("the last failed attempt dead-letters the job; it can be requeued", arguments: TestDatabases.flavors)
    func deadLetter(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            let policy = RetryPolicy(base: .seconds(1), maximum: .seconds(1), maxAttempts: 2)
            let id = try await store.jobs.enqueue(kind: "test.dead", payload: "p", maxAttempts: 2, now: t0)
            var now = t0
            var outcomes: [JobQueue.FailureOutcome] = []
            for _ in 0..<2 {
                let job = try #require(try await store.jobs.claim(owner: "w", kinds: ["test.dead"], now: now).first)
                outcomes.append(try await store.jobs.fail(job, owner: "w", error: "no", policy: policy, now: now))
                now = now.addingTimeInterval(5)
            }
            #expect(outcomes == [.retryAt(t0.addingTimeInterval(1)), .deadLettered])
            #expect(try await store.jobs.claim(owner: "w", kinds: ["test.dead"], now: now.addingTimeInterval(3600)).isEmpty)
            #expect(try await store.jobs.depth()["dead"] == 1)
            #expect(try await store.jobs.requeueDead(corpID: "", jobID: id, now: now))
            let again = try await store.jobs.claim(owner: "w", kinds: ["test.dead"], now: now)
            #expect(again.first?.attempts == 1)
        }
    }

    @Test("a lease that expires on the final attempt dead-letters instead of running again", arguments: TestDatabases.flavors)
    func expiredFinalAttempt(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            let id = try await store.jobs.enqueue(kind: "test.crash", payload: "p", maxAttempts: 1, now: t0)
            #expect(try await store.jobs.claim(owner: "crashed", kinds: ["test.crash"], lease: .seconds(5), now: t0).count == 1)
            #expect(try await store.jobs.claim(owner: "w", kinds: ["test.crash"], now: t0.addingTimeInterval(10)).isEmpty)
            let snapshot = try #require(try await store.jobs.find(corpID: "", jobID: id))
            #expect(snapshot.state == "dead")
            #expect(snapshot.lastError == "lease expired on the final attempt")
        }
    }

    @Test("releasing leases on shutdown hands jobs back without spending an attempt", arguments: TestDatabases.flavors)
    func releaseLeases(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            for i in 0..<3 { try await store.jobs.enqueue(kind: "test.release", payload: "\(i)", now: t0) }
            #expect(try await store.jobs.claim(owner: "stopping", kinds: ["test.release"], limit: 2, now: t0).count == 2)
            #expect(try await store.jobs.depth()["running"] == 2)
            #expect(try await store.jobs.releaseLeases(owner: "stopping", now: t0) == 2)
            let again = try await store.jobs.claim(owner: "next", kinds: ["test.release"], limit: 10, now: t0)
            #expect(again.count == 3)
            #expect(again.allSatisfy { $0.attempts == 1 })
        }
    }

    @Test("only the kinds a worker handles are claimed", arguments: TestDatabases.flavors)
    func kindsFilter(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            try await store.jobs.enqueue(kind: "a", payload: "1", now: t0)
            try await store.jobs.enqueue(kind: "b", payload: "2", now: t0)
            #expect(try await store.jobs.claim(owner: "w", kinds: ["b"], limit: 10, now: t0).map(\.payload) == ["2"])
            #expect(try await store.jobs.claim(owner: "w", kinds: [], limit: 10, now: t0).isEmpty)
        }
    }
}
