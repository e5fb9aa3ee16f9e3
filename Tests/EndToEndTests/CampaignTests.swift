import Foundation
import SiyuCore
import SiyuServer
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
            async let createA = e2e.api(.post, "/api/v1/campaigns", [
                "name": "新品上市 A", "audience": ["segment": "member in (m1, m2, m3, m4, m5, m6)"], "text": "秋季新品到店，凭此消息享第二杯半价",
            ])
            async let createB = e2e.api(.post, "/api/v1/campaigns", [
                "name": "会员日 B", "audience": ["segment": "member in (m4, m5, m6, m7, m8, m9)"], "text": "本周六会员日，全场 8 折",
                "attachments": [["msgtype": "link", "link": ["title": "会员日", "url": "https://example.com/day"]]], "deadline_hours": 1,
            ])
            let (a, b) = (try await createA, try await createB)
            #expect(a.0 == .created && b.0 == .created, "\(a.1) \(b.1)")
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
            try await waitFor("A finished") { try await state(e2e, idA) == "finished" }
            try await waitFor("B collected except m9") { try await results(e2e, idB).pending == Self.customersPerMember }
            let finishedA = try await results(e2e, idA)
            #expect(finishedA.failed == ["not_friend": 50])
            #expect(finishedA.reached + finishedA.skipped["platform_cap", default: 0] + 50 == 6_000)

            // Day 2: B's deadline passes (m9's task is cancelled and fails); C goes to everyone.
            e2e.clock.advance(by: 86_400)
            try await waitFor("B finished after its deadline") { try await state(e2e, idB) == "finished" }
            let finishedB = try await results(e2e, idB)
            #expect(finishedB.failed["sender_did_not_send"] == Self.customersPerMember)
            #expect(await e2e.world.unsentMassTasks(corpID: e2e.corpID).isEmpty, "m9's expired task was cancelled on the platform")
            let c = try await e2e.api(.post, "/api/v1/campaigns", ["name": "周末福利 C", "audience": ["segment": "status = active"], "text": "周末福利来了"])
            let idC = try #require(c.1["campaign_id"] as? String, "\(c)")
            try await confirmWhenCreated(e2e, idC)
            try await waitFor("C finished") { try await state(e2e, idC) == "finished" }
            let finishedC = try await results(e2e, idC)
            #expect(finishedC.reached == 10_000 - 50)
            #expect(finishedC.failed == ["rejected_by_platform": 50])  // the platform refuses them when the task is created

            // Day 3: D to everyone: whoever had two touches this week is skipped by the brand cap.
            e2e.clock.advance(by: 86_400)
            let d = try await e2e.api(.post, "/api/v1/campaigns", ["name": "新品试饮 D", "audience": ["segment": "status = active"], "text": "新品试饮邀请"])
            let idD = try #require(d.1["campaign_id"] as? String)
            try await confirmWhenCreated(e2e, idD)
            try await waitFor("D finished") { try await state(e2e, idD) == "finished" }
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
        try await waitFor("\(id) dispatched") {
            let (_, body) = try await e2e.api(.get, "/api/v1/campaigns/\(id)")
            let tasks = body["tasks"] as? [[String: Any]] ?? []
            let planned = try await e2e.api(.get, "/api/v1/campaigns/\(id)/recipients?state=planned&limit=1").1["items"] as? [Any] ?? []
            return !tasks.isEmpty && planned.isEmpty
        }
    }

    func waitFor(_ what: String, timeout: Duration = .seconds(180), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out waiting for: \(what)")
        throw CancellationError()
    }
}
