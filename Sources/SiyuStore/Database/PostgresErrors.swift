import Foundation
import PostgresNIO

/// Turns PostgreSQL driver failures into messages an operator can act on.
enum PostgresErrors {
    /// Opens one connection of its own and runs `SELECT 1`, so a stopped server, a wrong
    /// password or a missing database is reported at start-up with the address that was tried,
    /// instead of requests queueing on a pool that keeps retrying.
    static func checkReachable(_ location: PostgresLocation, logger: Logger) async throws {
        do {
            try await probe(location, timeout: .seconds(10), logger: logger)
        } catch let error as StoreError where error.code == .unavailable {
            // At start-up "unavailable" means "wrong address or not running": say so.
            throw StoreError(.unreachable, error.message)
        }
    }

    /// One connection of its own, `SELECT 1`, closed again; throws the translated failure.
    static func probe(_ location: PostgresLocation, timeout: Duration, logger: Logger) async throws {
        let target = "\(location.host):\(location.port)"
        let tls: PostgresConnection.Configuration.TLS
        switch location.tls {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case .require: tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        var configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.username,
            password: location.password, database: location.database, tls: tls
        )
        configuration.options.connectTimeout = .init(timeout)
        var quiet = logger
        quiet.logLevel = .critical
        do {
            let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: quiet)
            do {
                _ = try await connection.query("SELECT 1", logger: quiet)
                try await connection.close()
            } catch {
                try? await connection.close()
                throw error
            }
        } catch let error as PSQLError {
            throw translate(error, target: target)
        }
    }

    static func translate(_ error: PSQLError, target: String = "the server") -> any Error {
        if let sqlState = error.serverInfo?[.sqlState] {
            let message = error.serverInfo?[.message] ?? "error"
            switch sqlState {
            case "28P01", "28000":
                return StoreError(.unreachable, "PostgreSQL at \(target) refused the login: \(message); check the user and password in --db/SIYU_DB")
            case "3D000":
                return StoreError(.unreachable, "PostgreSQL at \(target): \(message); create it (createdb) or fix the database name in --db/SIYU_DB")
            case "23505":
                return StoreError(.duplicate, message)
            case "57P01", "57P02", "57P03", "53300":
                // The server shutting down or starting up, too many clients.
                return StoreError(.unavailable, "PostgreSQL at \(target) is not available (\(message)); retry shortly")
            case _ where sqlState.hasPrefix("08"):
                // Connection exceptions.
                return StoreError(.unavailable, "PostgreSQL at \(target) is not available (\(message)); retry shortly")
            default:
                return error
            }
        }
        switch error.code {
        case .connectionError, .serverClosedConnection, .sslUnsupported, .uncleanShutdown, .poolClosed:
            var detail = "connection failed"
            if let underlying = error.underlying {
                let text = String(describing: underlying)
                if text.localizedCaseInsensitiveContains("refused") {
                    detail = "connection refused"
                } else if text.localizedCaseInsensitiveContains("timeout") || text.localizedCaseInsensitiveContains("timed out") {
                    detail = "connection timed out"
                } else {
                    detail = text
                }
            }
            return StoreError(.unavailable, "cannot reach PostgreSQL at \(target) (\(detail)); check that it is running and that --db/SIYU_DB is right")
        default:
            return error
        }
    }
}
