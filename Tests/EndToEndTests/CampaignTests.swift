import Foundation
import SiyuCore
import SiyuServer
import SiyuTestSupport
import Testing
import WeComSandbox

@Suite("End to end: campaigns under the contact budget")
struct CampaignTests {
    static let members = (1...10).map { "m\($0)" }
    static let customersPerMember = 1_000

    @Test("two overlapping campaigns to 10,000 customers, then two more days: the sandbox's own receipts stay within 1 a day and 2 a week, and every recipient ends with a state and a reason")
    func overlappingCampaignsStayWithinEveryCap() async throws {
        try await EndToEnd.run(members: Self.members) { e2e in
            await e2e.world.setMassMessageRule(.onePerDay)
            // 10,000 customers, 1,000 per member, already there before Siyu syncs.
            var customersOf: [String: [String]] = [:]
            for (index, member) in Self.members.enumerated() {
                for n in 0..<Self.customersPerMember {
                    let id = String(format: "wmcamp%02d%04d", index + 1, n)
                    _ = try await e2e.world.customerAdds(corpID: e2e.corpID, userID: member, externalUserID: id, issueWelcomeCode: false)
                    customersOf[member, default: []].append(id)
                }
            }
            #expect(try await e2e.api(.post, "/api/v1/sync").0 == .accepted)
            try await e2e.settle()
            let counts = try await e2e.api(.get, "/api/v1/customer_counts").1
            #expect((counts["counts"] as? [String: Any])?["customers_active"] as? Int == 10_000, "\(counts)")
            let (policyStatus, _) = try await e2e.api(.put, "/api/v1/contact_policy", ["platform_rule": "1_per_day", "brand_cap": ["max_touches": 2, "days": 7]])
            #expect(policyStatus == .ok)

            // Day 1: A to m1–m6's customers and B to m4–m9's, created at the same moment.
            async let createA = e2e.createCampaign([
                "name": "新品上市 A", "audience": ["segment": "member in (m1, m2, m3, m4, m5, m6)"], "text": "秋季新品到店，凭此消息享第二杯半价",
            ])
            async let createB = e2e.createCampaign([
                "name": "会员日 B", "audience": ["segment": "member in (m4, m5, m6, m7, m8, m9)"], "text": "本周六会员日，全场 8 折",
                "attachments": [["msgtype": "link", "link": ["title": "会员日", "url": "https://example.com/day"]]], "deadline_hours": 1,
            ])
            let (a, b) = (try await createA, try await createB)
            #expect(a.0 == .accepted && b.0 == .accepted, "\(a.1) \(b.1)")
            let idA = try #require(a.1["campaign_id"] as? String)
            let idB = try #require(b.1["campaign_id"] as? String)
            // Every one of the 3,000 customers in both audiences is planned by exactly one of them.
            let skipA = try await results(e2e, idA).skipped
            let skipB = try await results(e2e, idB).skipped
            #expect(skipA["platform_cap", default: 0] + skipB["platform_cap", default: 0] == 3_000)

            // Every member sends their part except m9, who never does.
            try await waitDispatched(e2e, idA)
            try await waitDispatched(e2e, idB)
            // 50 of m1's customers remove m1 after the task is created and before m1 sends it;
            // Siyu does not hear of it (no callback).
            let leavers = Array(customersOf["m1"]!.prefix(50))
            for id in leavers { _ = try await e2e.world.customerDeletesMember(corpID: e2e.corpID, externalUserID: id, userID: "m1") }
            try await confirmAll(e2e, except: ["m9"])
            try await waitFor("A finished", in: e2e) { try await state(e2e, idA) == "finished" }
            try await waitFor("B collected except m9", in: e2e) { try await results(e2e, idB).pending == Self.customersPerMember }
            let finishedA = try await results(e2e, idA)
            #expect(finishedA.failed == ["not_friend": 50])
            #expect(finishedA.reached + finishedA.skipped["platform_cap", default: 0] + 50 == 6_000)

            // Day 2: B's deadline passes (m9's task is cancelled and fails); C goes to everyone.
            e2e.clock.advance(by: 86_400)
            try await waitFor("B finished after its deadline", in: e2e) { try await state(e2e, idB) == "finished" }
            let finishedB = try await results(e2e, idB)
            #expect(finishedB.failed["sender_did_not_send"] == Self.customersPerMember)
            #expect(await e2e.world.unsentMassTasks(corpID: e2e.corpID).isEmpty, "m9's expired task was cancelled on the platform")
            let c = try await e2e.createCampaign(["name": "周末福利 C", "audience": ["segment": "status = active"], "text": "周末福利来了"])
            let idC = try #require(c.1["campaign_id"] as? String, "\(c)")
            try await confirmWhenCreated(e2e, idC)
            try await waitFor("C finished", in: e2e) { try await state(e2e, idC) == "finished" }
            let finishedC = try await results(e2e, idC)
            #expect(finishedC.reached == 10_000 - 50)
            #expect(finishedC.failed == ["rejected_by_platform": 50])  // the platform refuses them when the task is created

            // Day 3: D to everyone: whoever had two touches this week is skipped by the brand cap.
            e2e.clock.advance(by: 86_400)
            let d = try await e2e.createCampaign(["name": "新品试饮 D", "audience": ["segment": "status = active"], "text": "新品试饮邀请"])
            let idD = try #require(d.1["campaign_id"] as? String)
            try await confirmWhenCreated(e2e, idD)
            try await waitFor("D finished", in: e2e) { try await state(e2e, idD) == "finished" }
            let finishedD = try await results(e2e, idD)
            #expect(finishedD.skipped["brand_cap"] == 8_000 - 50)  // m1–m8's customers, minus m1's leavers
            #expect(finishedD.reached == 2_000)  // m9's (B never reached them) and m10's

            // The platform's own record: nobody above 1 a day or 2 in any 7 days.
            let receipts = await e2e.world.allReceipts(corpID: e2e.corpID)
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
            var total = 0
            for (recipient, times) in receipts {
                total += times.count
                let days = times.map { calendar.startOfDay(for: Date(timeIntervalSince1970: TimeInterval($0))) }
                #expect(Set(days).count == days.count, "\(recipient) got two in one day")
                let sorted = times.sorted()
                for (i, start) in sorted.enumerated() {
                    #expect(sorted[i...].prefix { $0 < start + 7 * 86_400 }.count <= 2, "\(recipient) got more than 2 in 7 days")
                }
            }
            #expect(total == 2 * (10_000 - 50))
            #expect(leavers.allSatisfy { receipts[$0] == nil })

            // Every recipient of every campaign has a final state and a reason.
            for id in [idA, idB, idC, idD] {
                var cursor: String?
                var seen = 0
                repeat {
                    let path = "/api/v1/campaigns/\(id)/recipients?limit=1000" + (cursor.map { "&cursor=\($0)" } ?? "")
                    let (_, page) = try await e2e.api(.get, path)
                    let items = try #require(page["items"] as? [[String: Any]])
                    for item in items {
                        let state = try #require(RecipientState(rawValue: item["state"] as? String ?? ""))
                        #expect(state.isFinal, "\(id) \(item)")
                        #expect(!(item["reason"] as? String ?? "").isEmpty)
                    }
                    seen += items.count
                    cursor = page["next_cursor"] as? String
                } while cursor != nil
                #expect(seen == (id == idA || id == idB ? 6_000 : 10_000))
            }
        }
    }

