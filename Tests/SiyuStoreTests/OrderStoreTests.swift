import Foundation
import SiyuCore
import SiyuTestSupport
import Testing

@testable import SiyuStore

@Suite("Orders")
struct OrderStoreTests {
    @Test("orders insert, update by id, list newest first and total per customer", arguments: TestDatabases.flavors)
    func upsertAndTotals(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            let t0 = Date(timeIntervalSince1970: 1_800_000_000)
            let first = try await store.orders.upsert(corpID: "ww1", [
                Order(orderID: "A", externalUserID: "wm1", amountFen: 1000, orderedAt: t0),
                Order(orderID: "B", externalUserID: "wm1", amountFen: 2550, orderedAt: t0.addingTimeInterval(60)),
                Order(orderID: "C", externalUserID: "wm2", amountFen: 999, status: .pending, orderedAt: t0),
            ], now: Date())
            #expect(first == OrderStore.UpsertReport(inserted: 3, updated: 0))
            let second = try await store.orders.upsert(corpID: "ww1", [Order(orderID: "C", externalUserID: "wm2", amountFen: 999, status: .paid, orderedAt: t0)], now: Date())
            #expect(second == OrderStore.UpsertReport(inserted: 0, updated: 1))
            _ = try await store.orders.upsert(corpID: "ww2", [Order(orderID: "A", externalUserID: "wm1", amountFen: 5, orderedAt: t0)], now: Date())

            #expect(try await store.orders.list(corpID: "ww1", externalUserID: "wm1").map(\.orderID) == ["B", "A"])
            let totals = try await store.orders.totals(corpID: "ww1")
            #expect(totals["wm1"] == OrderStore.CustomerTotals(count: 2, amountFen: 3550, lastOrderedAt: t0.addingTimeInterval(60)))
            #expect(totals["wm2"]?.count == 1)
            #expect(try await store.orders.totals(corpID: "ww2")["wm1"]?.amountFen == 5)
        }
    }
}
