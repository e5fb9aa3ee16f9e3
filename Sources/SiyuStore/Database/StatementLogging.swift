import Logging
import NIOCore
import SQLKit

/// Logs each statement at debug without its bound values, which are customers' names, custom
/// fields and other personal data; the drivers log statements with values only at trace.
struct StatementLoggingDatabase: SQLDatabase {
    /// The level at which the drivers log a statement together with its values.
    static let valuesLevel: Logger.Level = .trace

    let base: any SQLDatabase

    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        log(query)
        return base.execute(sql: query, onRow)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        log(query)
        try await base.execute(sql: query, onRow)
    }

    /// At trace the driver's own line (with values) says it already.
    private func log(_ query: any SQLExpression) {
        guard logger.logLevel == .debug else { return }
        logger.debug("executing query", metadata: ["sql": .string(base.serialize(query).sql)])
    }
}
