import Foundation
import Hummingbird
import SiyuCore
import SiyuStore

/// `/api/v1/orders`: the brand's order feed, by JSON or CSV.
struct OrderController: Sendable {
    let orders: OrderStore
    let time: TimeSource

    func addRoutes(to group: RouterGroup<CorpContext>) {
        group.post("orders", use: add)
        group.get("orders", use: list)
        group.post("imports/orders", use: importCSV)
    }

    /// Up to 1,000 orders per call; valid ones are stored, invalid ones reported by index.
    @Sendable func add(_ request: Request, context: CorpContext) async throws -> Wire.OrderReport {
        let corpID = context.corpID
        let batch = try await request.decode(as: Wire.OrderBatch.self, context: context)
        guard (1...1000).contains(batch.orders.count) else { throw ValidationError(field: "orders", message: "1 to 1000 orders per call") }
        var valid: [Order] = []
        var rejected: [Wire.OrderRejection] = []
        for (index, body) in batch.orders.enumerated() {
            do {
                let order = Order(
                    orderID: body.orderID, externalUserID: body.externalUserID, amountFen: try Money.parseYuan(body.amount.text),
                    currency: body.currency ?? "CNY", status: body.status ?? .paid, orderedAt: body.orderedAt
                )
                try order.validate()
                valid.append(order)
            } catch {
                rejected.append(Wire.OrderRejection(index: index, orderID: body.orderID, field: error.field, error: error.message))
            }
        }
        let report = try await orders.upsert(corpID: corpID, valid, now: time())
        return Wire.OrderReport(inserted: report.inserted, updated: report.updated, rejected: rejected)
    }

    @Sendable func list(_ request: Request, context: CorpContext) async throws -> Wire.Page<Wire.OrderView> {
        let corpID = context.corpID
        let list = try await orders.list(corpID: corpID, externalUserID: request.uri.queryParameters.get("customer"), limit: try Pagination.limit(request, default: 100))
        return Wire.Page(list.map(Wire.OrderView.init))
    }

    /// CSV with a header: order_id, external_userid, amount (yuan), currency, status, ordered_at (ISO 8601).
    @Sendable func importCSV(_ request: Request, context: CorpContext) async throws -> Wire.OrderReport {
        let corpID = context.corpID
        let table = try await Query.csvBody(request, limit: 16 << 20)
        guard let header = table.first else { throw APIError(.badRequest, code: "bad_csv", "the CSV is empty") }
        let required = ["order_id", "external_userid", "amount", "ordered_at"]
        for column in required where !header.contains(column) {
            throw APIError(.badRequest, code: "bad_csv", "the header needs the columns \(required.joined(separator: ", ")) (missing \(column))")
        }
        func cell(_ row: [String], _ name: String) -> String? {
            header.firstIndex(of: name).flatMap { $0 < row.count ? row[$0].trimmingCharacters(in: .whitespaces) : nil }
        }
        var valid: [Order] = []
        var rejected: [Wire.OrderRejection] = []
        for (offset, row) in table.dropFirst().enumerated() where !(row.count == 1 && row[0].isEmpty) {
            let orderID = cell(row, "order_id") ?? ""
            do {
                guard row.count == header.count else { throw ValidationError(field: "row", message: "\(row.count) cells, the header has \(header.count)") }
                guard let time = cell(row, "ordered_at"), let date = try? Date(time, strategy: .iso8601) else {
                    throw ValidationError(field: "ordered_at", message: "ordered_at must be an ISO 8601 time such as 2026-11-24T10:00:00+08:00")
                }
                var status = Order.Status.paid
                if let value = cell(row, "status"), !value.isEmpty {
                    guard let parsed = Order.Status(rawValue: value) else { throw ValidationError(field: "status", message: "status is pending, paid, refunded or cancelled") }
                    status = parsed
                }
                let currency = cell(row, "currency").flatMap { $0.isEmpty ? nil : $0 } ?? "CNY"
                let order = Order(
                    orderID: orderID, externalUserID: cell(row, "external_userid") ?? "", amountFen: try Money.parseYuan(cell(row, "amount") ?? ""),
                    currency: currency, status: status, orderedAt: date
                )
                try order.validate()
                valid.append(order)
            } catch let error as ValidationError {
                rejected.append(Wire.OrderRejection(index: offset + 2, orderID: orderID, field: error.field, error: error.message))
            }
        }
        var inserted = 0
        var updated = 0
        for chunk in stride(from: 0, to: valid.count, by: 1000) {
            let report = try await orders.upsert(corpID: corpID, Array(valid[chunk..<min(chunk + 1000, valid.count)]), now: time())
            inserted += report.inserted
            updated += report.updated
        }
        return Wire.OrderReport(inserted: inserted, updated: updated, rejected: rejected)
    }
}
