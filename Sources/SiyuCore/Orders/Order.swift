import Foundation

/// An order from the brand's order feed: the source of order-based segment conditions and of
/// GMV and repurchase figures.
public struct Order: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable, CaseIterable {
        case pending, paid, refunded, cancelled
    }

    public var orderID: String
    public var externalUserID: String
    /// The amount in the currency's minor unit (fen for CNY).
    public var amountFen: Int64
    public var currency: String
    public var status: Status
    public var orderedAt: Date

    enum CodingKeys: String, CodingKey {
        case orderID = "order_id", externalUserID = "external_userid", amountFen = "amount_fen", currency, status, orderedAt = "ordered_at"
    }

    public init(orderID: String, externalUserID: String, amountFen: Int64, currency: String = "CNY", status: Status = .paid, orderedAt: Date) {
        self.orderID = orderID
        self.externalUserID = externalUserID
        self.amountFen = amountFen
        self.currency = currency
        self.status = status
        self.orderedAt = orderedAt
    }

    public func validate() throws(ValidationError) {
        guard !orderID.isEmpty, orderID.count <= 64 else { throw ValidationError(field: "order_id", message: "order_id is 1 to 64 characters") }
        guard !externalUserID.isEmpty, externalUserID.count <= 64 else { throw ValidationError(field: "external_userid", message: "external_userid is required") }
        guard amountFen >= 0, amountFen <= 10_000_000_000 else { throw ValidationError(field: "amount", message: "amount must be between 0 and 100,000,000.00") }
        guard currency.count == 3, currency.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
            throw ValidationError(field: "currency", message: "currency is a 3-letter ISO code such as CNY")
        }
    }
}

/// Exact money parsing: "199", "199.5" and "199.50" yuan are 19900, 19950 and 19950 fen; no floating point.
public enum Money {
    public static func parseYuan(_ text: String) throws(ValidationError) -> Int64 {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = Int64(parts[0]), whole >= 0, !parts[0].hasPrefix("+"),
              parts.count == 1 || (1...2).contains(parts[1].count) && parts[1].allSatisfy(\.isNumber)
        else {
            throw ValidationError(field: "amount", message: "amount must be yuan with at most two decimals, e.g. 199.00 (got \(text))")
        }
        var fen = whole * 100
        if parts.count == 2 {
            let fraction = Int64(parts[1])!
            fen += parts[1].count == 1 ? fraction * 10 : fraction
        }
        return fen
    }

    public static func formatYuan(_ fen: Int64) -> String {
        String(format: "%lld.%02lld", fen / 100, abs(fen % 100))
    }
}
