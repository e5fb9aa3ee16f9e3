import ArgumentParser
import Foundation
import Logging
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
                wecomBaseURL: environment["SIYU_WECOM_API_BASE_URL"] ?? "https://qyapi.weixin.qq.com",
                console: ConsoleSettings.fromEnvironment(environment), logger: logger
            )
            dependencies.outboundPolicy = outboundPolicy
            let app = buildApplication(
                configuration: ServerConfiguration(host: host, port: port),
                dependencies: dependencies,
                services: dependencies.backgroundServices(workers: workerCount),
                logger: logger
            )
            try await app.runService()
            logger.info("siyu stopped")
        }
    }
}
