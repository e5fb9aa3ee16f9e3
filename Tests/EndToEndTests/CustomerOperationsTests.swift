import Foundation
import Hummingbird
import SiyuCore
import SiyuServer
import SiyuStore
import Testing
import WeCom
import WeComSandbox

@Suite("End to end: tags, CSV, sync, channels, webhooks")
struct CustomerOperationsTests {
    /// Group name → tag names, as the platform has them.
    static func platformTags(_ client: WeComClient) async throws -> [String: Set<String>] {
        let groups = try await client.corpTags().filter { $0.deleted != true }
        return Dictionary(uniqueKeysWithValues: groups.map { ($0.groupName, Set($0.tag.filter { $0.deleted != true }.map(\.name))) })
    }

    /// Group name → tag names, as Siyu lists them; and tag name → id.
    static func siyuTags(_ e2e: EndToEnd) async throws -> (groups: [String: Set<String>], ids: [String: String], groupIDs: [String: String]) {
        let (status, body) = try await e2e.api(.get, "/api/v1/tag_groups")
        #expect(status == .ok)
        var groups: [String: Set<String>] = [:]
        var ids: [String: String] = [:]
        var groupIDs: [String: String] = [:]
        for group in body["tag_groups"] as? [[String: Any]] ?? [] {
            let name = group["name"] as? String ?? ""
            groupIDs[name] = group["group_id"] as? String
            groups[name] = []
            for tag in group["tags"] as? [[String: Any]] ?? [] {
                guard let tagName = tag["name"] as? String else { continue }
                groups[name]?.insert(tagName)
                ids[tagName] = tag["tag_id"] as? String
            }
        }
        return (groups, ids, groupIDs)
    }

    /// Both sides hold exactly `expected`.
    static func expectMirrored(_ e2e: EndToEnd, _ client: WeComClient, _ expected: [String: Set<String>], sourceLocation: SourceLocation = #_sourceLocation) async throws {
        #expect(try await platformTags(client) == expected, "platform", sourceLocation: sourceLocation)
        #expect(try await siyuTags(e2e).groups == expected, "Siyu", sourceLocation: sourceLocation)
    }

