import Foundation
import SiyuTestSupport
import Testing

@testable import SiyuStore

/// The outage handling of the PostgreSQL pool must not mistake load for an outage.
@Suite("PostgreSQL pool under load")
struct PostgresPoolTests {
    @Test("every connection busy past the lease timeout is a 503 for the caller, but the pool in use is kept, not replaced")
    func loadIsNotAnOutage() async throws {
        guard TestDatabases.postgresURL != nil else { return }  // PostgreSQL only; SQLite has no pool
        try await TestDatabases.withLocation(.postgres) { location in
            guard case .postgres(let postgres) = location else { return }
            let pool = PostgresPool(
                location: postgres, leaseTimeout: .milliseconds(300), probeInterval: .milliseconds(100), outageAfter: .seconds(2), logger: TestDatabases.logger
            )
            let runner = Task { await pool.run() }
            defer { runner.cancel() }
            // Hold every connection of the pool (16) for a while.
            let holders = (0..<16).map { _ in
                Task { try await pool.withConnection(timeout: .seconds(10)) { _ in try await Task.sleep(for: .seconds(1.5)) } }
            }
            try await Task.sleep(for: .milliseconds(400))
            await #expect(throws: StoreError.self) {
                try await pool.withConnection { _ in }
            }
            for holder in holders { try await holder.value }
            // Past the time after which a failing pool is looked at (2 s here), the probe finds the
            // server up and the pool leasing again: the pool stays.
            try await Task.sleep(for: .seconds(3))
            #expect(pool.replacementCount == 0)
            try await pool.withConnection { _ in }
        }
    }
}