    // MARK: Helpers

    struct Totals {
        var reached: Int
        var pending: Int
        var failed: [String: Int]
        var skipped: [String: Int]
    }

    func results(_ e2e: EndToEnd, _ id: String) async throws -> Totals {
        let (_, body) = try await e2e.api(.get, "/api/v1/campaigns/\(id)")
        let totals = try #require((body["results"] as? [String: Any])?["totals"] as? [String: Any], "\(body)")
        return Totals(
            reached: totals["reached"] as? Int ?? -1, pending: totals["pending"] as? Int ?? -1,
            failed: totals["failed"] as? [String: Int] ?? [:], skipped: totals["skipped"] as? [String: Int] ?? [:]
        )
    }

    func state(_ e2e: EndToEnd, _ id: String) async throws -> String? {
        try await e2e.api(.get, "/api/v1/campaigns/\(id)").1["state"] as? String
    }

    /// Members press "send" on every task waiting in their client.
    func confirmAll(_ e2e: EndToEnd, except skipped: Set<String> = []) async throws {
        for task in await e2e.world.unsentMassTasks(corpID: e2e.corpID) where !skipped.contains(task.userID) {
            _ = try await e2e.world.confirmMassMessage(corpID: e2e.corpID, msgID: task.msgID, userID: task.userID)
        }
    }

