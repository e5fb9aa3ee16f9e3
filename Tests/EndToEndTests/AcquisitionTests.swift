import Foundation
import Hummingbird
import SiyuCore
import SiyuStore
import Testing
import WeCom
import WeComSandbox

@Suite("End to end: acquisition through channel codes", .serialized)
struct AcquisitionTests {
    @Test("1,000 customers through 3 channels, redelivered and reordered, 50 lost: every count, attribution, auto-tag and welcome is right")
    func thousandCustomers() async throws {
        try await EndToEnd.run { e2e in
            // Tags, then three channel codes with an auto-tag and a welcome message each.
            let (tagStatus, tagBody) = try await e2e.api(.post, "/api/v1/tag_groups", ["name": "来源", "tags": ["门店", "官网", "包裹卡"]])
            #expect(tagStatus == .created)
            let tagIDs = try #require(((tagBody["tag_groups"] as? [[String: Any]])?.first?["tags"] as? [[String: Any]])?.compactMap { $0["tag_id"] as? String })
            #expect(tagIDs.count == 3)
            var channels: [(id: String, configID: String, tag: String)] = []
            for (index, name) in ["门店扫码", "官网", "包裹卡"].enumerated() {
                let (status, body) = try await e2e.api(.post, "/api/v1/channels", [
                    "name": name, "members": ["m\(2 * index + 1)", "m\(2 * index + 2)"], "auto_tag_ids": [tagIDs[index]],
                    "welcome": ["text": "您好{nickname}，我是{member}，欢迎来到\(name)！", "attachments": [["type": "link", "title": "新人礼", "url": "https://example.com/gift"]]],
                ])
                #expect(status == .created, "\(body)")
                channels.append((try #require(body["channel_id"] as? String), try #require(body["config_id"] as? String), tagIDs[index]))
            }

            // 1,000 customers scan the codes. Every 10th event is delivered twice; each block of
            // 20 is delivered in reverse order.
            var added: [(customer: String, member: String, channel: Int)] = []
            var block: [SandboxEvent] = []
            for index in 0..<1000 {
                let channel = index % 3
                let (customer, events) = try await e2e.world.customerAdds(corpID: e2e.corpID, configID: channels[channel].configID)
                added.append((customer.externalUserID, customer.userID, channel))
                #expect(customer.welcomeCode != nil)
                block += events
                if index % 10 == 0 { block += events }
                if block.count >= 20 || index == 999 {
                    for event in block.reversed() { try await e2e.deliver(event) }
                    block = []
                }
            }
            try await e2e.settle()

            // 50 of them delete their member; half of those deletions are delivered twice.
            let leavers = Array(added.prefix(50))
            for (offset, leaver) in leavers.enumerated() {
                let events = try await e2e.world.customerDeletesMember(corpID: e2e.corpID, externalUserID: leaver.customer, userID: leaver.member)
                for event in events { try await e2e.deliver(event) }
                if offset % 2 == 0 { for event in events { try await e2e.deliver(event) } }
            }
            try await e2e.settle()

            let (_, counts) = try await e2e.api(.get, "/api/v1/customer_counts")
            let numbers = try #require(counts["counts"] as? [String: Int])
            #expect(numbers["customers"] == 1000)
            #expect(numbers["customers_active"] == 950)
            #expect(numbers["relations_active"] == 950)
            #expect(numbers["relations_lost"] == 50)

            let (_, active) = try await e2e.api(.get, "/api/v1/customers?status=active&limit=1000")
            #expect((active["customers"] as? [Any])?.count == 950)
            let (_, lost) = try await e2e.api(.get, "/api/v1/customers?status=lost&limit=1000")
            let lostIDs = Set(((lost["customers"] as? [[String: Any]]) ?? []).compactMap { $0["external_userid"] as? String })
            #expect(lostIDs == Set(leavers.map(\.customer)))
            let (_, lostList) = try await e2e.api(.get, "/api/v1/lost_customers?limit=1000")
            #expect((lostList["lost"] as? [Any])?.count == 50)

            // Attribution per channel: adds, losses and members' shares.
            for (index, channel) in channels.enumerated() {
                let (_, stats) = try await e2e.api(.get, "/api/v1/channels/\(channel.id)/stats")
                let expectedAdds = added.filter { $0.channel == index }.count
                let expectedLosses = leavers.filter { $0.channel == index }.count
                #expect(stats["total_adds"] as? Int == expectedAdds, "channel \(index)")
                #expect(stats["total_losses"] as? Int == expectedLosses, "channel \(index)")
                let shares = try #require(stats["member_adds"] as? [String: Int])
                #expect(Set(shares.keys) == ["m\(2 * index + 1)", "m\(2 * index + 2)"])
                #expect(shares.values.reduce(0, +) == expectedAdds)
            }

            // The sandbox's own record: auto-tags on every relation, a welcome for every code.
            var untagged = 0
            for entry in added {
                let snapshot = try #require(await e2e.world.customerSnapshot(corpID: e2e.corpID, externalUserID: entry.customer))
                let relation = snapshot.relations.first { $0.userID == entry.member }
                if leavers.contains(where: { $0.customer == entry.customer }) {
                    #expect(relation == nil)
                } else if relation?.tagIDs.contains(channels[entry.channel].tag) != true {
                    untagged += 1
                }
            }
            #expect(untagged == 0)
            let welcomes = await e2e.world.welcomes(corpID: e2e.corpID)
            #expect(Set(welcomes.map(\.externalUserID)) == Set(added.map(\.customer)))
            #expect(welcomes.count == 1000, "one welcome each, none twice")
            #expect(welcomes.first?.text?.contains("欢迎来到") == true)
            #expect(welcomes.first?.attachmentCount == 1)

            // Nothing lost, nothing duplicated in the inbox.
            let inbox = try await e2e.store.inbox.backlog()
            #expect(inbox["applied"] == 1050)
            #expect(inbox["pending"] == 0)
            #expect(inbox["failed"] == 0)
        }
    }
}
