import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import SiyuCore
import SiyuServer
import SiyuStore

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the Siyu server: REST API, callbacks, /healthz, /readyz, /metrics."
    )

    @Option(name: .long, help: "Address to listen on. Env: SIYU_HOST")
    var host: String?

    @Option(name: .long, help: "Port to listen on. Env: SIYU_PORT")
    var port: Int?

    @Option(help: "Job workers in this process (0 serves HTTP only, for a separate worker tier). Env: SIYU_WORKERS")
    var workers: Int?

    @Option(name: .customLong("header-timeout"), help: "Seconds a new connection has to send its request head (default 10). Env: SIYU_HEADER_TIMEOUT")
    var headerTimeout: Double?

    @Option(name: .customLong("body-timeout"), help: "Seconds a request body may pause without a byte (default 10). Env: SIYU_BODY_TIMEOUT")
    var bodyTimeout: Double?

    @Option(name: .customLong("idle-timeout"), help: "Seconds an idle keep-alive connection stays open (default 75). Env: SIYU_IDLE_TIMEOUT")
    var idleTimeout: Double?

    @Option(name: .customLong("max-connections-per-address"), help: "Open connections per client address; more are closed at once (default 64). Env: SIYU_MAX_CONNECTIONS_PER_ADDRESS")
    var maxConnectionsPerAddress: Int?

    @Option(name: .customLong("trusted-proxies"), help: "Comma-separated CIDRs of reverse proxies whose Forwarded/X-Forwarded-For is believed (default none). Env: SIYU_TRUSTED_PROXIES")
    var trustedProxies: String?

    @Option(name: .customLong("shutdown-timeout"), help: "Seconds shutdown may take after SIGTERM before remaining work is cancelled (default 10). Env: SIYU_SHUTDOWN_TIMEOUT")
    var shutdownTimeout: Double?

    @OptionGroup var store: StoreOptions

    func run() async throws {
        let logger = try store.bootstrapLogging()
        let environment = store.environment
        let host = host ?? environment["SIYU_HOST"] ?? "127.0.0.1"
        let portText = port.map(String.init) ?? environment["SIYU_PORT"] ?? "8080"
        guard let port = Int(portText), (0...65535).contains(port) else {
            throw ConfigurationError("port must be a number from 0 to 65535 (got \(portText))")
        }
        let production = store.isProduction
        let workerText = workers.map(String.init) ?? environment["SIYU_WORKERS"] ?? "2"
        guard let workerCount = Int(workerText), (0...64).contains(workerCount) else {
            throw ConfigurationError("workers must be a number from 0 to 64 (got \(workerText))")
        }
        let outboundPolicy = try OutboundAddressPolicy.fromEnvironment(environment)
        if !outboundPolicy.allowed.isEmpty {
            logger.notice("webhooks may reach these ranges besides public addresses", metadata: [
                "allowed": .string(outboundPolicy.allowed.map(\.description).joined(separator: ",")),
            ])
        }
        let configuration = try serverConfiguration(host: host, port: port, environment: environment)
        let wecomBaseURL = try store.wecomBaseURL()
        try await store.withStore(logger: logger) { siyuStore in
            let admin = try await AdminCredential.resolve(
                environmentValue: environment["SIYU_ADMIN_TOKEN"], production: production, store: siyuStore
            )
            if let token = admin.generatedToken {
                FileHandle.standardOutput.write(Data("""
                    Admin token (shown once; store it now, or set SIYU_ADMIN_TOKEN):
                      \(token)

                    """.utf8))
            }
            var dependencies = ServerDependencies(
                store: siyuStore, admin: admin.credential,
                wecomBaseURL: wecomBaseURL,
                console: ConsoleSettings.fromEnvironment(environment), logger: logger
            )
            dependencies.outboundPolicy = outboundPolicy
            let app = try buildApplication(
                configuration: configuration,
                dependencies: dependencies,
                services: dependencies.backgroundServices(workers: workerCount),
                logger: logger
            )
            // After a signal, in-flight work gets `shutdownDeadline`; then it is cancelled (database
            // waits honour that), and should cancellation itself hang, the process stops anyway.
            var group = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            group.maximumGracefulShutdownDuration = configuration.shutdownDeadline
            group.maximumCancellationDuration = .seconds(5)
            try await ServiceGroup(configuration: group).run()
            logger.info("siyu stopped")
        }
    }

    /// Flags win over `SIYU_*` variables, which win over the defaults.
    func serverConfiguration(host: String, port: Int, environment: [String: String]) throws -> ServerConfiguration {
        func seconds(_ flag: Double?, _ variable: String, _ fallback: Duration) throws -> Duration {
            guard let text = flag.map({ String($0) }) ?? environment[variable] else { return fallback }
            guard let value = Double(text), value > 0, value <= 86_400 else {
                throw ConfigurationError("\(variable) must be a number of seconds above 0 (got \(text))")
            }
            return .milliseconds(Int64(value * 1000))
        }
        let defaults = ConnectionLimits()
        let capText = maxConnectionsPerAddress.map(String.init) ?? environment["SIYU_MAX_CONNECTIONS_PER_ADDRESS"]
        var cap = defaults.maxConnectionsPerAddress
        if let capText {
            guard let value = Int(capText), value > 0 else {
                throw ConfigurationError("SIYU_MAX_CONNECTIONS_PER_ADDRESS must be a whole number above 0 (got \(capText))")
            }
            cap = value
        }
        let limits = ConnectionLimits(
            headerTimeout: try seconds(headerTimeout, "SIYU_HEADER_TIMEOUT", defaults.headerTimeout),
            bodyTimeout: try seconds(bodyTimeout, "SIYU_BODY_TIMEOUT", defaults.bodyTimeout),
            idleTimeout: try seconds(idleTimeout, "SIYU_IDLE_TIMEOUT", defaults.idleTimeout),
            maxConnectionsPerAddress: cap
        )
        let proxies: TrustedProxies
        switch TrustedProxies.parse(trustedProxies ?? environment["SIYU_TRUSTED_PROXIES"] ?? "") {
        case .success(let parsed): proxies = parsed
        case .failure(let error): throw ConfigurationError("SIYU_TRUSTED_PROXIES: \(error.message)")
        }
        return ServerConfiguration(
            host: host, port: port, limits: limits, trustedProxies: proxies,
            metricsAccess: MetricsAccess(token: environment["SIYU_METRICS_TOKEN"]),
            shutdownDeadline: try seconds(shutdownTimeout, "SIYU_SHUTDOWN_TIMEOUT", .seconds(10))
        )
    }
}