    func confirmWhenCreated(_ e2e: EndToEnd, _ id: String) async throws {
        try await waitDispatched(e2e, id)
        try await confirmAll(e2e)
    }

    /// Waits until the campaign's tasks exist and nothing is left planned.
    func waitDispatched(_ e2e: EndToEnd, _ id: String) async throws {
        try await Eventually.wait("\(id) dispatched") {
            let (_, body) = try await e2e.api(.get, "/api/v1/campaigns/\(id)")
            let tasks = body["tasks"] as? [[String: Any]] ?? []
            let planned = try await e2e.api(.get, "/api/v1/campaigns/\(id)/recipients?state=planned&limit=1").1["items"] as? [Any] ?? []
            return !tasks.isEmpty && planned.isEmpty
        } progress: {
            // A stall names the campaign's own state too: its tasks, what is still planned, its last error.
            let (_, body) = try await e2e.api(.get, "/api/v1/campaigns/\(id)")
            let planned = try await e2e.api(.get, "/api/v1/campaigns/\(id)/recipients?state=planned&limit=3").1["items"] ?? []
            return try await e2e.pendingWork() + "; campaign state \(body["state"] ?? "-"), tasks \(body["tasks"] ?? "-"), "
                + "totals \((body["results"] as? [String: Any])?["totals"] ?? "-"), last_error \(body["last_error"] ?? "-"), planned e.g. \(planned)"
        }
    }

    /// Waits for `condition` while Siyu's work keeps moving (see ``Eventually``).
    func waitFor(_ what: String, in e2e: EndToEnd, _ condition: () async throws -> Bool) async throws {
        try await Eventually.wait(what, done: condition) { try await e2e.pendingWork() }
    }
}

@Suite("End to end: campaign operations")
struct CampaignOperationsTests {
    let helper = CampaignTests()

