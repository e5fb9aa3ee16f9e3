import Foundation
import Hummingbird
import SQLKit
import SiyuCore
import SiyuDemo
import SiyuServer
import SiyuStore
import Testing
import WeCom
import WeComSandbox

@Suite("End to end: the demo brand", .serialized)
struct DemoSeederTests {
    @Test("a small demo brand: the same customers in the sandbox and in Siyu, channels backed by contact ways, dated history and losses")
    func smallBrand() async throws {
        try await EndToEnd.run(members: []) { e2e in
            let now = Date()
            let seeder = DemoSeeder(
                world: e2e.world, deliverer: e2e.deliverer, store: e2e.store,
                wecom: WeComConnections(corps: e2e.store.corps, logger: EndToEnd.logger),
                api: SiyuAPI(baseURL: "http://127.0.0.1:\(try #require(e2e.siyu.port))", apiKey: e2e.apiKey),
                corp: EndToEnd.corp, logger: EndToEnd.logger
            )
            let scale = DemoScale(customers: 300, days: 20, groups: 5, lostPercent: 10, buyerPercent: 50)
            let summary = try await seeder.seed(scale: scale, seed: 3, now: now)
            #expect(try await seeder.settle())

            // The same customers on both sides.
            let stats = await e2e.world.stats(corpID: e2e.corpID)
            #expect(summary.customers == 300)
            #expect(stats["customers"] == 300)
            let counts = try await e2e.store.database.read { sql in
                let row = try await sql.raw("""
                    SELECT (SELECT COUNT(*) FROM customers WHERE corp_id = \(bind: EndToEnd.corp.corpID)) AS customers,
                           (SELECT COUNT(*) FROM follow_relations WHERE corp_id = \(bind: EndToEnd.corp.corpID) AND status = 'lost') AS lost,
                           (SELECT COUNT(*) FROM follow_relations WHERE corp_id = \(bind: EndToEnd.corp.corpID) AND status = 'lost' AND ended_at < \(bind: Int64(now.timeIntervalSince1970 * 1000) - 30_000)) AS lost_in_past,
                           (SELECT COUNT(*) FROM orders WHERE corp_id = \(bind: EndToEnd.corp.corpID)) AS orders,
                           (SELECT COUNT(*) FROM members WHERE corp_id = \(bind: EndToEnd.corp.corpID)) AS members
                    """).first()!
                return try ["customers", "lost", "lost_in_past", "orders", "members"].map { try row.decode(column: $0, as: Int.self) }
            }
            #expect(counts[0] == 300)
            #expect(summary.lost == 30 && counts[1] == 30 && counts[2] == 30)
            #expect(summary.orders > 0 && counts[3] == summary.orders && stats["orders"] == summary.orders)
            #expect(counts[4] == DemoBrand.members.count && stats["members"] == DemoBrand.members.count)
            #expect(stats["groups"] == 5)
            let (groupStatus, groupBody) = try await e2e.api(.get, "/api/v1/groups")
            #expect(groupStatus == .ok && (groupBody["items"] as? [Any])?.count == 5, "\(groupBody)")

            // Two campaigns of the past, finished, with their sends dated at their send times.
            #expect(summary.campaigns.count == 2)
            for id in summary.campaigns {
                let (status, body) = try await e2e.api(.get, "/api/v1/campaigns/\(id)")
                #expect(status == .ok && body["state"] as? String == "finished", "\(body)")
                let totals = try #require((body["results"] as? [String: Any])?["totals"] as? [String: Any], "\(body)")
                #expect((totals["reached"] as? Int ?? 0) > 0, "\(totals)")
            }
            #expect(await e2e.world.massMessageIDs(corpID: e2e.corpID).count >= 2)
            #expect(e2e.clock.pinnedDate != nil, "the harness's pinned clock is restored")

            // Six channels, each one the sandbox's contact way with a QR code on the sandbox's own server.
            let channels = try await e2e.store.channels.list(corpID: e2e.corpID)
            #expect(channels.count == DemoBrand.channels.count)
            let sandboxBase = try #require(await e2e.world.publicBaseURL)
            for channel in channels {
                let configID = try #require(channel.configID)
                #expect(await e2e.world.hasContactWay(corpID: e2e.corpID, configID: configID))
                #expect(channel.qrCode?.hasPrefix(sandboxBase + "/sandbox/") == true)
            }

            // History: relations carry the platform's createtime, spread over the days asked for, attributed to channels.
            let days = try await e2e.store.database.read { sql in
                try await sql.raw("""
                    SELECT added_at, channel_id FROM follow_relations WHERE corp_id = \(bind: EndToEnd.corp.corpID)
                    """).all().map { (try $0.decode(column: "added_at", as: Int64.self), try $0.decode(column: "channel_id", as: String?.self)) }
            }
            let calendar = DemoBrand.calendar
            let dayNumbers = Set(days.map { calendar.dayNumber(Date(timeIntervalSince1970: Double($0.0) / 1000)) })
            #expect(dayNumbers.count >= 18)
            #expect(dayNumbers.min()! >= calendar.dayNumber(now) - 19)
            #expect(days.allSatisfy { Double($0.0) / 1000 <= now.timeIntervalSince1970 })
            #expect(days.filter { $0.1 != nil }.count > days.count / 2)
            let firstCustomer = try #require(await e2e.world.activeCustomerIDs(corpID: e2e.corpID).first)
            let snapshot = try #require(await e2e.world.customerSnapshot(corpID: e2e.corpID, externalUserID: firstCustomer))
            let stored = try await e2e.store.database.read { sql in
                try await sql.raw("""
                    SELECT added_at FROM follow_relations WHERE corp_id = \(bind: EndToEnd.corp.corpID) AND external_userid = \(bind: firstCustomer)
                    AND userid = \(bind: snapshot.relations[0].userID)
                    """).first()!.decode(column: "added_at", as: Int64.self)
            }
            #expect(stored == Int64(snapshot.relations[0].createTime) * 1000)
        }
    }
}
