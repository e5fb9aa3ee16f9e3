import Foundation
import Hummingbird
import HummingbirdTesting
import SiyuCore
import SiyuStore
import Testing

@testable import SiyuServer

@Suite("Campaign preview and the contact policy")
struct CampaignPreviewTests {
    @Test("a preview counts who is sent, held or skipped and why, per sender, and reserves nothing")
    func preview() async throws {
        try await TestServer.withClient { client, store, _ in
            _ = try await store.corps.register(TestServer.registration("wwA1"), actor: "t", now: Date())
            let key = try await store.apiKeys.create(corpID: "wwA1", label: "", actor: "t", now: Date()).token
            try await SegmentAPITests.seed(store, corpID: "wwA1")

            let defaults = try await client.call(.get, "/api/v1/contact_policy", token: key).json()
            #expect(defaults["platform_rule"] as? String == "days_in_month")
            let policy = #"{"platform_rule":"1_per_day","brand_cap":{"max_touches":2,"days":7},"quiet_hours":{"start_minute":1320,"end_minute":480},"opt_out_tag_ids":["etnew"]}"#
            #expect(try await client.call(.put, "/api/v1/contact_policy", token: key, json: policy).status == .ok)
            #expect(try await client.call(.put, "/api/v1/contact_policy", token: key, json: #"{"brand_cap":{"max_touches":2,"days":0}}"#).status == .unprocessableContent)

            // 10:00 China time on a fixed day; wm1 already got a mass message that morning.
            let sendAt = Date(timeIntervalSince1970: TimeInterval(1_800_000_000 - 1_800_000_000 % 86400 + 2 * 3600))
            try await store.contacts.record(corpID: "wwA1", touches: [("wm1", .massMessage, sendAt.addingTimeInterval(-3600), "earlier")])
            func preview(_ at: Date) async throws -> [String: Any] {
                let body = String(decoding: try JSONSerialization.data(withJSONObject: ["audience": "status = active", "send_at": at.formatted(.iso8601)]), as: UTF8.self)
                return try await client.call(.post, "/api/v1/campaigns/preview", token: key, json: body).json()
            }
            let morning = try await preview(sendAt)
            #expect(morning["audience"] as? Int == 6)
            #expect(morning["send"] as? Int == 4)
            #expect(morning["skip"] as? [String: Int] == ["opted_out": 1, "platform_cap": 1])
            #expect((morning["senders"] as? [String: Int])?.values.reduce(0, +) == 4)
            #expect(morning["calls"] as? Int == (morning["senders"] as? [String: Int])?.count)

            // Previews reserve nothing: the same preview gives the same answer.
            #expect(try await preview(sendAt)["send"] as? Int == 4)

            // At 23:00 China time everyone reachable is held until 08:00.
            let night = try await preview(sendAt.addingTimeInterval(13 * 3600))
            #expect(night["send"] as? Int == 0)
            #expect((night["hold"] as? [String: Int])?["quiet_hours"] == 5)

            let bad = try await client.call(.post, "/api/v1/campaigns/preview", token: key, json: #"{"audience":"tag"}"#)
            #expect(bad.status == .unprocessableContent)
        }
    }
}
