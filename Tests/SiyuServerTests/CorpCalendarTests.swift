import Foundation
import Hummingbird
import HummingbirdTesting
import SiyuCore
import SiyuStore
import Testing

@testable import SiyuServer

/// A corp at UTC+7: its contact policy's offset is the day of its API date parameters,
/// segments, channel statistics and console dates. 16:00–17:00 UTC is a different day at +7
/// and at +8, so every check below fails if China time is used instead.
@Suite("A corp's calendar over REST and in the console")
struct CorpCalendarTests {
    static let corpID = "wwA1"
    static let bangkok = ContactPolicy(utcOffsetSeconds: 7 * 3600)

    /// An instant given in UTC.
    static func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0) -> Date {
        BusinessCalendar(utcOffsetSeconds: 0).date(parsing: String(format: "%04d-%02d-%02dT%02d:%02d", year, month, day, hour, minute))!
    }

    /// wmA came at 16:30 UTC on 28 February (23:30 at +7, 1 March 00:30 at +8), wmB at 17:30 UTC
    /// (1 March at both), through the channel `chn_store`.
    static func seed(_ store: SiyuStore) async throws {
        let now = Date()
        _ = try await store.channels.create(corpID: corpID, Channel(
            channelID: "chn_store", name: "门店", state: "st1", configID: nil, qrCode: nil, settings: ChannelSettings(members: ["m1"]),
            activeMembers: ["m1"], createdAt: now, updatedAt: now
        ), actor: "t")
        for (id, at) in [("wmA", utc(2025, 2, 28, 16, 30)), ("wmB", utc(2025, 2, 28, 17, 30))] {
            _ = try await store.customers.reconcile(corpID: corpID, ContactObservation(
                externalUserID: id, event: .added, userID: "m1", state: "st1", at: at,
                customer: CustomerFacts(externalUserID: id, name: id), relations: [RelationFacts(userID: "m1", state: "st1", addedAt: at)]
            ), now: Date())
        }
    }

    @Test("dates in queries, segment dates and channel statistics are the corp's days; a new offset rebuilds the segment index")
    func restAtAnotherOffset() async throws {
        try await TestServer.withClient { client, store, _ in
            _ = try await store.corps.register(TestServer.registration(Self.corpID), actor: "t", now: Date())
            let key = try await store.apiKeys.create(corpID: Self.corpID, label: "", actor: "t", now: Date()).token
            try await Self.seed(store)
            try await store.contacts.setPolicy(corpID: Self.corpID, Self.bangkok, actor: "t", now: Date())

            func customers(_ query: String) async throws -> [String] {
                let page = try await client.call(.get, "/api/v1/customers?" + query, token: key).json()
                return (page["customers"] as? [[String: Any]] ?? []).compactMap { $0["external_userid"] as? String }.sorted()
            }
            func count(_ expression: String) async throws -> Int? {
                let body = String(decoding: try JSONSerialization.data(withJSONObject: ["expression": expression]), as: UTF8.self)
                return try await client.call(.post, "/api/v1/segments/count", token: key, json: body).json()["count"] as? Int
            }
            func stats() async throws -> [String: Int] {
                let json = try await client.call(.get, "/api/v1/channels/chn_store/stats?from=2025-02-28&to=2025-03-01", token: key).json()
                let days = json["days"] as? [[String: Any]] ?? []
                return Dictionary(uniqueKeysWithValues: days.compactMap { day in (day["day"] as? String).map { ($0, day["adds"] as? Int ?? -1) } })
            }

            // At +7, 1 March starts at 17:00 UTC: only wmB came on or after it.
            #expect(try await customers("added_after=2025-03-01") == ["wmB"])
            #expect(try await customers("added_before=2025-03-01") == ["wmA"])
            #expect(try await count("added after 2025-02-28") == 1)
            #expect(try await count("added before 2025-03-01") == 1)
            #expect(try await stats() == ["2025-02-28": 1, "2025-03-01": 1])
            // An explicit offset is that instant, whatever the corp's calendar.
            #expect(try await customers("added_after=2025-02-28T16:00:00Z") == ["wmA", "wmB"])
            #expect(try await client.call(.get, "/api/v1/customers?added_after=2025-3-1", token: key).status == .badRequest)

            // The same data for a corp in China time.
            try await store.contacts.setPolicy(corpID: Self.corpID, ContactPolicy(), actor: "t", now: Date())
            #expect(try await customers("added_after=2025-03-01") == ["wmA", "wmB"])
            #expect(try await count("added after 2025-02-28") == 2)
            #expect(try await count("added before 2025-03-01") == 0)
            #expect(try await stats() == ["2025-02-28": 0, "2025-03-01": 2])
        }
    }

    @Test("the console reads a send time and shows dates in the corp's calendar")
    func consoleAtAnotherOffset() async throws {
        try await ConsoleTestServer.run { fixture in
            let admin = try await fixture.adminWithCorp()
            try await Self.seed(fixture.store)
            try await fixture.store.contacts.setPolicy(corpID: Self.corpID, Self.bangkok, actor: "t", now: Date())

            #expect(try await admin.get("/console/campaigns/new").status == .ok)
            let created = try await admin.post("/console/campaigns", [
                ("name", "曼谷上新"), ("kind", "message"), ("audience", "status = active"), ("text", "新品到店"),
                ("send_at", "2030-11-24T10:00"), ("deadline_hours", "48"), ("confirmed", "1"),
            ])
            #expect(created.status == .seeOther, "\(created.text)")
            let campaign = try #require(try await fixture.store.campaigns.list(corpID: Self.corpID, limit: 10).first)
            #expect(campaign.sendAt == Self.utc(2030, 11, 24, 3), "10:00 at +7 is 03:00 UTC")
            let page = try await admin.get("/console/campaigns/\(campaign.campaignID)").text
            #expect(page.contains("2030-11-24 10:00"), "the send time shown as the corp wrote it")

            // wmA came at 23:30 on 28 February at +7.
            let profile = try await admin.get("/console/customers/wmA").text
            #expect(profile.contains("2025-02-28 23:30") && !profile.contains("2025-03-01 00:30"))
        }
    }
}
