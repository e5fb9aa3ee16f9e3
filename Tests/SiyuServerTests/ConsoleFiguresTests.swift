import Foundation
import SiyuCore
import SiyuStore
import Testing

@testable import SiyuServer

/// The dashboard, the channel list and a channel's page show one definition of each figure.
@Suite("Console: the same figure agrees on every page")
struct ConsoleFiguresTests {
    /// Every `data-figure` value on a page, keyed by `data-channel` (or "" when the element names none).
    static func figures(_ html: String, _ name: String) -> [String: Int] {
        var found: [String: Int] = [:]
        let pattern = try! NSRegularExpression(pattern: #"<[^>]*?(?:data-channel="([^"]*)" )?data-figure="\#(name)"[^>]*>(-?\d+)<"#)
        for match in pattern.matches(in: html, range: NSRange(html.startIndex..., in: html)) {
            let channel = Range(match.range(at: 1), in: html).map { String(html[$0]) } ?? ""
            found[channel] = Int(html[Range(match.range(at: 2), in: html)!])
        }
        return found
    }

    @Test("30-day adds and losses per channel: dashboard = channel list = channel page = the fixture's count")
    func agree() async throws {
        try await ConsoleTestServer.run { fixture in
            let admin = try await fixture.adminWithCorp()
            let store = fixture.store, corpID = "wwA1", now = Date()
            let calendar = try await store.contacts.calendar(corpID: corpID)
            for (id, state) in [("chn_store", "st1"), ("chn_mall", "st2")] {
                _ = try await store.channels.create(corpID: corpID, Channel(
                    channelID: id, name: id == "chn_store" ? "门店" : "商场", state: state, configID: nil, qrCode: nil,
                    settings: ChannelSettings(members: ["m1", "m2"]), activeMembers: ["m1", "m2"], createdAt: now, updatedAt: now
                ), actor: "t")
            }
            // Adds spread over 45 days (some before the period), a customer who added two members
            // through one code, and relations the customer ended inside and before the period.
            let period = ReportPeriod(lastDays: 30, endingAt: now, calendar: calendar)
            var expectedAdds: [String: Int] = [:], expectedLosses: [String: Int] = [:]
            for index in 0..<40 {
                let state = index % 3 == 0 ? "st2" : "st1", channel = state == "st2" ? "chn_mall" : "chn_store"
                let addedAt = now.addingTimeInterval(-Double(index) * 86400 * 1.1 - 60)
                let members = index % 7 == 0 ? ["m1", "m2"] : ["m1"]
                let relations = members.map { RelationFacts(userID: $0, state: state, addWay: 1, addedAt: addedAt, tagIDs: []) }
                _ = try await store.customers.reconcile(corpID: corpID, ContactObservation(
                    externalUserID: "wm\(index)", event: .added, userID: "m1", state: state, at: addedAt,
                    customer: CustomerFacts(externalUserID: "wm\(index)", name: "客户\(index)"), relations: relations
                ), now: now)
                if addedAt >= period.start { expectedAdds[channel, default: 0] += members.count }
                if index % 5 == 1 {
                    let endedAt = addedAt.addingTimeInterval(3600)
                    _ = try await store.customers.reconcile(corpID: corpID, ContactObservation(
                        externalUserID: "wm\(index)", event: .customerDeletedMember, userID: "m1", state: nil, at: endedAt,
                        customer: members.count > 1 ? CustomerFacts(externalUserID: "wm\(index)", name: "客户\(index)") : nil,
                        relations: Array(relations.dropFirst())
                    ), now: now)
                    if endedAt >= period.start && endedAt < period.end { expectedLosses[channel, default: 0] += 1 }
                }
            }
            #expect(expectedAdds["chn_store"] ?? 0 > 0 && expectedAdds["chn_mall"] ?? 0 > 0 && expectedLosses["chn_store"] ?? 0 > 0)

            let dashboard = try await admin.get("/console/dashboard").text
            let list = try await admin.get("/console/channels").text
            for channel in ["chn_store", "chn_mall"] {
                let page = try await admin.get("/console/channels/\(channel)").text
                #expect(Self.figures(dashboard, "channel-adds")[channel] == expectedAdds[channel], "\(channel) dashboard")
                #expect(Self.figures(list, "channel-adds")[channel] == expectedAdds[channel], "\(channel) list")
                #expect(Self.figures(page, "channel-adds")[""] == expectedAdds[channel], "\(channel) page")
                #expect(Self.figures(dashboard, "channel-losses")[channel] == expectedLosses[channel, default: 0], "\(channel) dashboard losses")
                #expect(Self.figures(list, "channel-losses")[channel] == expectedLosses[channel, default: 0], "\(channel) list losses")
                #expect(Self.figures(page, "channel-losses")[""] == expectedLosses[channel, default: 0], "\(channel) page losses")
            }
            // The brand's new customers: people whose first add is in the period, as the customer list counts them.
            let firstAdds = (0..<40).filter { now.addingTimeInterval(-Double($0) * 86400 * 1.1 - 60) >= period.start }.count
            #expect(Self.figures(dashboard, "new-period")[""] == firstAdds)
            // The list's CSV carries the same figures, with names beside ids.
            var csv = try await admin.get("/console/channels.csv").text
            csv.removeFirst()
            let rows = try CSV.decode(csv)
            let store_ = try #require(rows.first { $0[0] == "chn_store" })
            #expect(store_[1] == "门店" && store_[5] == String(expectedAdds["chn_store"] ?? 0))
            #expect(try await admin.get("/console/channels?q=商场").text.contains(#"data-total="1""#))
            // Today is marked as partial in the charts.
            #expect(dashboard.contains("今天，尚未结束"))
        }
    }
}
