import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import SiyuCore
import SiyuServer
import SiyuStore

// What the load benches share (`siyu bench callbacks`, `siyu bench mp-callbacks`): the load loop,
// its percentiles, the inbox count from `/metrics`, the report, and a server in this process
// over a scratch database (also `siyu bench campaign`'s).

/// One measured stretch of requests.
struct LoadRun: Sendable {
    var requests: Int
    var seconds: Double
    var latencies: [Double]
    /// Requests that failed: an error, a status other than 200, or (set by the bench) a wrong answer.
    var failures: Int
    /// The body of every answer with status 200 by request index ("" for the others), when kept.
    var bodies: [String] = []

    var perSecond: Double { Double(requests) / seconds }
    func percentile(_ p: Double) -> Double {
        guard !latencies.isEmpty else { return 0 }
        let sorted = latencies.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }
}

/// An HTTP client on loopback that keeps `concurrency` requests in flight.
struct LoadClient: Sendable {
    let http: HTTPClient
    let baseURL: String
    let concurrency: Int

    static func with<T>(baseURL: String, concurrency: Int, _ body: (LoadClient) async throws -> T) async throws -> T {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = concurrency
        let http = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        do {
            let result = try await body(LoadClient(http: http, baseURL: baseURL, concurrency: concurrency))
            try await http.shutdown()
            return result
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    private struct Lane: Sendable {
        var latencies: [Double] = []
        var failures = 0
        var bodies: [(Int, String)] = []
    }

    /// Sends `count` requests; `request(i)` gives the path (after the base URL, with its query) and
    /// an optional POST body. With `keepBodies` the answers are kept, to be checked after the clock stops.
    func load(count: Int, keepBodies: Bool = false, request: @escaping @Sendable (Int) -> (String, String?)) async throws -> LoadRun {
        let http = self.http, baseURL = self.baseURL, concurrency = self.concurrency
        let began = ContinuousClock.now
        let lanes = try await withThrowingTaskGroup(of: Lane.self, returning: [Lane].self) { group in
            for lane in 0..<concurrency {
                group.addTask {
                    var result = Lane()
                    var index = lane
                    while index < count {
                        let (path, body) = request(index)
                        var outgoing = HTTPClientRequest(url: baseURL + path)
                        if let body {
                            outgoing.method = .POST
                            outgoing.headers.add(name: "Content-Type", value: "text/xml")
                            outgoing.body = .bytes(ByteBuffer(string: body))
                        }
                        let sent = ContinuousClock.now
                        do {
                            let response = try await http.execute(outgoing, timeout: .seconds(10))
                            let answer = try await response.body.collect(upTo: 1 << 16)
                            if response.status != .ok {
                                result.failures += 1
                            } else if keepBodies {
                                result.bodies.append((index, String(buffer: answer)))
                            }
                        } catch {
                            result.failures += 1
                        }
                        result.latencies.append((ContinuousClock.now - sent).timeInterval)
                        index += concurrency
                    }
                    return result
                }
            }
            var all: [Lane] = []
            for try await lane in group { all.append(lane) }
            return all
        }
        let elapsed = ContinuousClock.now - began
        var bodies = keepBodies ? [String](repeating: "", count: count) : []
        for lane in lanes {
            for (index, body) in lane.bodies { bodies[index] = body }
        }
        return LoadRun(
            requests: count, seconds: elapsed.timeInterval, latencies: lanes.flatMap(\.latencies),
            failures: lanes.reduce(0) { $0 + $1.failures }, bodies: bodies
        )
    }

    /// One POST, for warm-up and readiness: its status code and body (nil status when it did not connect).
    func post(_ path: String, body: String) async -> (status: UInt?, body: String) {
        var outgoing = HTTPClientRequest(url: baseURL + path)
        outgoing.method = .POST
        outgoing.headers.add(name: "Content-Type", value: "text/xml")
        outgoing.body = .bytes(ByteBuffer(string: body))
        do {
            let response = try await http.execute(outgoing, timeout: .seconds(10))
            let answer = try await response.body.collect(upTo: 1 << 16)
            return (response.status.code, String(buffer: answer))
        } catch {
            return (nil, "")
        }
    }

    /// Stored callbacks in every state, read from the server's own /metrics.
    func inboxTotal() async throws -> Int {
        let response = try await http.execute(HTTPClientRequest(url: baseURL + "/metrics"), timeout: .seconds(10))
        let text = String(buffer: try await response.body.collect(upTo: 8 << 20))
        return text.split(separator: "\n").filter { $0.hasPrefix("siyu_callback_inbox_count{") }.reduce(0) { total, line in
            total + Int(Double(line.split(separator: " ").last ?? "0") ?? 0)
        }
    }
}

/// The report of a load bench: the server's trivial route and the measured route, from the same
/// run against the same server, and what the server stored of the distinct requests.
struct LoadComparison: Encodable {
    struct Route: Encodable {
        var route: String
        var requests: Int
        var requestsPerSecond: Double
        var p50Ms: Double
        var p99Ms: Double
        var failures: Int

        init(_ route: String, _ run: LoadRun) {
            self.route = route
            requests = run.requests
            requestsPerSecond = (run.perSecond * 10).rounded() / 10
            p50Ms = (run.percentile(0.5) * 100_000).rounded() / 100
            p99Ms = (run.percentile(0.99) * 100_000).rounded() / 100
            failures = run.failures
        }
    }

    var build: String
    /// The 1-minute load average when the run started (Linux), since the machine is shared.
    var loadAverage: Double?
    var trivial: Route
    var measured: Route
    /// Measured throughput over the trivial route's.
    var ratio: Double
    var distinct: Int
    var redelivered: Int
    var stored: Int
    var lost: Int
    var duplicated: Int

    init(loadAverage: Double?, trivial: Route, measured: Route, distinct: Int, redelivered: Int, stored: Int) {
        #if DEBUG
            build = "debug"
        #else
            build = "release"
        #endif
        self.loadAverage = loadAverage
        self.trivial = trivial
        self.measured = measured
        ratio = trivial.requestsPerSecond > 0 ? (measured.requestsPerSecond / trivial.requestsPerSecond * 1000).rounded() / 1000 : 0
        self.distinct = distinct
        self.redelivered = redelivered
        self.stored = stored
        lost = max(0, distinct - stored)
        duplicated = max(0, stored - distinct)
    }

    /// The 1-minute load average from /proc/loadavg, where there is one.
    static func currentLoadAverage() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return nil }
        return text.split(separator: " ").first.flatMap { Double($0) }
    }

