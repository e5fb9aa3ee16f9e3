import Foundation
import Hummingbird
import SiyuCore
import SiyuStore

/// `/api/v1/orders`: the brand's order feed, by JSON or CSV.
struct OrderController: Sendable {
    let orders: OrderStore
    let time: TimeSource

    struct OrderBody: Decodable {
        var orderID: String
        var externalUserID: String
        /// Yuan as a string or a number with at most two decimals ("199.00").
        var amount: AmountText
        var currency: String?
        var status: Order.Status?
        var orderedAt: Date

        enum CodingKeys: String, CodingKey {
            case orderID = "order_id", externalUserID = "external_userid", amount, currency, status, orderedAt = "ordered_at"
        }
    }

    /// Accepts `"199.00"` or `199.00` and keeps the text, so money never passes through a Double.
    struct AmountText: Decodable {
        var text: String
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self.text = text
            } else {
                self.text = String(describing: try container.decode(Decimal.self))
            }
        }
    }

    struct Batch: Decodable { var orders: [OrderBody] }

    struct RowError: Encodable, Sendable {
        var index: Int
        var orderID: String
        var field: String
        var error: String
        enum CodingKeys: String, CodingKey { case index, orderID = "order_id", field, error }
    }

    struct Report: ResponseEncodable {
        var inserted: Int
        var updated: Int
        var rejected: [RowError]
    }

    struct OrderList: ResponseEncodable { var orders: [OrderView] }

    struct OrderView: Encodable, Sendable {
        var order: Order
        func encode(to encoder: any Encoder) throws {
            try order.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(Money.formatYuan(order.amountFen), forKey: .amount)
        }
        enum Keys: String, CodingKey { case amount }
    }

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.post("orders", use: add)
        group.get("orders", use: list)
        group.post("imports/orders", use: importCSV)
    }

    /// Up to 1,000 orders per call; valid ones are stored, invalid ones reported by index.
    @Sendable func add(_ request: Request, context: AuthenticatedContext) async throws -> Report {
        let corpID = try context.actingCorp()
        let batch = try await request.decode(as: Batch.self, context: context)
        guard (1...1000).contains(batch.orders.count) else { throw ValidationError(field: "orders", message: "1 to 1000 orders per call") }
        var valid: [Order] = []
        var rejected: [RowError] = []
        for (index, body) in batch.orders.enumerated() {
            do {
                let order = Order(
                    orderID: body.orderID, externalUserID: body.externalUserID, amountFen: try Money.parseYuan(body.amount.text),
                    currency: body.currency ?? "CNY", status: body.status ?? .paid, orderedAt: body.orderedAt
                )
                try order.validate()
                valid.append(order)
            } catch {
                rejected.append(RowError(index: index, orderID: body.orderID, field: error.field, error: error.message))
            }
        }
        let report = try await orders.upsert(corpID: corpID, valid, now: time())
        return Report(inserted: report.inserted, updated: report.updated, rejected: rejected)
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> OrderList {
        let corpID = try context.actingCorp()
        let list = try await orders.list(corpID: corpID, externalUserID: request.uri.queryParameters.get("customer"), limit: try Pagination.limit(request, default: 100))
        return OrderList(orders: list.map(OrderView.init))
    }

    /// CSV with a header: order_id, external_userid, amount (yuan), currency, status, ordered_at (ISO 8601).
    @Sendable func importCSV(_ request: Request, context: AuthenticatedContext) async throws -> Report {
        let corpID = try context.actingCorp()
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
        var rejected: [RowError] = []
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
                rejected.append(RowError(index: offset + 2, orderID: orderID, field: error.field, error: error.message))
            }
        }
        var inserted = 0
        var updated = 0
        for chunk in stride(from: 0, to: valid.count, by: 1000) {
            let report = try await orders.upsert(corpID: corpID, Array(valid[chunk..<min(chunk + 1000, valid.count)]), now: time())
            inserted += report.inserted
            updated += report.updated
        }
        return Report(inserted: inserted, updated: updated, rejected: rejected)
    }
}
