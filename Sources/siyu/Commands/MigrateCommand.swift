import ArgumentParser
import Foundation
import SiyuStore

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Bring the database schema up to date (serve also does this at start-up)."
    )

    @OptionGroup var store: StoreOptions

    func run() async throws {
        let logger = try store.bootstrapLogging()
        let location = try store.location()
        let version = try await store.withStore(logger: logger) { siyuStore in
            try await Migrator(database: siyuStore.database).currentVersion()
        }
        print("\(location): schema at version \(version)")
    }
}
