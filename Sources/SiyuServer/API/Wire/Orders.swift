import Foundation
import Hummingbird
import SiyuCore

extension Wire {
    /// The body of `POST /api/v1/orders`.
    struct OrderBatch: Decodable { var orders: [OrderInput] }

    /// One order in a batch.
    struct OrderInput: Decodable {
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

    /// An order that was not stored, and why.
    struct OrderRejection: Encodable, Sendable {
        var index: Int
        var orderID: String
        var field: String
        var error: String
        enum CodingKeys: String, CodingKey { case index, orderID = "order_id", field, error }
    }

    /// `#/components/schemas/OrderReport`.
    struct OrderReport: ResponseEncodable {
        var inserted: Int
        var updated: Int
        var rejected: [OrderRejection]
    }

    /// An order as listed: the stored order with its amount in yuan.
    struct OrderView: Listed {
        static var listName: String { "orders" }
        var order: Order
        func encode(to encoder: any Encoder) throws {
            try order.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(Money.formatYuan(order.amountFen), forKey: .amount)
        }
        enum Keys: String, CodingKey { case amount }
    }
}