    /// Prints the report as text or JSON; `noun` names what was sent ("events", "pushes").
    func show(json: Bool, noun: String) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            Swift.print(String(decoding: try encoder.encode(self), as: UTF8.self))
            return
        }
        if build == "debug" { Swift.print("note: this is a debug build; build with -c release for real figures") }
        if let loadAverage { Swift.print(String(format: "load average at start: %.2f", loadAverage)) }
        func line(_ route: Route) -> String {
            String(
                format: "%@  %8.0f req/s   p50 %6.2f ms   p99 %6.2f ms   failures %d",
                route.route.padding(toLength: 28, withPad: " ", startingAt: 0), route.requestsPerSecond, route.p50Ms, route.p99Ms, route.failures
            )
        }
        Swift.print(line(trivial))
        Swift.print(line(measured))
        Swift.print(String(format: "%@ / trivial throughput: %.2f", noun, ratio))
        Swift.print("\(noun) sent \(distinct + redelivered) (\(distinct) distinct, \(redelivered) redelivered); newly stored \(stored); lost \(lost); duplicated \(duplicated)")
    }

    /// Fails the command unless every distinct request was stored once and none failed.
    func requireComplete(noun: String) throws {
        if stored != distinct || measured.failures > 0 {
            throw ArgumentParser.ValidationError("the server stored \(stored) of \(distinct) distinct \(noun) with \(measured.failures) failed requests")
        }
    }
}

/// A scratch database for a bench: a new SQLite file under the temporary folder (removed after)
/// unless `db` names one, migrated, with a store over it under a fresh master key.
enum BenchDatabase {
    static let logger: Logger = {
        var logger = Logger(label: "siyu.bench")
        logger.logLevel = .error
        return logger
    }()

    static func with<T: Sendable>(db: String?, name: String, _ body: @Sendable (SiyuDatabase, SiyuStore) async throws -> T) async throws -> T {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("siyu-bench-\(name)-\(getpid()).db").path
        let location = try DatabaseLocation(parsing: db ?? "sqlite:\(path)")
        defer { if db == nil { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } } }
        return try await SiyuDatabase.withDatabase(location, logger: logger) { database in
            _ = try await Migrator(database: database).migrate()
            let store = try await SiyuStore.open(database: database, masterKey: .generate())
            return try await body(database, store)
        }
    }
}

/// `siyu serve`'s application in this process: the HTTP routes and the callback ingestor (no job
/// workers, like `--workers 0`), on a free loopback port.
enum BenchServer {
    /// Starts the server over `store`, runs `body` with its base URL, then shuts it down. The
    /// per-address connection cap is raised to let `connections` clients in from loopback.
    static func with<T: Sendable>(store: SiyuStore, connections: Int, logger: Logger, _ body: (String) async throws -> T) async throws -> T {
        let dependencies = ServerDependencies(store: store, admin: AdminCredential(token: String(repeating: "b", count: 32)), logger: logger)
        let (ports, bound) = AsyncStream<Int>.makeStream()
        let app = try buildApplication(
            configuration: ServerConfiguration(
                host: "127.0.0.1", port: 0, limits: ConnectionLimits(maxConnectionsPerAddress: max(64, connections + 8))
            ),
            dependencies: dependencies,
            services: [dependencies.ingestor],
            logger: logger,
            onServerRunning: { channel in
                bound.yield(channel.localAddress?.port ?? 0)
                bound.finish()
            }
        )
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [app], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self, returning: T.self) { tasks in
            tasks.addTask {
                defer { bound.finish() }
                try await group.run()
            }
            var port = 0
            for await value in ports { port = value }
            guard port > 0 else {
                // The server stopped before it listened: its own error, if it gave one.
                try await tasks.waitForAll()
                throw ArgumentParser.ValidationError("the server in this process did not start")
            }
            do {
                let result = try await body("http://127.0.0.1:\(port)")
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }
}
