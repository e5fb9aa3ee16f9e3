import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLiteKit
import SQLiteNIO
import Synchronization

/// One writer connection and a few reader connections on a SQLite file in WAL mode.
///
/// Writers queue on an async lock instead of spinning on `SQLITE_BUSY`; readers run
/// concurrently with the writer thanks to WAL. SQLite's calls block their thread (also while
/// waiting for another process's write lock), so each database has its own threads, one per
/// connection: a wait on one file can never hold up the connections of another.
final class SQLiteBackend: Sendable {
    private let writer: SQLiteConnection
    private let readers: [SQLiteConnection]
    private let threads: NIOThreadPool
    private let nextReader = Atomic<Int>(0)
    private let writeLock = AsyncLock()

    private init(writer: SQLiteConnection, readers: [SQLiteConnection], threads: NIOThreadPool) {
        self.writer = writer
        self.readers = readers
        self.threads = threads
    }

    static func open(path: String, logger: Logger, readerCount: Int = 2) async throws -> SQLiteBackend {
        var opened: [SQLiteConnection] = []
        let threads = NIOThreadPool(numberOfThreads: readerCount + 1)
        threads.start()
        let loop = MultiThreadedEventLoopGroup.singleton.any()
        do {
            SQLiteFiles.restrict(path)
            let writer = try await SQLiteConnection.open(storage: .file(path: path), threadPool: threads, logger: logger, on: loop)
            opened.append(writer)
            let sql = writer.sql()
            try await sql.raw("PRAGMA busy_timeout = 30000").run()
            // The first statement that reads the header: a file that is not SQLite fails here.
            try await sql.raw("PRAGMA journal_mode = WAL").run()
            SQLiteFiles.restrict(path)
            // FULL: a commit is on disk before it returns (survives power loss). NORMAL (WAL): a commit
            // survives a crash of the process, not of the machine; SIYU_SQLITE_SYNCHRONOUS=normal opts in.
            let synchronous = ProcessInfo.processInfo.environment["SIYU_SQLITE_SYNCHRONOUS"]?.lowercased() == "normal" ? "NORMAL" : "FULL"
            try await sql.raw("PRAGMA synchronous = \(unsafeRaw: synchronous)").run()
            try await sql.raw("PRAGMA foreign_keys = ON").run()
            if let megabytes = ProcessInfo.processInfo.environment["SIYU_SQLITE_CACHE_MB"].flatMap(Int.init), megabytes > 0 {
                try await sql.raw("PRAGMA cache_size = \(unsafeRaw: String(-megabytes * 1024))").run()
            }
            // Take the write lock once, so a read-only file or folder is reported now, not on the first write.
            try await sql.raw("BEGIN IMMEDIATE").run()
            try await sql.raw("CREATE TABLE IF NOT EXISTS siyu_write_probe (x INTEGER)").run()
            try await sql.raw("DROP TABLE siyu_write_probe").run()
            try await sql.raw("ROLLBACK").run()
            var readers: [SQLiteConnection] = []
            for _ in 0..<readerCount {
                let reader = try await SQLiteConnection.open(storage: .file(path: path), threadPool: threads, logger: logger, on: loop)
                opened.append(reader)
                try await reader.sql().raw("PRAGMA busy_timeout = 30000").run()
                try await reader.sql().raw("PRAGMA query_only = ON").run()
                readers.append(reader)
            }
            return SQLiteBackend(writer: writer, readers: readers, threads: threads)
        } catch let error as SQLiteError {
            await close(opened, threads: threads)
            throw translate(error, path: path)
        } catch {
            await close(opened, threads: threads)
            throw error
        }
    }

    func reader() -> SQLiteConnection {
        let index = nextReader.wrappingAdd(1, ordering: .relaxed).oldValue
        return readers[index % readers.count]
    }

    func withWriter<T: Sendable>(_ body: @Sendable (SQLiteConnection) async throws -> T) async throws -> T {
        try await writeLock.withLock { try await body(writer) }
    }

    /// Closes every connection, also when the calling task is cancelled (a cancelled close would
    /// leave the handle open, which SQLiteNIO treats as a programming error when it is freed).
    func close() async {
        await Self.close(readers + [writer], threads: threads)
    }

    private static func close(_ connections: [SQLiteConnection], threads: NIOThreadPool) async {
        await Task.detached {
            for connection in connections { try? await connection.close() }
            try? await threads.shutdownGracefully()
        }.value
    }

    static func translate(_ error: SQLiteError, path: String = "the database") -> any Error {
        switch error.reason {
        case .notADatabase, .corrupt:
            return StoreError(.notADatabase, "\(path) is not a readable SQLite database (\(error.message)); restore it from a backup or point --db at another file")
        case .readOnly, .readonlyDirectory, .readonlyCantLock, .permission, .cantOpen, .cantOpenDirectory:
            return StoreError(.readOnly, "cannot write \(path) (\(error.message)); check the file's and its folder's permissions or point --db at a writable place")
        case .full:
            return StoreError(.io, "the disk holding \(path) is full (\(error.message))")
        case .constraint, .constraintUniqueFailed, .constraintPrimaryKeyFailed:
            return StoreError(.duplicate, error.message)
        case .busy, .locked, .busyTimeout, .busyInRecovery, .busyInSnapshot, .lockedBySharedCache, .lockedVirtualTable:
            return StoreError(.unavailable, "\(path) is locked by another process (\(error.message)); retry shortly")
        default:
            return error
        }
    }
}

/// A FIFO async mutex: waiters suspend instead of blocking a thread.
final class AsyncLock: Sendable {
    private struct State {
        var locked = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    func withLock<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        await lock()
        defer { unlock() }
        return try await body()
    }

    private func lock() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let acquired = state.withLock { state -> Bool in
                if state.locked {
                    state.waiters.append(continuation)
                    return false
                }
                state.locked = true
                return true
            }
            if acquired { continuation.resume() }
        }
    }

    private func unlock() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.locked = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
