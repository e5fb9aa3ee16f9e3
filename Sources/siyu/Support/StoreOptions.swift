import ArgumentParser
import Foundation
import Logging
import SiyuCore
import SiyuServer
import SiyuStore

/// Options every command that touches the database shares. Flags win over `SIYU_*` variables,
/// which win over defaults.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "Database: sqlite:./siyu.db (default) or postgres://user:pass@host:5432/db. Env: SIYU_DB")
    var db: String?

    @Flag(name: .long, help: "Refuse development conveniences: SIYU_MASTER_KEY and SIYU_ADMIN_TOKEN must be set. Env: SIYU_PRODUCTION=1")
    var production = false

    @Option(name: .long, help: "Log format: text or json. Env: SIYU_LOG_FORMAT")
    var logFormat: LogFormat?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error. Only trace logs SQL values (personal data). Env: SIYU_LOG_LEVEL")
    var logLevel: String?

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    var isProduction: Bool {
        production || ["1", "true", "yes"].contains(environment["SIYU_PRODUCTION"]?.lowercased() ?? "")
    }

    /// The WeCom API every corp without its own `wecom_api_base_url` talks to (and sends its secret
    /// to): `SIYU_WECOM_API_BASE_URL`, checked like the setting, or the real platform.
    func wecomBaseURL() throws -> String {
        guard let value = environment["SIYU_WECOM_API_BASE_URL"], !value.isEmpty else { return "https://qyapi.weixin.qq.com" }
        do {
            try CorpSettings.validateAPIBaseURL(value, field: "SIYU_WECOM_API_BASE_URL")
        } catch {
            throw ConfigurationError("SIYU_WECOM_API_BASE_URL \(error.message)")
        }
        return value
    }

    func location() throws -> DatabaseLocation {
        try DatabaseLocation(parsing: db ?? environment["SIYU_DB"] ?? "sqlite:./siyu.db")
    }

    /// Sets up logging once for the process and returns the root logger.
    func bootstrapLogging() throws -> Logger {
        let format = try logFormat ?? environment["SIYU_LOG_FORMAT"].map { value in
            guard let format = LogFormat(rawValue: value) else {
                throw ConfigurationError("SIYU_LOG_FORMAT must be text or json")
            }
            return format
        } ?? .text
        let levelText = logLevel ?? environment["SIYU_LOG_LEVEL"] ?? "info"
        guard let level = Logger.Level(rawValue: levelText) else {
            throw ValidationError("log level must be one of trace, debug, info, notice, warning, error, critical")
        }
        LogBootstrap.once(format: format, level: level)
        var logger = Logger(label: "siyu")
        logger.logLevel = level
        if level == .trace {
            logger.warning("log level trace writes every SQL statement with its values: customers' names, custom fields and other personal data; use it only to debug, and delete these logs afterwards")
        }
        return logger
    }

    /// Opens the database, migrates it, binds the master key, runs `body`, closes everything.
    func withStore<T: Sendable>(logger: Logger, _ body: @Sendable (SiyuStore) async throws -> T) async throws -> T {
        let location = try location()
        let key = try MasterKeySource.resolve(
            environmentValue: environment["SIYU_MASTER_KEY"], production: isProduction, directory: location.companionDirectory
        )
        if let file = key.generatedFile {
            logger.notice("generated a development master key; back it up with the database, or set SIYU_MASTER_KEY", metadata: ["file": .string(file)])
        }
        return try await SiyuDatabase.withDatabase(location, logger: logger) { database in
            let applied = try await Migrator(database: database).migrate()
            if !applied.isEmpty {
                logger.info("database migrated", metadata: ["versions": .string(applied.map(String.init).joined(separator: ",")), "db": .string(location.description)])
            }
            return try await body(try await SiyuStore.open(database: database, masterKey: key.key))
        }
    }
}

enum LogFormat: String, ExpressibleByArgument, Sendable {
    case text
    case json
}
