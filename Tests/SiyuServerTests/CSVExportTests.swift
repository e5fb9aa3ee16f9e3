import Foundation
import Hummingbird
import HummingbirdTesting
import SiyuCore
import SiyuStore
import Testing

@testable import SiyuServer

@Suite("Customers export: spreadsheet-safe CSV")
struct CSVExportTests {
    @Test("a customer named as a formula, and formula custom fields, come out neutralised; a negative amount stays a number")
    func formulaNickname() async throws {
        try await TestServer.withClient { client, store, _ in
            let (keyA, _) = try await WebhookTests.twoCorps(store)
            let added = Date(timeIntervalSince1970: 1_709_222_400)
            let nickname = #"=HYPERLINK("http://x","y")"#
            _ = try await store.customers.reconcile(corpID: "wwA1", ContactObservation(
                externalUserID: "wm_formula", event: .added, userID: "m1", state: nil, at: added,
                customer: CustomerFacts(externalUserID: "wm_formula", name: nickname),
                relations: [RelationFacts(userID: "m1", state: nil, addedAt: added)]
            ), now: Date())
            let patched = try await client.call(
                .patch, "/api/v1/customers/wm_formula", token: keyA,
                json: #"{"custom_fields":{"余额":"-12.50","备注":"+cmd|' /C calc'!A0"}}"#
            )
            #expect(patched.status == .ok)

            let export = try await client.call(.get, "/api/v1/exports/customers.csv", token: keyA)
            #expect(export.status == .ok)
            var text = export.text
            #expect(text.hasPrefix("\u{FEFF}"))
            text.removeFirst()
            #expect(text.contains(#"wm_formula,"'=HYPERLINK(""http://x"",""y"")""#))
            let table = try CSV.decode(text)
            let header = try #require(table.first)
            let row = try #require(table.first { $0.first == "wm_formula" })
            #expect(row[1] == "'" + nickname)
            #expect(row[try #require(header.firstIndex(of: "field:备注"))] == "'+cmd|' /C calc'!A0")
            #expect(row[try #require(header.firstIndex(of: "field:余额"))] == "-12.50")
            #expect(!text.contains(",=") && !text.contains(",+"), "no cell starts with a formula character")
        }
    }
}
