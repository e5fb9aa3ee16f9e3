import Foundation
import Logging
import SiyuCore
import SiyuStore
import Synchronization
import SiyuTestSupport
import Testing

/// Lines a logger wrote, with their metadata, for tests that look for what must not be logged.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    func logger(level: Logger.Level) -> Logger {
        var logger = Logger(label: "siyu.capture") { label in Handler(capture: self) }
        logger.logLevel = level
        return logger
    }

    struct Handler: LogHandler {
        let capture: LogCapture
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            let line = "\(event.level) \(event.message) " + all.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
            capture.lines.withLock { $0.append(line) }
        }
    }
}

@Suite("Data protection: file modes of the SQLite files, no personal data in debug logs")
struct DataProtectionTests {
    static func mode(_ path: String) throws -> Int {
        try (FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test("the database and its -wal and -shm files are readable by their owner only, also a file that existed before")
    func fileModes() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("siyu-modes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("siyu.db").path
        try await SiyuDatabase.withDatabase(.sqlite(path: path), logger: TestDatabases.logger) { db in
            try await Migrator(database: db).migrate()
            for file in [path, path + "-wal", path + "-shm"] {
                #expect(FileManager.default.fileExists(atPath: file), "\(file) exists while open")
                let mode = try Self.mode(file)
                #expect(mode & 0o077 == 0, "\(file) has mode \(String(mode, radix: 8))")
            }
        }
        // A file someone made world-readable is tightened when it is opened.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        try await SiyuDatabase.withDatabase(.sqlite(path: path), logger: TestDatabases.logger) { db in
            _ = try await Migrator(database: db).currentVersion()
            for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
                let mode = try Self.mode(file)
                #expect(mode & 0o077 == 0, "\(file) has mode \(String(mode, radix: 8)) after reopening")
            }
        }
    }

    @Test("at debug, statements are logged without their values; names and secrets stay out", arguments: TestDatabases.flavors)
    func noValuesAtDebug(flavor: SQLFlavor) async throws {
        let capture = LogCapture()
        let name = "王小明-\(Hex.random(bytes: 4))"
        let secret = "app-secret-\(Hex.random(bytes: 8))"
        try await TestDatabases.withLocation(flavor) { location in
            try await SiyuDatabase.withDatabase(location, logger: capture.logger(level: .debug)) { db in
                try await Migrator(database: db).migrate()
                let store = try await SiyuStore.open(database: db, masterKey: .generate())
                _ = try await store.corps.register(CorpRegistration(
                    corpID: CustomerFixtures.corpID, name: "品牌", secret: secret, callbackToken: "QDG6eK",
                    encodingAESKey: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
                ), actor: "t", now: Date())
                try await CustomerFixtures.add(store, "wmLog1", member: "m1", at: Date(), name: name)
                var query = CustomerQuery()
                query.keyword = name
                #expect(try await store.customers.list(corpID: CustomerFixtures.corpID, query).count == 1)
            }
        }
        let text = capture.text
        #expect(text.contains("INSERT INTO customers"), "statements are still logged at debug")
        #expect(!text.contains(name), "a customer's name was logged at debug")
        #expect(!text.contains(secret))
    }
}
