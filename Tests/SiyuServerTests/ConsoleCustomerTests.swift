import Foundation
import SiyuCore
import SiyuStore
import Testing

@testable import SiyuServer

@Suite("Console: customers — totals, sorting, bulk tagging, exports, lost customers, the profile in words")
struct ConsoleCustomerTests {
    static func rows(_ csv: String) throws -> [[String]] {
        var text = csv
        #expect(text.hasPrefix("\u{FEFF}"))
        text.removeFirst()
        return try CSV.decode(text)
    }

    @Test("20 customers ticked are tagged in one go through WeCom; the list counts, sorts and exports with names and local times")
    func bulkAndExport() async throws {
        try await ConsoleTestServer.run(sandbox: true) { fixture in
            let admin = try await fixture.adminWithCorp()
            let world = try #require(fixture.world)
            try await admin.get("/console/tags")
            try await admin.post("/console/tags/groups", [("name", "等级"), ("tags", "VIP, 新客")])
            let vip = try #require(try await fixture.store.directory.tagGroups(corpID: "wwA1")[0].tags.first { $0.name == "VIP" }?.tagID)
            for index in 0..<25 {
                let id = "wmB\(String(format: "%02d", index))"
                _ = try await world.customerAdds(corpID: "wwA1", userID: "m1", externalUserID: id, name: "批量\(index)", issueWelcomeCode: false)
                try await fixture.addCustomer("wwA1", id, name: "批量\(index)")
            }
            let list = try await admin.get("/console/customers")
            #expect(list.text.contains(#"data-total="25""#) && list.text.contains("全选本页"))
            let chosen = (0..<20).map { "wmB\(String(format: "%02d", $0))" }
            let tagged = try await admin.post("/console/customers/bulk", chosen.map { ("ids", $0) } + [("action", "tag"), ("tag_id", vip)])
            #expect(tagged.headers[.location] == "/console/customers?done=bulk_tag&n=20&failed=0")
            #expect(try await admin.get(try #require(tagged.headers[.location])).text.contains("已为 20 位客户打上标签"))
            var query = CustomerQuery()
            query.tagIDs = [vip]
            #expect(try await fixture.store.customers.count(corpID: "wwA1", query) == 20)
            let untagged = try await admin.post("/console/customers/bulk", [("ids", "wmB00"), ("action", "untag"), ("tag_id", vip)])
            #expect(untagged.headers[.location]?.contains("n=1") == true)
            #expect(try await fixture.store.customers.count(corpID: "wwA1", query) == 19)
            #expect(try await admin.post("/console/customers/bulk", [("action", "tag"), ("tag_id", vip)]).headers[.location] == "/console/customers?done=bulk_none")

            // The filtered list's export: every match, names beside ids, times with the corp's offset.
            let export = try await admin.get("/console/customers.csv?tag=\(vip)")
            #expect(export.headers[.contentType] == "text/csv; charset=utf-8")
            let table = try Self.rows(export.text)
            #expect(table.count == 20 && table[0][4] == "members" && table[1][4] == "成员m1" && table[1][7] == "VIP" && table[1][8].hasSuffix("+08:00"))
            let picked = try Self.rows(try await admin.post("/console/customers/bulk", [("ids", "wmB03"), ("ids", "wmB04"), ("action", "export")]).text)
            #expect(picked.dropFirst().map { $0[0] } == ["wmB03", "wmB04"])

            // Sorted newest first; paging by offset.
            let sorted = try await admin.get("/console/customers?sort=added_desc").text
            #expect(sorted.contains("/console/customers?offset=50&sort=added_desc") == false, "25 fit on one page")
            #expect(sorted.contains(#"value="added_desc" selected"#))
        }
    }

    @Test("lost customers by member and channel, exported; the profile shows orders, groups, campaigns received and a timeline in words")
    func lostAndProfile() async throws {
        try await ConsoleTestServer.run { fixture in
            let admin = try await ConsoleCampaignTests.seededAdmin(fixture)
            let store = fixture.store, corpID = ConsoleCampaignTests.corpID
            try await store.mirrorMembers(corpID: corpID, ["m1", "m2"])
            _ = try await store.customers.reconcile(corpID: corpID, ContactObservation(
                externalUserID: "wm1", event: .customerDeletedMember, userID: "m1", state: nil, at: Date().addingTimeInterval(-3600), customer: nil, relations: []
            ), now: Date())
            // The seed's relations of m1 that the platform no longer shows are lost too (wm2, wm4, wm6), newest first.
            let lost = try await admin.get("/console/lost").text
            #expect(lost.contains("客户1") && lost.contains("成员m1") && lost.contains("门店") && lost.contains(#"data-total="4""#))
            #expect(try await admin.get("/console/lost?member=m2").text.contains(#"data-total="0""#))
            #expect(try await admin.get("/console/lost?channel=chn_store").text.contains(#"data-total="2""#))
            let exported = try Self.rows(try await admin.get("/console/lost.csv?channel=chn_store").text)
            #expect(exported.dropFirst().map { $0[0] } == ["wm2", "wm1"])
            #expect(exported[2][3] == "成员m1" && exported[2][5] == "门店" && exported[2][7].hasSuffix("+08:00"))

            try await store.customers.changeTags(corpID: corpID, externalUserID: "wm4", userID: "m2", add: ["etvip"], remove: [], actor: "console:root", now: Date())
            try await store.groups.upsert(corpID: corpID, chatID: "wrG1", name: "会员福利群", owner: "m1", notice: nil, createdAt: Date(),
                                          members: [GroupStore.Member(memberID: "wm4", type: 2, joinedAt: Date()), GroupStore.Member(memberID: "m1", type: 1, joinedAt: Date())], now: Date())
            let profile = try await admin.get("/console/customers/wm4").text
            #expect(profile.contains("o1") && profile.contains("¥500.00"), "orders")
            #expect(profile.contains("会员福利群") && profile.contains("/console/groups/wrG1"), "groups")
            #expect(profile.contains("root（控制台） 在 成员m2 的好友关系上打上标签：VIP"), "the timeline in words with names")
            #expect(!profile.contains(">etvip") && !profile.contains("console:root"))
            let group = try await admin.get("/console/groups/wrG1").text
            #expect(group.contains("客户4") && group.contains("/console/customers/wm4") && group.contains("成员m1"))
            #expect(try await admin.get("/console/groups").text.contains("会员福利群"))
            #expect(try await admin.get("/console/groups/wrNone").status == .notFound)
            // Every list has its CSV, names beside ids.
            let groups = try Self.rows(try await admin.get("/console/groups.csv").text)
            #expect(groups.count == 2 && groups[1][1] == "会员福利群" && groups[1][3] == "成员m1")
            let campaign = try await ConsoleCampaignTests.campaign(store, "导出测试")
            try await ConsoleCampaignTests.results(store, campaign)
            let campaigns = try Self.rows(try await admin.get("/console/campaigns.csv").text)
            #expect(campaigns.count == 2 && campaigns[1][1] == "导出测试")
            let recipients = try Self.rows(try await admin.get("/console/campaigns/\(campaign.campaignID)/recipients.csv").text)
            #expect(recipients.count > 1 && recipients[0] == ["recipient", "name", "sender_userid", "sender", "state", "reason", "send_at"])
            #expect(recipients.dropFirst().contains { $0[0] == "wm3" && $0[1] == "客户3" && $0[3] == "成员m1" && $0[4] == "failed" }, "\(recipients)")
            #expect(try Self.rows(try await admin.get("/console/segments.csv").text).first?.first == "segment_id")
        }
    }
}
