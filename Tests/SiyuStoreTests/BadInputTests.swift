import Foundation
import SQLKit
import SiyuTestSupport
import Testing

@testable import SiyuStore

@Suite("Storage bad input")
struct BadInputTests {
    @Test("database locations parse, and unknown schemes say what to use")
    func locations() throws {
        #expect(try DatabaseLocation(parsing: "sqlite:./x.db") == .sqlite(path: "./x.db"))
        #expect(try DatabaseLocation(parsing: "sqlite:///var/lib/siyu.db") == .sqlite(path: "/var/lib/siyu.db"))
        #expect(try DatabaseLocation(parsing: "data/siyu.db") == .sqlite(path: "data/siyu.db"))
        guard case .postgres(let pg) = try DatabaseLocation(parsing: "postgres://siyu:p%40ss@db.local:6543/brand?sslmode=disable") else {
            Issue.record("postgres URL not recognised")
            return
        }
        #expect(pg.host == "db.local")
        #expect(pg.port == 6543)
        #expect(pg.username == "siyu")
        #expect(pg.password == "p@ss")
        #expect(pg.database == "brand")
        #expect(pg.tls == .disable)
        do {
            _ = try DatabaseLocation(parsing: "mysql://root@localhost/siyu")
            Issue.record("mysql accepted")
        } catch {
            #expect(error.code == .badLocation)
            #expect(error.message.contains("mysql"))
            #expect(error.message.contains("postgres://"))
        }
        #expect(throws: StoreError.self) { try DatabaseLocation(parsing: "postgres://x@h/db?sslmode=maybe") }
        #expect(throws: StoreError.self) { try DatabaseLocation(parsing: "sqlite:") }
    }

    @Test("a file that is not SQLite is reported as such and left untouched")
    func corruptSQLite() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("siyu-corrupt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("siyu.db").path
        let garbage = Data(repeating: 0x5A, count: 8192)
        try garbage.write(to: URL(fileURLWithPath: path))
        do {
            try await SiyuDatabase.withDatabase(.sqlite(path: path), logger: TestDatabases.logger) { _ in }
            Issue.record("a garbage file opened as a database")
        } catch let error as StoreError {
            #expect(error.code == .notADatabase)
            #expect(error.message.contains(path))
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == garbage)
    }

    @Test("a SQLite file in a folder that does not exist is reported")
    func missingFolder() async throws {
        do {
            try await SiyuDatabase.withDatabase(.sqlite(path: "/nonexistent-siyu-dir/x/siyu.db"), logger: TestDatabases.logger) { _ in }
            Issue.record("opened a database in a missing folder")
        } catch let error as StoreError {
            #expect(error.code == .readOnly)
        }
    }

    @Test("an unreachable PostgreSQL gives one clear error")
    func unreachablePostgres() async throws {
        let location = try DatabaseLocation(parsing: "postgres://siyu@127.0.0.1:1/siyu?sslmode=disable")
        do {
            try await SiyuDatabase.withDatabase(location, logger: TestDatabases.logger) { _ in }
            Issue.record("connected to port 1")
        } catch let error as StoreError {
            #expect(error.code == .unreachable)
            #expect(error.message.contains("127.0.0.1:1"))
        }
    }

    @Test("master keys: hex and base64 accepted, anything else refused with advice")
    func masterKeys() throws {
        let hex = String(repeating: "ab", count: 32)
        _ = try MasterKey(parsing: hex)
        _ = try MasterKey(parsing: Data(repeating: 7, count: 32).base64EncodedString())
        for bad in ["", "abc", String(repeating: "zz", count: 32), Data(repeating: 1, count: 16).base64EncodedString()] {
            #expect(throws: StoreError.self) { try MasterKey(parsing: bad) }
        }
        #expect(throws: StoreError.self) { try MasterKeySource.resolve(environmentValue: nil, production: true, directory: "/tmp") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("siyu-key-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try MasterKeySource.resolve(environmentValue: nil, production: false, directory: dir)
        #expect(first.generatedFile != nil)
        let attributes = try FileManager.default.attributesOfItem(atPath: first.generatedFile!)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let second = try MasterKeySource.resolve(environmentValue: nil, production: false, directory: dir)
        #expect(second.generatedFile == nil)
        #expect(second.key.hexString == first.key.hexString)
    }

    @Test("sealed secrets are bound to their column")
    func secretContext() throws {
        let box = SecretBox(masterKey: .generate())
        let sealed = try box.seal("s3cret", context: "a")
        #expect(try box.open(sealed, context: "a") == "s3cret")
        #expect(throws: StoreError.self) { try box.open(sealed, context: "b") }
        #expect(throws: StoreError.self) { try box.open("v1:!!!", context: "a") }
    }
}
