import Foundation
import Hummingbird
import HummingbirdTesting
import SiyuCore
import SiyuStore
import Testing
@testable import SiyuServer

/// The create request accepts and a job plans: what a client sees of it through the API.
@Suite("Campaign planning through the API")
struct CampaignPlanningJobTests {
    @Test("create answers 202 planning; GET shows progress, then the plan; a cancel while planning leaves it cancelled with nothing planned")
    func acceptedThenPlanned() async throws {
        try await TestServer.withClient { client, store, _ in
            _ = try await store.corps.register(TestServer.registration("wwA1"), actor: "t", now: Date())
            let key = try await store.apiKeys.create(corpID: "wwA1", label: "", actor: "t", now: Date()).token
            try await SegmentAPITests.seed(store, corpID: "wwA1")
            let body = #"{"name":"周末福利","audience":{"segment":"status = active"},"text":"hi"}"#

            let accepted = try await client.call(.post, "/api/v1/campaigns", token: key, json: body)
            #expect(accepted.status == .accepted)
            let id = try #require(try accepted.json()["campaign_id"] as? String)
            let waiting = try await client.call(.get, "/api/v1/campaigns/\(id)", token: key).json()
            #expect(waiting["state"] as? String == "planning")
            #expect((waiting["planning"] as? [String: Any])?["progress"] as? Double == 0)
            #expect(((waiting["results"] as? [String: Any])?["totals"] as? [String: Any])?["recipients"] as? Int == 0)

            try await TestServer.runJobs(store)
            let planned = try await client.call(.get, "/api/v1/campaigns/\(id)", token: key).json()
            #expect(planned["state"] as? String == "scheduled")
            #expect(planned["planning"] as? [String: Any] as NSDictionary? == ["progress": 1, "recipients": 6] as NSDictionary)
            #expect(((planned["results"] as? [String: Any])?["totals"] as? [String: Any])?["pending"] as? Int == 6)
            let recipients = try await client.call(.get, "/api/v1/campaigns/\(id)/recipients?state=planned", token: key).json()
            #expect((recipients["items"] as? [[String: Any]])?.compactMap { $0["recipient"] as? String } == (1...6).map { "wm\($0)" })
            // By reason too: all six are planned to be sent; none was held for quiet hours; an unknown reason is refused.
            let sent = try await client.call(.get, "/api/v1/campaigns/\(id)/recipients?reason=sent&limit=4", token: key).json()
            #expect((sent["items"] as? [[String: Any]])?.compactMap { $0["recipient"] as? String } == (1...4).map { "wm\($0)" })
            #expect(sent["next_cursor"] as? String == "wm4")
            let held = try await client.call(.get, "/api/v1/campaigns/\(id)/recipients?reason=quiet_hours", token: key).json()
            #expect((held["items"] as? [Any])?.isEmpty == true)
            let bogus = try await client.call(.get, "/api/v1/campaigns/\(id)/recipients?reason=bogus", token: key)
            #expect(bogus.status == .badRequest)
            #expect(try (bogus.json()["error"] as? [String: Any])?["field"] as? String == "reason")
            // The documented reasons are exactly the ones the server knows.
            let document = try await client.call(.get, "/api/v1/openapi.json", token: key).json()
            let parameters = ((((document["paths"] as? [String: Any])?["/api/v1/campaigns/{id}/recipients"] as? [String: Any])?["get"] as? [String: Any])?["parameters"] as? [[String: Any]]) ?? []
            let documented = (parameters.first { $0["name"] as? String == "reason" }?["schema"] as? [String: Any])?["enum"] as? [String]
            #expect(documented == RecipientReason.allCases.map(\.rawValue))

            // Cancelled before its job runs: the job plans nothing, nothing is reserved.
            let second = try await client.call(.post, "/api/v1/campaigns", token: key, json: body)
            let secondID = try #require(try second.json()["campaign_id"] as? String)
            let cancel = try await client.call(.post, "/api/v1/campaigns/\(secondID)/cancel", token: key)
            #expect(cancel.status == .ok)
            #expect(try cancel.json()["cancelled"] as? Bool == true)
            try await TestServer.runJobs(store)
            let cancelled = try await client.call(.get, "/api/v1/campaigns/\(secondID)", token: key).json()
            #expect(cancelled["state"] as? String == "cancelled")
            #expect(((cancelled["results"] as? [String: Any])?["totals"] as? [String: Any])?["recipients"] as? Int == 0)
            // The first campaign's reservations are the only ones: each customer holds one touch.
            let ledger = try await store.contacts.ledger(corpID: "wwA1", since: Date().addingTimeInterval(-86400))
            #expect((1...6).map { ledger.touches(of: "wm\($0)").map(\.campaignID) } == Array(repeating: [id], count: 6))
        }
    }

