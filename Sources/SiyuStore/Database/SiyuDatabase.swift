import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import PostgresNIO
import SQLKit
import SQLiteKit

/// The one way Siyu reaches its database, SQLite or PostgreSQL.
///
/// `read` runs statements outside a transaction on a reader; `write` runs its body in one
/// transaction (on SQLite on the single writer connection, so writers never fight over the lock).
/// Open it with ``withDatabase(_:logger:_:)``, which keeps the PostgreSQL pool running for as long
/// as the body runs and closes everything afterwards.
public final class SiyuDatabase: Sendable {
    public let flavor: SQLFlavor
    public let location: DatabaseLocation
    let logger: Logger
    private let backend: Backend

    private enum Backend: Sendable {
        case sqlite(SQLiteBackend)
        case postgres(PostgresPool)
    }

    private init(location: DatabaseLocation, flavor: SQLFlavor, backend: Backend, logger: Logger) {
        self.location = location
        self.flavor = flavor
        self.backend = backend
        self.logger = logger
    }

    /// Opens the database, checks that it can be written, runs `body`, then closes it.
    /// On PostgreSQL a connection that cannot be leased within `leaseTimeout` fails the request
    /// with ``StoreError/Code/unavailable``.
    public static func withDatabase<T: Sendable>(
        _ location: DatabaseLocation,
        leaseTimeout: Duration = .seconds(2),
        logger: Logger,
        _ body: @Sendable (SiyuDatabase) async throws -> T
    ) async throws -> T {
        switch location {
        case .sqlite(let path):
            let backend = try await SQLiteBackend.open(path: path, logger: logger)
            let database = SiyuDatabase(location: location, flavor: .sqlite, backend: .sqlite(backend), logger: logger)
            do {
                let result = try await body(database)
                await backend.close()
                return result
            } catch {
                await backend.close()
                throw error
            }
        case .postgres(let pg):
            let pool = PostgresPool(location: pg, leaseTimeout: leaseTimeout, logger: logger)
            let database = SiyuDatabase(location: location, flavor: .postgres, backend: .postgres(pool), logger: logger)
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await pool.run() }
                defer { group.cancelAll() }
                try await PostgresErrors.checkReachable(pg, logger: logger)
                return try await body(database)
            }
        }
    }

    /// Runs statements that only read; no transaction is opened.
    ///
    /// On PostgreSQL a connection that cannot be had within `leaseTimeout` (2 s unless given)
    /// fails with ``StoreError/Code/unavailable`` instead of waiting out an outage.
    public func read<T: Sendable>(leaseTimeout: Duration? = nil, _ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        switch backend {
        case .sqlite(let sqlite):
            return try await Self.translating { try await body(StatementLoggingDatabase(base: sqlite.reader().sql(queryLogLevel: StatementLoggingDatabase.valuesLevel))) }
        case .postgres(let pool):
            return try await pool.withConnection(timeout: leaseTimeout) { connection in
                try await body(StatementLoggingDatabase(base: connection.sql(queryLogLevel: StatementLoggingDatabase.valuesLevel)))
            }
        }
    }

    /// Runs `body` in one transaction: all of it is committed, or none of it.
    public func write<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        switch backend {
        case .sqlite(let sqlite):
            return try await Self.translating {
                try await sqlite.withWriter { connection in
                    try await Self.transaction(on: StatementLoggingDatabase(base: connection.sql(queryLogLevel: StatementLoggingDatabase.valuesLevel)), begin: "BEGIN IMMEDIATE", body)
                }
            }
        case .postgres(let pool):
            return try await pool.withConnection { connection in
                try await Self.transaction(on: StatementLoggingDatabase(base: connection.sql(queryLogLevel: StatementLoggingDatabase.valuesLevel)), begin: "BEGIN", body)
            }
        }
    }

    /// `begin`, `body`, then COMMIT; ROLLBACK and rethrow if anything fails, cancellation included.
    private static func transaction<T: Sendable>(
        on sql: any SQLDatabase, begin: String, _ body: @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        try await sql.raw(SQLQueryString(begin)).run()
        do {
            let result = try await body(sql)
            try await sql.raw("COMMIT").run()
            return result
        } catch {
            // In its own task: a cancelled caller's task would refuse to run the ROLLBACK and leave
            // the transaction open on the (single, shared) connection.
            await Task { try? await sql.raw("ROLLBACK").run() }.value
            throw error
        }
    }

    /// Maps driver errors that a person can act on to ``StoreError``; passes the rest through.
    static func translating<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw translate(error)
        }
    }

    static func translate(_ error: any Error) -> any Error {
        switch error {
        case let error as SQLiteError:
            return SQLiteBackend.translate(error)
        case let error as PSQLError:
            return PostgresErrors.translate(error)
        case _ where String(reflecting: type(of: error)).hasSuffix("ConnectionPoolError"):
            // The pool's own errors (its circuit breaker tripped after failing to connect, or it is
            // shutting down); its module is not one this target imports, hence the name test.
            return StoreError(.unavailable, "PostgreSQL cannot be reached now (\(error)); retry shortly")
        default:
            return error
        }
    }
}

extension PostgresLocation {
    var clientConfiguration: PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        switch self.tls {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(.makeClientConfiguration())
        case .require: tls = .require(.makeClientConfiguration())
        }
        var config = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls
        )
        config.options.maximumConnections = 16
        // Short: during an outage a connection attempt should fail, not linger; the pool retries.
        config.options.connectTimeout = .seconds(2)
        return config
    }
}
