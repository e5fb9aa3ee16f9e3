import Foundation
import Hummingbird
import HummingbirdTesting
import SiyuStore
import Testing

@testable import SiyuServer

@Suite("Orders over REST")
struct OrderAPITests {
    @Test("JSON orders are stored exactly, invalid ones rejected by index; CSV import reports each bad row")
    func ordersFeed() async throws {
        try await TestServer.withClient { client, store, _ in
            _ = try await store.corps.register(TestServer.registration("wwA1"), actor: "t", now: Date())
            let key = try await store.apiKeys.create(corpID: "wwA1", label: "", actor: "t", now: Date()).token
            let json = #"""
            {"orders":[
              {"order_id":"SO1","external_userid":"wm1","amount":"199.00","ordered_at":"2026-11-20T10:00:00+08:00"},
              {"order_id":"SO2","external_userid":"wm1","amount":35.5,"status":"refunded","ordered_at":"2026-11-21T10:00:00+08:00"},
              {"order_id":"SO3","external_userid":"wm2","amount":"1.234","ordered_at":"2026-11-21T10:00:00+08:00"},
              {"order_id":"SO4","external_userid":"wm2","amount":"9","currency":"rmb","ordered_at":"2026-11-21T10:00:00+08:00"}
            ]}
            """#
            let added = try await client.call(.post, "/api/v1/orders", token: key, json: json)
            #expect(added.status == .ok)
            let body = try added.json()
            #expect(body["inserted"] as? Int == 2)
            let rejected = try #require(body["rejected"] as? [[String: Any]])
            #expect(rejected.map { $0["index"] as? Int } == [2, 3])
            #expect(rejected.map { $0["field"] as? String } == ["amount", "currency"])
            #expect(try await store.orders.list(corpID: "wwA1").first { $0.orderID == "SO2" }?.amountFen == 3550)

            let csv = "order_id,external_userid,amount,currency,status,ordered_at\r\nSO1,wm1,200.00,CNY,paid,2026-11-20T10:00:00+08:00\r\nSO9,wm3,10,CNY,paid,not-a-date\r\nSO10,wm3,10,CNY,shipped,2026-11-20T10:00:00+08:00\r\nSO11,wm3\r\nSO12,wm4,88.8,,,2026-11-22T09:00:00Z\r\n"
            let imported = try await client.call(.post, "/api/v1/imports/orders", token: key, json: csv)
            let report = try imported.json()
            #expect(report["inserted"] as? Int == 1)
            #expect(report["updated"] as? Int == 1)
            #expect((report["rejected"] as? [[String: Any]])?.map { $0["index"] as? Int } == [3, 4, 5])
            #expect(try await store.orders.totals(corpID: "wwA1")["wm1"]?.amountFen == 20000)

            let list = try await client.call(.get, "/api/v1/orders?customer=wm4", token: key).json()
            #expect((list["orders"] as? [[String: Any]])?.first?["amount"] as? String == "88.80")
            #expect(try await client.call(.post, "/api/v1/imports/orders", token: key, json: "order_id\r\nX\r\n").status == .badRequest)
        }
    }
}
