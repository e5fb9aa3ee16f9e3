import AsyncHTTPClient
import Foundation
import Logging
import ServiceLifecycle
import SiyuDemo
import WeComSandbox

/// What `siyu demo` was asked for, after defaults.
struct DemoOptions: Sendable {
    var siyuURL: String
    var sandboxURL: String
    var databasePath: String
    var password: String
    var scale: DemoScale
    var seed: UInt64
    var live: Bool
    var interval: Duration
    var started: ContinuousClock.Instant
}

/// The demo's own service beside the two servers: waits until both answer, seeds the brand,
/// prints where to look, then keeps live activity going until the process stops.
struct DemoSetup: Service {
    let seeder: DemoSeeder
    let options: DemoOptions
    let adminToken: String
    let apiKey: String
    let logger: Logger

    func run() async throws {
        // Ctrl-C while seeding stops the seeding too, quietly.
        let summary: DemoSummary
        do {
            summary = try await seedWhenReady()
        } catch is CancellationError where Task.isShuttingDownGracefully {
            return
        }
        printBanner(summary)
        guard options.live else { return }
        try await DemoActivity(
            world: seeder.world, deliverer: seeder.deliverer, store: seeder.store, corpID: seeder.corp.corpID,
            configIDs: summary.channels.compactMap(\.configID), interval: options.interval, seed: options.seed, logger: logger
        ).run()
    }

    func seedWhenReady() async throws -> DemoSummary {
        try await cancelWhenGracefulShutdown {
            try await Self.waitUntilAnswering(options.siyuURL + "/healthz")
            try await Self.waitUntilAnswering(options.sandboxURL + "/sandbox/corps/\(seeder.corp.corpID)/stats")
            let summary = try await seeder.seed(scale: options.scale, seed: options.seed, now: Date())
            if try await !seeder.settle(timeout: .seconds(120)) {
                logger.warning("some callbacks were not applied within 120 s")
            }
            return summary
        }
    }

    func printBanner(_ summary: DemoSummary) {
        let elapsed = ContinuousClock.now - options.started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let days = summary.firstAdded.map { Int(Date().timeIntervalSince($0) / 86400) + 1 } ?? 0
        let text = """

            \(DemoBrand.name) is ready in \(String(format: "%.1f", seconds)) s: \(summary.customers) customers over \(days) days \
            (\(summary.lost) lost), \(summary.channels.count) channels, \(summary.groups) groups, \(summary.orders) orders, \(summary.campaigns.count) finished campaigns.

              Console:  \(options.siyuURL)/console
              Login:    admin / \(options.password)
              API key:  \(apiKey)   (curl -H 'Authorization: Bearer …' \(options.siyuURL)/api/v1/customers)
              Admin:    \(adminToken)
              Sandbox:  \(options.sandboxURL)  (WeCom API /cgi-bin/…, control API /sandbox/…)
              Database: \(options.databasePath)  (deleted and seeded afresh at every start)

            \(options.live ? "Live: a few customers scan a channel code every \(options.interval.components.seconds) s, some leave, some order; members confirm mass messages. " : "")Ctrl-C stops.

            """
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Polls `url` until it answers 200 (the server is listening), for up to 30 s.
    static func waitUntilAnswering(_ url: String) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            if let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(2)), response.status == .ok {
                return
            }
            guard ContinuousClock.now < deadline else { throw DemoStartError(message: "\(url) did not answer within 30 s") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

struct DemoStartError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