    @Test("planning that cannot succeed ends the campaign cancelled with the reason: at once for an audience that no longer evaluates, after its last attempt for one a retry might fix (a member not synced yet)")
    func planningGivesUp() async throws {
        try await TestServer.withClient { client, store, _ in
            _ = try await store.corps.register(TestServer.registration("wwA1"), actor: "t", now: Date())
            let key = try await store.apiKeys.create(corpID: "wwA1", label: "", actor: "t", now: Date()).token
            try await SegmentAPITests.seed(store, corpID: "wwA1")
            let accepted = try await client.call(.post, "/api/v1/campaigns", token: key, json: #"{"name":"VIP","audience":{"segment":"tag \"VIP\""},"text":"hi"}"#)
            #expect(accepted.status == .accepted, "\(accepted.text)")
            let id = try #require(try accepted.json()["campaign_id"] as? String)
            // The tag is deleted before the job runs.
            _ = try await store.directory.replaceTags(corpID: "wwA1", groups: [], now: Date())
            try await TestServer.runJobs(store)
            let detail = try await client.call(.get, "/api/v1/campaigns/\(id)", token: key).json()
            #expect(detail["state"] as? String == "cancelled")
            #expect((detail["last_error"] as? String)?.hasPrefix("planning failed:") == true, "\(detail)")
            #expect(try await store.jobs.depth()["dead", default: 0] == 0)

            // Any other failure is retried; the last attempt gives up the same way.
            let campaign = try Campaign.fixture("重试", sendAt: Date(), now: Date())
            try await store.campaigns.accept(corpID: "wwA1", campaign, now: Date())
            try await store.database.write { sql in
                try await sql.raw("UPDATE campaigns SET audience = '{\"segment\":\"status = active\",\"members\":[\"\"]}' WHERE campaign_id = \(bind: campaign.campaignID)").run()
            }
            var later = Date()
            for _ in 0..<5 {
                try? await TestServer.runJobs(store, now: later)
                later = later.addingTimeInterval(3600)
            }
            let retried = try #require(try await store.campaigns.find(corpID: "wwA1", campaignID: campaign.campaignID))
            #expect(retried.state == .cancelled)
            #expect(retried.lastError?.hasPrefix("planning failed:") == true, "\(String(describing: retried.lastError))")
            #expect(try await store.jobs.depth()["dead", default: 0] == 1)
        }
    }

    @Test("the planning job sends through the member who last interacted with a customer, as the preview says, and follows a later interaction")
    func senderFromTheIndex() async throws {
        try await TestServer.withClient { client, store, _ in
            _ = try await store.corps.register(TestServer.registration("wwA1"), actor: "t", now: Date())
            let key = try await store.apiKeys.create(corpID: "wwA1", label: "", actor: "t", now: Date()).token
            let day = { (n: Double) in Date().addingTimeInterval((n - 10) * 86400) }
            // wm1 is a friend of m1 (since day 1) and m2 (since day 2); wm2 of m1 alone.
            _ = try await store.customers.reconcile(corpID: "wwA1", ContactObservation(
                externalUserID: "wm1", event: .added, userID: "m2", state: nil, at: day(2), customer: CustomerFacts(externalUserID: "wm1", name: "客户1"),
                relations: [RelationFacts(userID: "m1", state: nil, addedAt: day(1), tagIDs: []), RelationFacts(userID: "m2", state: nil, addedAt: day(2), tagIDs: [])]
            ), now: Date())
            _ = try await store.customers.reconcile(corpID: "wwA1", ContactObservation(
                externalUserID: "wm2", event: .added, userID: "m1", state: nil, at: day(1), customer: CustomerFacts(externalUserID: "wm2", name: "客户2"),
                relations: [RelationFacts(userID: "m1", state: nil, addedAt: day(1), tagIDs: [])]
            ), now: Date())
            func planned(_ name: String) async throws -> (preview: [String: Int], senders: [String: String]) {
                let body = #"{"name":"\#(name)","audience":{"segment":"status = active"},"text":"hi"}"#
                let preview = try await client.call(.post, "/api/v1/campaigns/preview", token: key, json: body).json()["senders"] as? [String: Int] ?? [:]
                let id = try #require(try await client.call(.post, "/api/v1/campaigns", token: key, json: body).json()["campaign_id"] as? String)
                try await TestServer.runJobs(store)
                let items = try await client.call(.get, "/api/v1/campaigns/\(id)/recipients", token: key).json()["items"] as? [[String: Any]] ?? []
                _ = try await client.call(.post, "/api/v1/campaigns/\(id)/cancel", token: key)
                return (preview, Dictionary(uniqueKeysWithValues: items.map { ($0["recipient"] as? String ?? "", $0["sender"] as? String ?? "") }))
            }
            let first = try await planned("先")
            #expect(first.senders == ["wm1": "m2", "wm2": "m1"])  // m2's add is wm1's latest interaction
            #expect(first.preview == ["m1": 1, "m2": 1])
            // m1 tags wm1 later: m1 now sends to wm1 (the index catches up with the change).
            try await store.customers.changeTags(corpID: "wwA1", externalUserID: "wm1", userID: "m1", add: ["etvip"], remove: [], actor: "t", now: day(3))
            let second = try await planned("后")
            #expect(second.senders == ["wm1": "m1", "wm2": "m1"])
            #expect(second.preview == ["m1": 2])
        }
    }
}
