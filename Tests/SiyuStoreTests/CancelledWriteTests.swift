import Foundation
import SQLKit
import SiyuStore
import SiyuTestSupport
import Testing

@Suite("A cancelled write")
struct CancelledWriteTests {
    @Test("rolls back and leaves the database writable (Ctrl-C in the middle of a transaction)", arguments: TestDatabases.flavors)
    func cancelledTransactionRollsBack(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            let started = AsyncStream<Void>.makeStream()
            let write = Task {
                try await store.database.write { sql in
                    try await sql.raw("INSERT INTO system_settings (name, value, updated_at) VALUES ('cancelled', 'x', 0)").run()
                    started.continuation.yield()
                    try await Task.sleep(for: .seconds(30))
                }
            }
            for await _ in started.stream { break }
            write.cancel()
            await #expect(throws: CancellationError.self) { try await write.value }
            try await store.database.write { sql in
                try await sql.raw("INSERT INTO system_settings (name, value, updated_at) VALUES ('after', 'y', 0)").run()
            }
            let keys = try await store.database.read { sql in
                try await sql.raw("SELECT name FROM system_settings WHERE name IN ('cancelled', 'after')").all().map { try $0.decode(column: "name", as: String.self) }
            }
            #expect(keys == ["after"])
        }
    }
}