    @Test("bad campaigns are refused with the field; unknown ids are 404; a bad state filter is 400")
    func refusals() async throws {
        try await EndToEnd.run(members: ["m1"]) { e2e in
            let empty = try await e2e.createCampaign(["name": "空", "audience": ["segment": "status = active"], "text": "  "])
            #expect(empty.0 == .unprocessableContent)
            #expect((empty.1["error"] as? [String: Any])?["field"] as? String == "text")
            let link: [String: Any] = ["msgtype": "link", "link": ["title": "t", "url": "https://example.com"]]
            let tooMany = try await e2e.createCampaign([
                "name": "多", "audience": ["segment": "status = active"], "text": "hi", "attachments": Array(repeating: link, count: 10),
            ])
            #expect((tooMany.1["error"] as? [String: Any])?["field"] as? String == "attachments")
            let noURL = try await e2e.createCampaign([
                "name": "链接", "audience": ["segment": "status = active"], "attachments": [["msgtype": "link", "link": ["title": "t"]]],
            ])
            #expect((noURL.1["error"] as? [String: Any])?["field"] as? String == "attachments[0].link.url")
            let badSegment = try await e2e.createCampaign(["name": "坏", "audience": ["segment": "tag \"VIP\" and"], "text": "hi"])
            #expect(badSegment.0 == .unprocessableContent)
            #expect((badSegment.1["error"] as? [String: Any])?["position"] != nil)
            let noGroups = try await e2e.createCampaign(["name": "群", "kind": "group_message", "text": "hi"])
            #expect((noGroups.1["error"] as? [String: Any])?["field"] as? String == "audience")
            let badKind = try await e2e.createCampaign(["name": "类", "kind": "sms", "text": "hi"])
            #expect(badKind.0 == .badRequest)
            #expect(try await e2e.api(.get, "/api/v1/campaigns/cmp_nope").0 == .notFound)
            #expect(try await e2e.api(.post, "/api/v1/campaigns/cmp_nope/cancel").0 == .notFound)
            let ok = try await e2e.createCampaign(["name": "好", "audience": ["segment": "status = active"], "text": "hi"])
            let id = try #require(ok.1["campaign_id"] as? String)
            #expect(try await e2e.api(.get, "/api/v1/campaigns/\(id)/recipients?state=bogus").0 == .badRequest)
            #expect(try await e2e.api(.get, "/api/v1/campaigns").1["items"].map { ($0 as? [Any])?.count } == 1)
        }
    }

    @Test("quiet hours hold recipients; cancel releases their budget; reminders stop at 3 a day; cancel reaches the platform")
    func holdCancelRemind() async throws {
        try await EndToEnd.run(members: ["m1", "m2"]) { e2e in
            for n in 0..<20 { _ = try await e2e.world.customerAdds(corpID: e2e.corpID, userID: n % 2 == 0 ? "m1" : "m2", externalUserID: "wmops\(n)", issueWelcomeCode: false) }
            _ = try await e2e.api(.post, "/api/v1/sync")
            try await e2e.settle()
            // Quiet hours around the sandbox's "now" (China time).
            let minute = Int(e2e.clock.now.timeIntervalSince1970 + 8 * 3600) % 86_400 / 60
            let quiet: [String: Any] = ["start_minute": (minute + 1380) % 1440, "end_minute": (minute + 120) % 1440]
            #expect(try await e2e.api(.put, "/api/v1/contact_policy", ["platform_rule": "1_per_day", "quiet_hours": quiet]).0 == .ok)
            let held = try await e2e.createCampaign(["name": "夜间", "audience": ["segment": "status = active"], "text": "晚安"])
            let heldID = try #require(held.1["campaign_id"] as? String)
            #expect(try await helper.results(e2e, heldID).pending == 0)
            #expect(((held.1["results"] as? [String: Any])?["totals"] as? [String: Any])?["held"] as? Int == 20)
            #expect(try await e2e.api(.post, "/api/v1/campaigns/\(heldID)/cancel").1["cancelled"] as? Bool == true)
            #expect(try await e2e.api(.post, "/api/v1/campaigns/\(heldID)/cancel").0 == .conflict)
            #expect(try await e2e.api(.get, "/api/v1/campaigns/\(heldID)").1["state"] as? String == "cancelled")
            // The released budget is free again: a second campaign holds everyone instead of skipping them.
            let again = try await e2e.createCampaign(["name": "再来", "audience": ["segment": "status = active"], "text": "早安"])
            #expect(((again.1["results"] as? [String: Any])?["totals"] as? [String: Any])?["held"] as? Int == 20)
            _ = try await e2e.api(.post, "/api/v1/campaigns/\(try #require(again.1["campaign_id"] as? String))/cancel")

            // Without quiet hours the tasks go out at once; nobody sends, so remind them.
            #expect(try await e2e.api(.put, "/api/v1/contact_policy", ["platform_rule": "1_per_day"]).0 == .ok)
            let now = try await e2e.createCampaign(["name": "提醒", "audience": ["segment": "status = active"], "text": "新品"])
            let id = try #require(now.1["campaign_id"] as? String)
            try await helper.waitDispatched(e2e, id)
            for _ in 0..<3 {
                let reminded = try await e2e.api(.post, "/api/v1/campaigns/\(id)/remind")
                #expect(reminded.1["reminders"] as? [String: String] == ["m1": "reminded", "m2": "reminded"], "\(reminded)")
            }
            #expect(try await e2e.api(.post, "/api/v1/campaigns/\(id)/remind").0 == .tooManyRequests)
            // m1 sends; then the campaign is cancelled: m2's task is cancelled on the platform too.
            let m1Task = try #require(await e2e.world.unsentMassTasks(corpID: e2e.corpID).first { $0.userID == "m1" })
            _ = try await e2e.world.confirmMassMessage(corpID: e2e.corpID, msgID: m1Task.msgID, userID: "m1")
            #expect(try await e2e.api(.post, "/api/v1/campaigns/\(id)/cancel").0 == .ok)
            #expect(await e2e.world.unsentMassTasks(corpID: e2e.corpID).isEmpty)
            let totals = try await helper.results(e2e, id)
            #expect(totals.reached == 10)
            let (_, detail) = try await e2e.api(.get, "/api/v1/campaigns/\(id)")
            #expect(((detail["results"] as? [String: Any])?["totals"] as? [String: Any])?["cancelled"] as? Int == 10)
            #expect(await e2e.world.allReceipts(corpID: e2e.corpID).count == 10)
            // Deliveries are the segment language's last contact.
            let lastContact = try await e2e.api(.post, "/api/v1/segments/count", ["expression": "last_contact within 7 days"]).1["count"] as? Int
            #expect(lastContact == 10)
            #expect(try await e2e.api(.post, "/api/v1/segments/count", ["expression": "no contact"]).1["count"] as? Int == 10)
        }
    }

