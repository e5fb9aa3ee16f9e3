import Foundation
import SQLKit
import SiyuCore

/// Orders fed by the REST API and CSV; an order id seen again updates the order (status changes).
public struct OrderStore: Sendable {
    let database: SiyuDatabase

    public struct UpsertReport: Codable, Sendable, Equatable {
        public var inserted: Int
        public var updated: Int
    }

    /// Inserts new orders and updates known ones, in one transaction. Validate first.
    public func upsert(corpID: String, _ orders: [Order], now: Date) async throws -> UpsertReport {
        guard !orders.isEmpty else { return UpsertReport(inserted: 0, updated: 0) }
        return try await database.write { sql in
            try await SegmentStore.bumpRevision(on: sql, corpID: corpID, customers: orders.map(\.externalUserID))
            var report = UpsertReport(inserted: 0, updated: 0)
            for order in orders {
                let updated = try await sql.raw("""
                    UPDATE orders SET external_userid = \(bind: order.externalUserID), amount_fen = \(bind: order.amountFen), currency = \(bind: order.currency),
                        status = \(bind: order.status.rawValue), ordered_at = \(bind: StoredTime.millis(order.orderedAt)), updated_at = \(bind: StoredTime.millis(now))
                    WHERE corp_id = \(bind: corpID) AND order_id = \(bind: order.orderID)
                    RETURNING order_id
                    """).all()
                if !updated.isEmpty {
                    report.updated += 1
                    continue
                }
                try await sql.raw("""
                    INSERT INTO orders (corp_id, order_id, external_userid, amount_fen, currency, status, ordered_at, created_at, updated_at)
                    VALUES (\(bind: corpID), \(bind: order.orderID), \(bind: order.externalUserID), \(bind: order.amountFen), \(bind: order.currency),
                            \(bind: order.status.rawValue), \(bind: StoredTime.millis(order.orderedAt)), \(bind: StoredTime.millis(now)), \(bind: StoredTime.millis(now)))
                    """).run()
                report.inserted += 1
            }
            return report
        }
    }

    /// The newest orders, optionally of one customer.
    public func list(corpID: String, externalUserID: String? = nil, limit: Int = 100) async throws -> [Order] {
        var conditions: [SQLQueryString] = ["corp_id = \(bind: corpID)"]
        if let externalUserID { conditions.append("external_userid = \(bind: externalUserID)") }
        let whereClause = conditions.joined(separator: " AND ")
        return try await database.read { sql in
            try await sql.raw("""
                SELECT order_id, external_userid, amount_fen, currency, status, ordered_at FROM orders
                WHERE \(whereClause) ORDER BY ordered_at DESC, order_id LIMIT \(literal: max(1, min(limit, 1000)))
                """).all().map { row in
                Order(
                    orderID: try row.decode(column: "order_id", as: String.self), externalUserID: try row.decode(column: "external_userid", as: String.self),
                    amountFen: try row.decode(column: "amount_fen", as: Int64.self), currency: try row.decode(column: "currency", as: String.self),
                    status: try row.decodeStored(column: "status", as: Order.Status.self),
                    orderedAt: StoredTime.date(try row.decode(column: "ordered_at", as: Int64.self))
                )
            }
        }
    }

    /// Paid orders per customer: count, amount and the latest time (what order-based segments use).
    public struct CustomerTotals: Sendable, Equatable {
        public var count: Int
        public var amountFen: Int64
        public var lastOrderedAt: Date
    }

    public func totals(corpID: String) async throws -> [String: CustomerTotals] {
        try await database.read { sql in try await Self.totals(on: sql, corpID: corpID) }
    }

    /// Paid totals of some customers only.
    public func totals(corpID: String, externalUserIDs: [String]) async throws -> [String: CustomerTotals] {
        guard !externalUserIDs.isEmpty else { return [:] }
        return try await database.read { sql in
            try await Self.totals(on: sql, corpID: corpID, scope: " AND external_userid IN (\(SQLList(externalUserIDs.map { SQLBind($0) })))")
        }
    }

    static func totals(on sql: any SQLDatabase, corpID: String, scope: SQLQueryString = "") async throws -> [String: CustomerTotals] {
        var totals: [String: CustomerTotals] = [:]
        for row in try await sql.raw("""
            SELECT external_userid, COUNT(*) AS n, CAST(SUM(amount_fen) AS BIGINT) AS amount, MAX(ordered_at) AS last FROM orders
            WHERE corp_id = \(bind: corpID) AND status = 'paid'\(scope) GROUP BY external_userid
            """).all() {
            totals[try row.decode(column: "external_userid", as: String.self)] = CustomerTotals(
                count: try row.decode(column: "n", as: Int.self), amountFen: try row.decode(column: "amount", as: Int64.self),
                lastOrderedAt: StoredTime.date(try row.decode(column: "last", as: Int64.self))
            )
        }
        return totals
    }
}
