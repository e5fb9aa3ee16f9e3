import Foundation
import PostgresNIO

/// Turns PostgreSQL driver failures into messages an operator can act on.
enum PostgresErrors {
    /// Runs `SELECT 1` with a deadline, so a wrong host or a stopped server is reported in
    /// seconds with the address that was tried, instead of a request hanging later.
    static func checkReachable(_ client: PostgresClient, location: PostgresLocation) async throws {
        let target = "\(location.host):\(location.port)"
        do {
            try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    try await client.withConnection { connection in
                        _ = try await connection.query("SELECT 1", logger: Logger(label: "siyu.db.probe"))
                    }
                    return true
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(10))
                    return false
                }
                let reached = try await group.next() ?? false
                group.cancelAll()
                if !reached {
                    throw StoreError(.unreachable, "PostgreSQL at \(target) did not answer within 10 s; check that it is running and that --db/SIYU_DB is right")
                }
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
            default:
                return error
            }
        }
        switch error.code {
        case .connectionError, .serverClosedConnection, .sslUnsupported:
            var detail = "connection failed"
            if let underlying = error.underlying { detail = String(describing: underlying) }
            return StoreError(.unreachable, "cannot reach PostgreSQL at \(target) (\(detail)); check that it is running and that --db/SIYU_DB is right")
        default:
            return error
        }
    }
}