    @Test("a group campaign reaches the owner's groups; a moment is published and its id collected")
    func groupsAndMoments() async throws {
        try await EndToEnd.run(members: ["m1", "m2"]) { e2e in
            var groups: [String] = []
            for n in 0..<3 {
                let (chatID, events) = try await e2e.world.createGroup(corpID: e2e.corpID, owner: "m1", name: "门店群\(n)")
                for event in events { try await e2e.deliver(event) }
                groups.append(chatID)
            }
            _ = try await e2e.world.createGroup(corpID: e2e.corpID, owner: "m2", name: "别人的群")  // Siyu hears of it by sync only
            // Customers join 门店群0 (callbacks), one joins and leaves 门店群1.
            var joined: [String] = []
            for n in 0..<4 { joined.append(try await e2e.customerAdds(member: "m1", name: "群友\(n)")) }
            for id in joined { for event in try await e2e.world.customerInGroup(corpID: e2e.corpID, chatID: groups[0], externalUserID: id, joins: true) { try await e2e.deliver(event) } }
            for joins in [true, false] {
                for event in try await e2e.world.customerInGroup(corpID: e2e.corpID, chatID: groups[1], externalUserID: joined[0], joins: joins) { try await e2e.deliver(event) }
            }
            try await e2e.settle()
            func count(_ expression: String) async throws -> Int? {
                try await e2e.api(.post, "/api/v1/segments/count", ["expression": expression]).1["count"] as? Int
            }
            #expect(try await count("group = \"门店群0\"") == 4)
            #expect(try await count("group = \"门店群1\"") == 0)
            #expect(try await e2e.api(.get, "/api/v1/groups").1["items"].map { ($0 as? [Any])?.count } == 3)
            _ = try await e2e.api(.post, "/api/v1/sync")
            try await e2e.settle()
            let listed = try await e2e.api(.get, "/api/v1/groups?owner=m2").1["items"] as? [[String: Any]]
            #expect(listed?.first?["name"] as? String == "别人的群")
            let created = try await e2e.createCampaign(["name": "群发", "kind": "group_message", "audience": ["members": ["m1"]], "text": "群里好"])
            let id = try #require(created.1["campaign_id"] as? String, "\(created)")
            try await helper.confirmWhenCreated(e2e, id)
            try await helper.waitFor("group campaign finished", in: e2e) { try await helper.state(e2e, id) == "finished" }
            #expect(try await helper.results(e2e, id).reached == 3)
            let receipts = await e2e.world.allReceipts(corpID: e2e.corpID)
            #expect(Set(receipts.keys) == Set(groups))
            // Groups by chat id: a chat that is not one of the corp's is refused naming the field; a repeat counts once.
            let unknown = try await e2e.createCampaign([
                "name": "指定群", "kind": "group_message", "audience": ["chat_ids": [groups[1], "wrnotagroup"]], "text": "hi",
            ])
            #expect(unknown.0 == .unprocessableContent)
            #expect((unknown.1["error"] as? [String: Any])?["field"] as? String == "audience.chat_ids")
            let byID = try await e2e.createCampaign([
                "name": "指定群", "kind": "group_message", "audience": ["chat_ids": [groups[1], groups[1]]], "text": "hi",
            ])
            let byIDTotals = try #require((byID.1["results"] as? [String: Any])?["totals"] as? [String: Any], "\(byID)")
            #expect(byIDTotals["recipients"] as? Int == 1)
            _ = try await e2e.api(.post, "/api/v1/campaigns/\(try #require(byID.1["campaign_id"] as? String))/cancel")

            let moment = try await e2e.createCampaign([
                "name": "朋友圈", "kind": "moment", "audience": ["members": ["m1", "m2"]], "text": "新店开业",
                "attachments": [["msgtype": "image", "image": ["media_id": "MEDIA1"]]],
            ])
            let momentID = try #require(moment.1["campaign_id"] as? String, "\(moment)")
            try await helper.waitFor("moment published", in: e2e) { try await helper.state(e2e, momentID) == "finished" }
            let detail = try await e2e.api(.get, "/api/v1/campaigns/\(momentID)").1
            #expect((detail["moment_id"] as? String)?.isEmpty == false)
            #expect(detail["last_error"] == nil)
        }
    }
    @Test("a refused task fails its recipients with api_error and frees their budget; a busy platform is retried without a second task")
    func platformFaults() async throws {
        try await EndToEnd.run(members: ["m1", "m2"]) { e2e in
            for n in 0..<20 { _ = try await e2e.world.customerAdds(corpID: e2e.corpID, userID: n < 10 ? "m1" : "m2", externalUserID: "wmfault\(n)", issueWelcomeCode: false) }
            _ = try await e2e.api(.post, "/api/v1/sync")
            try await e2e.settle()
            #expect(try await e2e.api(.put, "/api/v1/contact_policy", ["platform_rule": "1_per_day"]).0 == .ok)

            // The first add_msg_template (m1's, senders go in order) is refused.
            await e2e.world.injectFault(path: "externalcontact/add_msg_template", errcode: 40058, count: 1)
            let first = try await e2e.createCampaign(["name": "拒绝", "audience": ["segment": "status = active"], "text": "hi"])
            let firstID = try #require(first.1["campaign_id"] as? String)
            try await helper.waitFor("m2's task", in: e2e) { await e2e.world.unsentMassTasks(corpID: e2e.corpID).count == 1 }
            try await helper.confirmAll(e2e)
            try await helper.waitFor("finished", in: e2e) { try await helper.state(e2e, firstID) == "finished" }
            let totals = try await helper.results(e2e, firstID)
            #expect(totals.failed == ["api_error": 10])
            #expect(totals.reached == 10)
            #expect((try await e2e.api(.get, "/api/v1/campaigns/\(firstID)").1["last_error"] as? String)?.contains("40058") == true)
            // m1's customers got nothing, so today's budget is still theirs; m2's is spent.
            let second = try await e2e.createCampaign(["name": "补发", "audience": ["segment": "status = active"], "text": "hi"])
            let secondTotals = try #require((second.1["results"] as? [String: Any])?["totals"] as? [String: Any])
            #expect(secondTotals["pending"] as? Int == 10)
            #expect(secondTotals["skipped"] as? [String: Int] == ["platform_cap": 10])
            let secondID = try #require(second.1["campaign_id"] as? String)
            try await helper.waitDispatched(e2e, secondID)
            try await helper.confirmAll(e2e)
            try await helper.waitFor("second finished", in: e2e) { try await helper.state(e2e, secondID) == "finished" }

            // Next day the platform is busy twice: the client backs off and retries; one task per sender.
            e2e.clock.advance(by: 86_400)
            let before = await e2e.world.massMessageIDs(corpID: e2e.corpID).count
            await e2e.world.injectFault(path: "externalcontact/add_msg_template", errcode: 45033, count: 2)
            let third = try await e2e.createCampaign(["name": "忙", "audience": ["segment": "status = active"], "text": "hi"])
            let thirdID = try #require(third.1["campaign_id"] as? String)
            try await helper.waitDispatched(e2e, thirdID)
            #expect(await e2e.world.massMessageIDs(corpID: e2e.corpID).count == before + 2)
            try await helper.confirmAll(e2e)
            try await helper.waitFor("third finished", in: e2e) { try await helper.state(e2e, thirdID) == "finished" }
            #expect(try await helper.results(e2e, thirdID).reached == 20)
            #expect(await e2e.world.allReceipts(corpID: e2e.corpID).values.allSatisfy { $0.count == 2 })
        }
    }
    @Test("recipients held for quiet hours go out when the quiet hours end")
    func heldUntilQuietHoursEnd() async throws {
        try await EndToEnd.run(members: ["m1"]) { e2e in
            for n in 0..<5 { _ = try await e2e.world.customerAdds(corpID: e2e.corpID, userID: "m1", externalUserID: "wmquiet\(n)", issueWelcomeCode: false) }
            _ = try await e2e.api(.post, "/api/v1/sync")
            try await e2e.settle()
            // 40 s before a minute ends (China time); quiet hours end with that minute. Siyu's clock
            // runs on from the pin in real time, so the margin covers a slow planning job on a busy machine.
            let now = e2e.clock.now.timeIntervalSince1970
            e2e.clock.pin(at: Date(timeIntervalSince1970: now - now.truncatingRemainder(dividingBy: 60) + 20))
            let minute = Int(e2e.clock.now.timeIntervalSince1970 + 8 * 3600) % 86_400 / 60
            let quiet: [String: Any] = ["start_minute": (minute + 1380) % 1440, "end_minute": (minute + 1) % 1440]
            #expect(try await e2e.api(.put, "/api/v1/contact_policy", ["platform_rule": "1_per_day", "quiet_hours": quiet]).0 == .ok)
            let created = try await e2e.createCampaign(["name": "早安", "audience": ["segment": "status = active"], "text": "早安"])
            let id = try #require(created.1["campaign_id"] as? String)
            #expect(((created.1["results"] as? [String: Any])?["totals"] as? [String: Any])?["held"] as? Int == 5)
            try await Task.sleep(for: .seconds(1))
            #expect(await e2e.world.unsentMassTasks(corpID: e2e.corpID).isEmpty, "nothing goes out during quiet hours")
            e2e.clock.advance(by: 45)
            try await helper.waitFor("the held task", in: e2e) { await e2e.world.unsentMassTasks(corpID: e2e.corpID).count == 1 }
            try await helper.confirmAll(e2e)
            try await helper.waitFor("finished", in: e2e) { try await helper.state(e2e, id) == "finished" }
            #expect(try await helper.results(e2e, id).reached == 5)
        }
    }
}
