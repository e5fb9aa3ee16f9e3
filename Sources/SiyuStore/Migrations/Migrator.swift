import Foundation
import Logging
import SQLKit

/// Applies ``Migrations/all`` in order and records each in `schema_migrations`.
public struct Migrator: Sendable {
    let database: SiyuDatabase
    /// The steps to apply: all of them, except in tests that build an older schema first.
    let migrations: [Migration]

    public init(database: SiyuDatabase) {
        self.init(database: database, migrations: Migrations.all)
    }

    init(database: SiyuDatabase, migrations: [Migration]) {
        self.database = database
        self.migrations = migrations
    }

    /// The newest schema version this build knows.
    public static var latestVersion: Int { Migrations.all.last?.version ?? 0 }

    /// Applies every pending migration; returns the versions applied now (empty when up to date).
    @discardableResult
    public func migrate() async throws -> [Int] {
        try await ensureLedger()
        var applied: [Int] = []
        for migration in migrations {
            let didApply = try await database.write { sql in
                if let lock = database.flavor.migrationLockStatement {
                    try await sql.raw(SQLQueryString(lock)).run()
                }
                let done = try await sql.raw("SELECT version FROM schema_migrations WHERE version = \(bind: migration.version)")
                    .first()
                if done != nil { return false }
                for statement in migration.statements {
                    try await sql.raw(SQLQueryString(statement)).run()
                }
                try await migration.data?(sql)
                try await sql.raw("""
                    INSERT INTO schema_migrations (version, name, applied_at)
                    VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: StoredTime.millis(Date())))
                    """).run()
                return true
            }
            if didApply {
                database.logger.info("applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
                applied.append(migration.version)
            }
        }
        return applied
    }

    /// The highest applied version, or 0 for an empty database.
    public func currentVersion() async throws -> Int {
        try await ensureLedger()
        return try await database.read { sql in
            try await sql.raw("SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations")
                .first()?.decode(column: "version", as: Int.self) ?? 0
        }
    }

    /// Throws unless the schema is exactly the one this build expects (used by `/readyz`).
    public func checkUpToDate() async throws {
        let version = try await currentVersion()
        if version < Self.latestVersion {
            throw StoreError(.notMigrated, "the database is at schema \(version), this build needs \(Self.latestVersion); run `siyu migrate`")
        }
        if version > Self.latestVersion {
            throw StoreError(.newerSchema, "the database is at schema \(version), newer than this build (\(Self.latestVersion)); upgrade siyu")
        }
    }

    private func ensureLedger() async throws {
        try await database.write { sql in
            if let lock = database.flavor.migrationLockStatement {
                try await sql.raw(SQLQueryString(lock)).run()
            }
            try await sql.raw("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version BIGINT NOT NULL PRIMARY KEY,
                    name TEXT NOT NULL,
                    applied_at BIGINT NOT NULL
                )
                """).run()
        }
    }
}

/// Unix milliseconds, the one time representation in the schema.
enum StoredTime {
    static func millis(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    static func date(_ millis: Int64) -> Date {
        Date(timeIntervalSince1970: Double(millis) / 1000)
    }
}
