import ArgumentParser
import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import SiyuCore
import SiyuDemo
import SiyuServer
import SiyuStore
import WeComSandbox

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Siyu and the WeCom sandbox in one process with a seeded demo brand (山隅咖啡, a coffee chain) and live activity.",
        discussion: """
            Listens on 127.0.0.1 only. Siyu's corp is pointed at the sandbox before anything runs, so nothing \
            reaches the real platform. The database is <data-dir>/siyu-demo.db; it is deleted and seeded afresh \
            at every start (nothing else in the folder is touched).
            """
    )

    @Option(help: "Siyu's port (console, API, callbacks)") var port = 8080
    @Option(name: .customLong("sandbox-port"), help: "The WeCom sandbox's port") var sandboxPort = 8090
    @Option(name: .customLong("data-dir"), help: "Folder of the demo database (default: siyu-demo in the system temp folder)")
    var dataDir: String?
    @Option(help: "Seed of the brand: the same seed gives the same customers, names and ids") var seed: UInt64 = 1
    @Flag(name: .customLong("no-live"), help: "Seed, then stay still (no new customers, orders or confirmations)") var noLive = false
    @Option(help: "Customers to seed") var customers = 5000
    @Option(help: "Days of history the customers arrive over") var days = 60
    @Option(help: "Seconds between rounds of live activity") var interval = 15
    @Option(help: "Password of the console user admin (default: a random one, printed)") var password: String?
    @Option(name: .customLong("log-level"), help: "Log level: trace, debug, info, notice, warning, error") var logLevel = "warning"

    func validate() throws {
        for (name, value) in [("--port", port), ("--sandbox-port", sandboxPort)] where !(1...65535).contains(value) {
            throw ValidationError("\(name) must be from 1 to 65535")
        }
        guard port != sandboxPort else { throw ValidationError("--port and --sandbox-port must differ") }
        if let password, password.count < 8 { throw ValidationError("--password needs at least 8 characters") }
        guard (0...1_000_000).contains(customers), (1...3650).contains(days), interval >= 1 else {
            throw ValidationError("--customers is 0 to 1,000,000, --days 1 to 3650, --interval at least 1")
        }
    }

    func run() async throws {
        let started = ContinuousClock.now
        guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("unknown --log-level \(logLevel)") }
        LogBootstrap.once(format: .text, level: level)
        let logger = { var logger = Logger(label: "siyu.demo"); logger.logLevel = level; return logger }()

        let folder = URL(fileURLWithPath: dataDir ?? FileManager.default.temporaryDirectory.appendingPathComponent("siyu-demo").path)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let databasePath = folder.appendingPathComponent("siyu-demo.db").path
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: databasePath + suffix) }
        FileHandle.standardOutput.write(Data("Seeding the demo brand \(DemoBrand.name) into \(databasePath) …\n".utf8))

        let siyuURL = "http://127.0.0.1:\(port)"
        let sandboxURL = "http://127.0.0.1:\(sandboxPort)"
        let password = self.password ?? Self.randomPassword()
        let outboundPolicy = try OutboundAddressPolicy.fromEnvironment(ProcessInfo.processInfo.environment)
        let options = DemoOptions(
            siyuURL: siyuURL, sandboxURL: sandboxURL, databasePath: databasePath, password: password,
            scale: DemoScale(customers: customers, days: days), seed: seed, live: !noLive, interval: .seconds(interval), started: started
        )
        try await SiyuDatabase.withDatabase(.sqlite(path: databasePath), logger: logger) { database in
            try await Migrator(database: database).migrate()
            let store = try await SiyuStore.open(database: database, masterKey: .generate())
            // Before any worker runs: the corp talks to the sandbox, never to the real platform.
            let apiKey = try await DemoSeeder.registerCorp(store: store, sandboxURL: sandboxURL, now: Date())
            try await store.consoleUsers.createUser(username: "admin", password: password, role: .admin, now: Date())
            let world = SandboxWorld(seed: seed)
            await world.setPublicBaseURL(sandboxURL)
            let deliverer = CallbackDeliverer(logger: logger)
            let adminToken = "adm." + Self.randomPassword() + Self.randomPassword()
            // Siyu runs on the sandbox's time (the seeder pins it back to send past campaigns), moving on
            // from each pin so its polls and retries come due while the sandbox's clock stands still.
            var dependencies = ServerDependencies(
                store: store, admin: AdminCredential(token: adminToken), wecomBaseURL: sandboxURL, time: TimeSource { world.clock.running }, logger: logger
            )
            dependencies.campaignPollInterval = .seconds(1)
            dependencies.outboundPolicy = outboundPolicy
            let sandboxApp = Sandbox(world: world, deliverer: deliverer).buildApplication(host: "127.0.0.1", port: sandboxPort, logger: logger)
            let siyuApp = try buildApplication(
                configuration: ServerConfiguration(host: "127.0.0.1", port: port), dependencies: dependencies,
                services: dependencies.backgroundServices(workers: 2, jobPollInterval: .milliseconds(50)), logger: logger
            )
            let seeder = DemoSeeder(
                world: world, deliverer: deliverer, store: store, wecom: dependencies.wecom,
                api: SiyuAPI(baseURL: siyuURL, apiKey: apiKey), logger: logger
            )
            let setup = DemoSetup(seeder: seeder, options: options, adminToken: adminToken, apiKey: apiKey, logger: logger)
            let group = ServiceGroup(configuration: ServiceGroupConfiguration(
                services: [
                    .init(service: sandboxApp), .init(service: siyuApp),
                    .init(service: setup, successTerminationBehavior: .ignore, failureTerminationBehavior: .gracefullyShutdownGroup),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
            ))
            try await group.run()
        }
        FileHandle.standardOutput.write(Data("Demo stopped.\n".utf8))
    }

    static func randomPassword() -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<12).map { _ in alphabet.randomElement(using: &generator)! })
    }
}
