import Foundation
import Logging
import SQLKit
import SiyuStore

/// The one place tests get a temporary database: the storage suite, the server tests and the
/// end-to-end harness all call it.
///
/// The databases every storage test runs on: a fresh SQLite file always, and a fresh
/// PostgreSQL database when `SIYU_TEST_POSTGRES_URL` names a server.
public enum TestDatabases {
    public static let logger: Logger = {
        var logger = Logger(label: "siyu.test")
        logger.logLevel = .warning
        return logger
    }()

    public static var postgresURL: String? {
        ProcessInfo.processInfo.environment["SIYU_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    public static var flavors: [SQLFlavor] {
        postgresURL == nil ? [.sqlite] : [.sqlite, .postgres]
    }

    /// How long a test's store waits for a PostgreSQL connection. The product's 2 s is for a warm
    /// pool; at the start of a test run every suite creates a database and opens a pool at once
    /// on two cores, and new connections can take longer than that. Outage tests set their own.
    static let testLease: Duration = .seconds(30)

    /// A location for a brand-new empty database of `flavor`; `cleanup` removes it.
    public static func makeLocation(_ flavor: SQLFlavor) async throws -> (DatabaseLocation, @Sendable () async -> Void) {
        switch flavor {
        case .sqlite:
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("siyu-test-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let path = dir.appendingPathComponent("siyu.db").path
            return (.sqlite(path: path), { try? FileManager.default.removeItem(at: dir) })
        case .postgres:
            guard let base = postgresURL else { fatalError("postgres flavor without SIYU_TEST_POSTGRES_URL") }
            let name = "siyu_test_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased())"
            let admin = try DatabaseLocation(parsing: base)
            try await SiyuDatabase.withDatabase(admin, leaseTimeout: testLease, logger: logger) { db in
                try await db.read { sql in try await sql.raw("CREATE DATABASE \(unsafeRaw: name)").run() }
            }
            var components = URLComponents(string: base)!
            components.path = "/" + name
            let location = try DatabaseLocation(parsing: components.string!)
            return (location, {
                _ = try? await SiyuDatabase.withDatabase(admin, leaseTimeout: testLease, logger: logger) { db in
                    try await db.read { sql in try await sql.raw("DROP DATABASE IF EXISTS \(unsafeRaw: name) WITH (FORCE)").run() }
                }
            })
        }
    }

    /// Runs `body` with the location of a fresh empty database, removed afterwards.
    public static func withLocation<T: Sendable>(
        _ flavor: SQLFlavor, _ body: @Sendable (DatabaseLocation) async throws -> T
    ) async throws -> T {
        let (location, cleanup) = try await makeLocation(flavor)
        do {
            let result = try await body(location)
            await cleanup()
            return result
        } catch {
            await cleanup()
            throw error
        }
    }

    /// Runs `body` with a migrated store on a fresh database of `flavor`.
    public static func withStore<T: Sendable>(
        _ flavor: SQLFlavor,
        masterKey: MasterKey = MasterKey.generate(),
        _ body: @Sendable (SiyuStore) async throws -> T
    ) async throws -> T {
        try await withLocation(flavor) { location in
            try await SiyuDatabase.withDatabase(location, leaseTimeout: testLease, logger: logger) { db in
                try await Migrator(database: db).migrate()
                return try await body(try await SiyuStore.open(database: db, masterKey: masterKey))
            }
        }
    }
}