    static func tagIDs(_ e2e: EndToEnd, _ externalUserID: String) async throws -> Set<String> {
        Set(try #require(await e2e.world.customerSnapshot(corpID: e2e.corpID, externalUserID: externalUserID)).relations.flatMap(\.tagIDs))
    }

    @Test("tags are changed on the platform and mirrored; bulk tagging, a platform-side tag, CSV export and import")
    func tagsAndCSV() async throws {
        try await EndToEnd.run { e2e in
            let client = try await e2e.wecomClient()
            let (created, _) = try await e2e.api(.post, "/api/v1/tag_groups", ["name": "兴趣", "tags": ["咖啡", "茶"]])
            #expect(created == .created)
            try await Self.expectMirrored(e2e, client, ["兴趣": ["咖啡", "茶"]])
            var ids = try await Self.siyuTags(e2e)

            #expect(try await e2e.api(.patch, "/api/v1/tags/\(try #require(ids.ids["咖啡"]))", ["name": "手冲咖啡"]).0 == .ok)
            #expect(try await e2e.api(.patch, "/api/v1/tag_groups/\(try #require(ids.groupIDs["兴趣"]))", ["name": "爱好"]).0 == .ok)
            #expect(try await e2e.api(.post, "/api/v1/tag_groups/\(try #require(ids.groupIDs["兴趣"]))/tags", ["name": "果汁"]).0 == .created)
            #expect(try await e2e.api(.delete, "/api/v1/tags/\(try #require(ids.ids["茶"]))").0 == .noContent)
            try await Self.expectMirrored(e2e, client, ["爱好": ["手冲咖啡", "果汁"]])
            ids = try await Self.siyuTags(e2e)
            let coffee = try #require(ids.ids["手冲咖啡"])

            // Bulk tagging reaches the platform and the timeline.
            let first = try await e2e.customerAdds(member: "m1", name: "小王")
            let second = try await e2e.customerAdds(member: "m2", name: "小李")
            try await e2e.settle()
            let (tagged, report) = try await e2e.api(.post, "/api/v1/customer_tags", ["external_userids": [first, "wm_nobody"], "add": [coffee]])
            #expect(tagged == .ok)
            let results = try #require(report["results"] as? [[String: Any]])
            #expect(results.map { $0["ok"] as? Bool } == [true, false])
            #expect(results.first?["relations"] as? Int == 1)
            #expect(try await Self.tagIDs(e2e, first) == [coffee])
            let (_, profile) = try await e2e.api(.get, "/api/v1/customers/\(first)")
            let timeline = try #require(profile["timeline"] as? [[String: Any]])
            #expect(timeline.first?["kind"] as? String == "tagged")
            #expect((timeline.first?["detail"] as? [String: String])?["tag_ids"] == coffee)

            // A tag made on the platform directly arrives with change_external_tag.
            let made = try await client.addCorpTag(AddCorpTagRequest(groupName: "会员", tag: [NewCorpTag(name: "金卡")]))
            let gold = try #require(made.tag.first?.id)
            try await e2e.deliver(SandboxEvent(
                corpID: e2e.corpID, createTime: Int(Date().timeIntervalSince1970), event: "change_external_tag", changeType: "create",
                fields: [("Id", .text(gold)), ("TagType", .text("tag"))]
            ))
            try await e2e.settle()
            try await Self.expectMirrored(e2e, client, ["爱好": ["手冲咖啡", "果汁"], "会员": ["金卡"]])

            // Import: tags by name and custom fields, row by row.
            let csv = CSV.encode([
                ["external_userid", "name", "tags", "field:城市"],
                [first, "", "金卡", "上海"],
                ["wm_nobody", "", "手冲咖啡", "北京"],
                [second, "", "不存在的标签", "广州"],
                [second, ""],
                [second, "小李", "手冲咖啡;金卡", "深圳, 南山"],
            ])
            let imported = try await e2e.send(.post, "/api/v1/imports/customers", text: "\u{FEFF}" + csv)
            #expect(imported.status == .ok)
            let importReport = try #require(try JSONSerialization.jsonObject(with: Data(buffer: imported.body)) as? [String: Any])
            #expect(importReport["imported"] as? Int == 2)
            #expect(importReport["failed"] as? Int == 3)
            let rows = try #require(importReport["rows"] as? [[String: Any]])
            #expect(rows.map { $0["row"] as? Int } == [2, 3, 4, 5, 6])
            #expect(rows.map { $0["ok"] as? Bool } == [true, false, false, false, true])
            #expect((rows[1]["error"] as? String)?.contains("no customer wm_nobody") == true)
            #expect((rows[2]["error"] as? String)?.contains("unknown tag 不存在的标签") == true)
            #expect((rows[3]["error"] as? String)?.contains("2 cells") == true)
            #expect(try await Self.tagIDs(e2e, first) == [coffee, gold])
            #expect(try await Self.tagIDs(e2e, second) == [coffee, gold])
            #expect(try await e2e.store.customers.profile(corpID: e2e.corpID, externalUserID: second)?.customFields == ["城市": "深圳, 南山"])
            #expect(try await e2e.store.customers.profile(corpID: e2e.corpID, externalUserID: first)?.customFields == ["城市": "上海"])

            // Export: tag names, not ids, and the custom fields.
            let exported = try await e2e.send(.get, "/api/v1/exports/customers.csv")
            #expect(exported.status == .ok)
            var text = String(buffer: exported.body)
            #expect(text.hasPrefix("\u{FEFF}"))
            text.removeFirst()
            let table = try CSV.decode(text)
            let header = try #require(table.first)
            #expect(header == ["external_userid", "name", "status", "member_userids", "members", "channel_ids", "channels", "tags", "first_added_at", "field:城市"])
            let byID = Dictionary(uniqueKeysWithValues: table.dropFirst().map { ($0[0], $0) })
            #expect(byID.count == 2)
            #expect(Set(try #require(byID[second])[7].split(separator: ";").map(String.init)) == ["手冲咖啡", "金卡"])
            #expect(byID[second]?[1] == "小李")
            #expect(byID[second]?[3] == "m2" && byID[second]?[4] == "成员m2", "names beside ids")
            #expect(byID[second]?[8].hasSuffix("+08:00") == true, "times in the corp's time zone")
            #expect(byID[second]?[9] == "深圳, 南山")
            #expect(byID[first]?[2] == "active")

            // Deleting a group on the platform takes its tags off the customers in Siyu too.
            #expect(try await e2e.api(.delete, "/api/v1/tag_groups/\(try #require(ids.groupIDs["爱好"]))").0 == .noContent)
            try await Self.expectMirrored(e2e, client, ["会员": ["金卡"]])
            let (_, after) = try await e2e.api(.get, "/api/v1/customers/\(second)")
            #expect(((after["relations"] as? [[String: Any]])?.first?["tag_ids"] as? [String]) == [gold])
        }
    }

    @Test("a sync repairs a lost callback for a removal and an add")
    func syncRepairs() async throws {
        try await EndToEnd.run { e2e in
            let kept = try await e2e.customerAdds(member: "m1", name: "留下")
            let gone = try await e2e.customerAdds(member: "m2", name: "走了")
            try await e2e.settle()
            // Neither of these reaches Siyu.
            _ = try await e2e.world.customerDeletesMember(corpID: e2e.corpID, externalUserID: gone, userID: "m2")
            let (silent, _) = try await e2e.world.customerAdds(corpID: e2e.corpID, userID: "m3", name: "悄悄")
            #expect(try await e2e.store.customers.profile(corpID: e2e.corpID, externalUserID: silent.externalUserID) == nil)

            let sync = CorpSync(store: e2e.store, wecom: WeComConnections(corps: e2e.store.corps, logger: EndToEnd.logger), logger: EndToEnd.logger)
            let report = try await sync.run(corpID: e2e.corpID, now: Date())
            #expect(report.relationsEnded == 1)
            #expect(report.relationsAdded == 1)
            #expect(report.customersSeen == 2)
            #expect(report.members == 6)
            let encoded = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Int])
            #expect(encoded["relations_ended"] == 1)

            func listed(_ status: String) async throws -> Set<String> {
                let (_, body) = try await e2e.api(.get, "/api/v1/customers?status=\(status)")
                return Set((body["customers"] as? [[String: Any]] ?? []).compactMap { $0["external_userid"] as? String })
            }
            #expect(try await listed("active") == [kept, silent.externalUserID])
            #expect(try await listed("lost") == [gone])
            let again = try await sync.run(corpID: e2e.corpID, now: Date())
            #expect(again.relationsAdded == 0)
            #expect(again.relationsEnded == 0)
        }
    }

    static func contactWayUsers(_ client: WeComClient, _ configID: String) async throws -> [String] {
        try await client.contactWay(configID).user ?? []
    }

    @Test("channel edits and deletion reach the contact way; a daily cap hands the code to the backup")
    func channels() async throws {
        try await EndToEnd.run { e2e in
            let client = try await e2e.wecomClient()
            let (created, channel) = try await e2e.api(.post, "/api/v1/channels", ["name": "门店", "members": ["m1", "m2"]])
            #expect(created == .created)
            let id = try #require(channel["channel_id"] as? String)
            let configID = try #require(channel["config_id"] as? String)
            #expect(try await Self.contactWayUsers(client, configID) == ["m1", "m2"])

            let (patched, updated) = try await e2e.api(.patch, "/api/v1/channels/\(id)", ["members": ["m3"], "name": "门店二"])
            #expect(patched == .ok)
            #expect(updated["active_members"] as? [String] == ["m3"])
            #expect(try await Self.contactWayUsers(client, configID) == ["m3"])
            #expect(try await client.contactWay(configID).remark == "门店二")

            #expect(try await e2e.api(.delete, "/api/v1/channels/\(id)").0 == .noContent)
            await #expect(throws: WeComAPIError.self) { try await client.contactWay(configID) }
            #expect(try await e2e.api(.get, "/api/v1/channels/\(id)").0 == .notFound)

            let (_, capped) = try await e2e.api(.post, "/api/v1/channels", ["name": "限量", "members": ["m4"], "backup_members": ["m5"], "daily_cap": 1])
            let cappedID = try #require(capped["channel_id"] as? String)
            let cappedConfig = try #require(capped["config_id"] as? String)
            #expect(try await Self.contactWayUsers(client, cappedConfig) == ["m4"])
            let (firstAdd, firstEvents) = try await e2e.world.customerAdds(corpID: e2e.corpID, configID: cappedConfig)
            #expect(firstAdd.userID == "m4")
            for event in firstEvents { try await e2e.deliver(event) }
            try await e2e.settle()
            #expect(try await Self.contactWayUsers(client, cappedConfig) == ["m5"])
            #expect(try await e2e.api(.get, "/api/v1/channels/\(cappedID)").1["active_members"] as? [String] == ["m5"])

            let (secondAdd, secondEvents) = try await e2e.world.customerAdds(corpID: e2e.corpID, configID: cappedConfig)
            #expect(secondAdd.userID == "m5")
            for event in secondEvents { try await e2e.deliver(event) }
            try await e2e.settle()
            #expect(try await Self.contactWayUsers(client, cappedConfig) == ["m5"], "everyone capped: the backup stays on")
            let (_, stats) = try await e2e.api(.get, "/api/v1/channels/\(cappedID)/stats")
            #expect(stats["total_adds"] as? Int == 2)
            #expect(stats["member_adds"] as? [String: Int] == ["m4": 1, "m5": 1])
        }
    }

    @Test("a registered webhook receives signed customer.added and customer.lost deliveries")
    func webhooks() async throws {
        try await RecordingReceiver.run { url, receiver in
            try await EndToEnd.run { e2e in
                let (status, webhook) = try await e2e.api(.post, "/api/v1/webhooks", ["url": url, "event_types": ["customer.added", "customer.lost"]])
                #expect(status == .created)
                let secret = try #require(webhook["secret"] as? String)

                let customer = try await e2e.customerAdds(member: "m1", name: "订阅")
                try await e2e.settle()
                for event in try await e2e.world.customerDeletesMember(corpID: e2e.corpID, externalUserID: customer, userID: "m1") {
                    try await e2e.deliver(event)
                }
                try await e2e.settle()

                let hits = receiver.received
                #expect(hits.map { $0.headers["x-siyu-event"] } == ["customer.added", "customer.lost"])
                for hit in hits {
                    let timestamp = try #require(hit.headers["x-siyu-timestamp"].flatMap { Int($0) })
                    #expect(hit.headers["x-siyu-signature"] == WebhookSignature.sign(secret: secret, timestamp: timestamp, body: hit.body))
                    #expect(hit.headers["x-siyu-signature"] != WebhookSignature.sign(secret: secret + "x", timestamp: timestamp, body: hit.body))
                    let body = try #require(try JSONSerialization.jsonObject(with: Data(hit.body.utf8)) as? [String: Any])
                    #expect(body["type"] as? String == hit.headers["x-siyu-event"])
                    #expect(body["corp_id"] as? String == e2e.corpID)
                    let data = try #require(body["data"] as? [String: Any])
                    #expect(data["external_userid"] as? String == customer)
                    #expect(data["userid"] as? String == "m1")
                }
            }
        }
    }
}
