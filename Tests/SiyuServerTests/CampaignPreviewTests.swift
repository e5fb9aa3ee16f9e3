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

    @Test("the preview of a body is what creating that body does: the same counts per reason and per sender, and the same refusals")
    func previewEqualsCreate() async throws {
        try await TestServer.withClient { client, store, _ in
            _ = try await store.corps.register(TestServer.registration("wwA1"), actor: "t", now: Date())
            let key = try await store.apiKeys.create(corpID: "wwA1", label: "", actor: "t", now: Date()).token
            try await SegmentAPITests.seed(store, corpID: "wwA1")
            let policy = #"{"platform_rule":"1_per_day","quiet_hours":{"start_minute":1320,"end_minute":480},"opt_out_tag_ids":["etnew"]}"#
            #expect(try await client.call(.put, "/api/v1/contact_policy", token: key, json: policy).status == .ok)
            // 23:30 China time, years ahead: quiet hours hold some, the day's cap and the opt-out skip others.
            let sendAt = Date(timeIntervalSince1970: TimeInterval(1_900_000_000 - 1_900_000_000 % 86400) + 15.5 * 3600)
            // wm1 already has a mass message booked for the morning its hold would end in.
            try await store.contacts.record(corpID: "wwA1", touches: [("wm1", .massMessage, sendAt.addingTimeInterval(9.5 * 3600), "booked")])
            let body: [String: Any] = ["name": "周末福利", "audience": ["segment": "status = active or status = lost"], "text": "hi", "send_at": sendAt.formatted(.iso8601)]
            let json = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)

            let preview = try await client.call(.post, "/api/v1/campaigns/preview", token: key, json: json)
            #expect(preview.status == .ok)
            #expect(preview.status == .ok, "\(preview.text)")
            let previewed = try preview.json()
            let accepted = try await client.call(.post, "/api/v1/campaigns", token: key, json: json)
            #expect(accepted.status == .accepted)
            #expect(try accepted.json()["state"] as? String == "planning")
            try await TestServer.runJobs(store)
            let id = try #require(try accepted.json()["campaign_id"] as? String)
            let created = try await client.call(.get, "/api/v1/campaigns/\(id)", token: key)
            let results = try #require(try created.json()["results"] as? [String: Any])
            let totals = try #require(results["totals"] as? [String: Any])
            #expect(previewed["audience"] as? Int == totals["recipients"] as? Int)
            #expect(previewed["send"] as? Int == totals["pending"] as? Int)
            #expect((previewed["hold"] as? [String: Int])?.values.reduce(0, +) == totals["held"] as? Int)
            #expect(previewed["skip"] as? [String: Int] == totals["skipped"] as? [String: Int])
            // Not a vacuous match: this plan sends nobody now, holds some and skips for three reasons.
            #expect((previewed["hold"] as? [String: Int])?["quiet_hours", default: 0] ?? 0 > 0)
            #expect(Set((previewed["skip"] as? [String: Int] ?? [:]).keys).isSuperset(of: ["opted_out", "platform_cap"]))
            let perSender = Dictionary(uniqueKeysWithValues: (results["senders"] as? [[String: Any]] ?? []).map { sender -> (String, Int) in
                let counts = sender["counts"] as? [String: Any] ?? [:]
                return (sender["userid"] as? String ?? "", (counts["pending"] as? Int ?? 0) + (counts["held"] as? Int ?? 0))
            }.filter { $0.1 > 0 })
            #expect(previewed["senders"] as? [String: Int] == perSender)

            // Once created, the reservations are spent: the same preview now skips them (reserving is what create adds).
            let after = try await client.call(.post, "/api/v1/campaigns/preview", token: key, json: json).json()
            #expect((after["skip"] as? [String: Int])?["platform_cap"] ?? 0 > (previewed["skip"] as? [String: Int])?["platform_cap"] ?? 0)

            // What create refuses, preview refuses the same way.
            for bad in [#"{"audience":{"segment":"status = active"},"text":"hi"}"#, #"{"name":"","audience":{"segment":"status = active"},"text":"hi"}"#,
                        #"{"name":"x","audience":{"segment":"status = active"}}"#, #"{"name":"x","audience":{"segment":"status = active"},"text":"hi","deadline_hours":0}"#,
                        #"{"name":"x","kind":"group_message","audience":{},"text":"hi"}"#, #"{"name":"x","audience":{"segment":"tag"},"text":"hi"}"#] {
                let previewAnswer = try await client.call(.post, "/api/v1/campaigns/preview", token: key, json: bad)
                let createAnswer = try await client.call(.post, "/api/v1/campaigns", token: key, json: bad)
                #expect(previewAnswer.status == createAnswer.status, "\(bad)")
                #expect(previewAnswer.status == .badRequest || previewAnswer.status == .unprocessableContent, "\(bad): \(previewAnswer.status)")
                let field = { (answer: TestResponse) in ((try? answer.json())?["error"] as? [String: Any])?["field"] as? String }
                #expect(field(previewAnswer) == field(createAnswer), "\(bad)")
            }

            // The deprecated form still answers, for the audience alone.
            let legacy = try await client.call(.post, "/api/v1/campaigns/preview", token: key, json: #"{"audience":"status = active or status = lost","send_at":"\#(sendAt.formatted(.iso8601))"}"#)
            #expect(legacy.status == .ok)
            #expect(try legacy.json()["audience"] as? Int == previewed["audience"] as? Int)
        }
    }
}
