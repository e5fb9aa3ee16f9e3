import Foundation
import SiyuCore
import SiyuStore
import SiyuTestSupport
import Testing

@Suite("Customers: lists, counts, channel statistics, directory")
struct CustomerQueryTests {
    typealias F = CustomerFixtures

    /// Five customers of three members through two channels: active, lost and deleted.
    ///
    /// | customer | name | member | channel | added | tags | end |
    /// | wm01 | 张三 | m1 | chnA | day 1 | VIP | |
    /// | wm02 | 李四 | m2 | chnB | day 2 | new | |
    /// | wm03 | 王五 | m1 | — | day 3 | | lost day 4 |
    /// | wm04 | Lily (remark 张总介绍) | m2 | chnA | day 4 | VIP, new | |
    /// | wm05 | 赵六 | m3 | — | day 5 | | deleted day 6 |
    static func seed(_ store: SiyuStore) async throws {
        try await F.channel(store, "chnA", state: "sA")
        try await F.channel(store, "chnB", state: "sB")
        try await store.directory.replaceMembers(
            corpID: F.corpID,
            departments: [DepartmentRecord(departmentID: 1, name: "总部", parentID: 0), DepartmentRecord(departmentID: 2, name: "门店", parentID: 1)],
            members: [MemberRecord(userID: "m1", name: "一号", departments: [1, 2]), MemberRecord(userID: "m2", name: "二号", departments: [3]),
                      MemberRecord(userID: "m3", name: "三号", departments: [12])], now: Date()
        )
        try await F.add(store, "wm01", member: "m1", state: "sA", at: F.at(day: 1), name: "张三", tags: ["tagVIP"])
        try await F.add(store, "wm02", member: "m2", state: "sB", at: F.at(day: 2), name: "李四", tags: ["tagNew"])
        try await F.add(store, "wm03", member: "m1", at: F.at(day: 3), name: "王五")
        try await F.end(store, "wm03", member: "m1", .customerDeletedMember, at: F.at(day: 4))
        try await F.add(store, "wm04", member: "m2", state: "sA", at: F.at(day: 4), name: "Lily", remark: "张总介绍", tags: ["tagVIP", "tagNew"])
        try await F.add(store, "wm05", member: "m3", at: F.at(day: 5), name: "赵六")
        try await F.end(store, "wm05", member: "m3", .memberDeletedCustomer, at: F.at(day: 6))
    }

    @Test("filters by tag, channel, member, department, status, keyword and add time, alone and together", arguments: TestDatabases.flavors)
    func filters(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            try await Self.seed(store)
            func list(_ configure: (inout CustomerQuery) -> Void) async throws -> [String] {
                F.ids(try await store.customers.list(corpID: F.corpID, F.query(configure)))
            }
            #expect(try await list { _ in } == ["wm01", "wm02", "wm03", "wm04", "wm05"])
            #expect(try await list { $0.tagIDs = ["tagVIP"] } == ["wm01", "wm04"])
            #expect(try await list { $0.tagIDs = ["tagNew", "tagNone"] } == ["wm02", "wm04"])
            #expect(try await list { $0.channelID = "chnA" } == ["wm01", "wm04"])
            #expect(try await list { $0.channelID = "chnZ" } == [])
            #expect(try await list { $0.userID = "m1" } == ["wm01", "wm03"], "a member's customers in any status")
            #expect(try await list { $0.departmentID = 2 } == ["wm01", "wm03"])
            #expect(try await list { $0.departmentID = 1 } == ["wm01", "wm03"], "department 1 is not department 12")
            #expect(try await list { $0.departmentID = 12 } == ["wm05"])
            #expect(try await list { $0.status = .active } == ["wm01", "wm02", "wm04"])
            #expect(try await list { $0.status = .lost } == ["wm03"])
            #expect(try await list { $0.status = .deleted } == ["wm05"])
            #expect(try await list { $0.keyword = "张" } == ["wm01", "wm04"], "name or a member's remark")
            #expect(try await list { $0.keyword = " 李四 " } == ["wm02"])
            #expect(try await list { $0.keyword = "没有这个人" } == [])
            #expect(try await list { $0.addedAfter = F.at(day: 2) } == ["wm02", "wm03", "wm04", "wm05"])
            #expect(try await list { $0.addedBefore = F.at(day: 3) } == ["wm01", "wm02"])
            #expect(try await list { $0.addedAfter = F.at(day: 2); $0.addedBefore = F.at(day: 4) } == ["wm02", "wm03"])
            #expect(try await list { $0.status = .active; $0.channelID = "chnA"; $0.keyword = "张"; $0.tagIDs = ["tagNew"] } == ["wm04"])
        }
    }

    @Test("summaries carry status, active members, channels and tags; the cursor pages without gaps or repeats", arguments: TestDatabases.flavors)
    func summariesAndPaging(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            try await Self.seed(store)
            let all = try await store.customers.list(corpID: F.corpID, CustomerQuery())
            let byID = Dictionary(uniqueKeysWithValues: all.map { ($0.externalUserID, $0) })
            #expect(byID["wm01"] == CustomerSummary(
                externalUserID: "wm01", name: "张三", avatar: "", gender: 0, firstAddedAt: F.at(day: 1), status: .active,
                members: ["m1"], channelIDs: ["chnA"], tagIDs: ["tagVIP"]
            ))
            #expect(byID["wm03"]?.status == .lost)
            #expect(byID["wm03"]?.members == [])
            #expect(byID["wm05"]?.status == .deleted)
            #expect(byID["wm04"]?.tagIDs == ["tagNew", "tagVIP"])

            var pages: [[String]] = []
            var query = F.query { $0.limit = 2 }
            while true {
                let page = try await store.customers.list(corpID: F.corpID, query)
                if page.isEmpty { break }
                pages.append(F.ids(page))
                query.cursor = page.last?.externalUserID
            }
            #expect(pages == [["wm01", "wm02"], ["wm03", "wm04"], ["wm05"]])
            let filtered = try await store.customers.list(corpID: F.corpID, F.query { $0.status = .active; $0.cursor = "wm01"; $0.limit = 1 })
            #expect(F.ids(filtered) == ["wm02"])

            let counts = try await store.customers.counts(corpID: F.corpID)
            #expect(counts == [
                "customers": 5, "customers_active": 3, "relations_active": 3, "relations_lost": 1, "relations_deleted": 1,
            ])
            #expect(try await store.customers.list(corpID: "wwSomeoneElse", CustomerQuery()).isEmpty)
            #expect(try await store.customers.counts(corpID: "wwSomeoneElse")["customers"] == 0)
        }
    }

    @Test("lost relations: newest first, with name and channel, since a time, limited; deleted ones are not lost", arguments: TestDatabases.flavors)
    func lostRelations(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            try await Self.seed(store)
            try await F.end(store, "wm01", member: "m1", .customerDeletedMember, at: F.at(day: 8))
            let lost = try await store.customers.lostRelations(corpID: F.corpID, since: nil)
            #expect(lost.map(\.externalUserID) == ["wm01", "wm03"])
            let newest = try #require(lost.first)
            #expect(newest.name == "张三")
            #expect(newest.userID == "m1")
            #expect(newest.channelID == "chnA")
            #expect(newest.addedAt == F.at(day: 1))
            #expect(newest.lostAt == F.at(day: 8))
            #expect(lost.last?.channelID == nil)
            #expect(try await store.customers.lostRelations(corpID: F.corpID, since: F.at(day: 5)).map(\.externalUserID) == ["wm01"])
            #expect(try await store.customers.lostRelations(corpID: F.corpID, since: nil, limit: 1).map(\.externalUserID) == ["wm01"])
        }
    }

    @Test("channel statistics count adds and losses per China day, with each member's share; other channels and deletions stay out", arguments: TestDatabases.flavors)
    func channelStatistics(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            try await F.channel(store, "chnS", state: "sS")
            try await F.channel(store, "chnO", state: "sO")
            try await F.add(store, "wa", member: "m1", state: "sS", at: F.at(day: 0, hour: 0.5))
            try await F.add(store, "wb", member: "m1", state: "sS", at: F.at(day: 0, hour: 23.99))
            try await F.add(store, "wc", member: "m2", state: "sS", at: F.at(day: 1))  // midnight in China, 16:00 UTC the day before
            try await F.add(store, "wd", member: "m2", state: "sS", at: F.at(day: 2, hour: 5))
            try await F.add(store, "we", member: "m1", state: "sO", at: F.at(day: 1, hour: 3))
            try await F.add(store, "wf", member: "m3", state: "sS", at: F.at(day: -1, hour: 20))
            try await F.end(store, "wa", member: "m1", .customerDeletedMember, at: F.at(day: 1, hour: 10))
            try await F.end(store, "wf", member: "m3", .customerDeletedMember, at: F.at(day: 2, hour: 1))
            try await F.end(store, "wd", member: "m2", .memberDeletedCustomer, at: F.at(day: 2, hour: 6))
            try await F.end(store, "we", member: "m1", .customerDeletedMember, at: F.at(day: 2, hour: 7))

            let stats = try await store.channels.statistics(corpID: F.corpID, channelID: "chnS", from: F.at(day: 0, hour: 12), to: F.at(day: 2, hour: 1), calendar: .platform)
            #expect(stats.days == [
                ChannelDay(day: "2024-03-01", adds: 2, losses: 0),
                ChannelDay(day: "2024-03-02", adds: 1, losses: 1),
                ChannelDay(day: "2024-03-03", adds: 1, losses: 1),
            ])
            #expect(stats.memberAdds == ["m1": 2, "m2": 2], "wf was added before the period")
            #expect(stats.totalAdds == 4)
            #expect(stats.totalLosses == 2, "wf's loss is in the period though its add is not; wd was deleted, not lost")
            #expect(stats.days.map(\.net) == [2, 0, 0])

            let oneDay = try await store.channels.statistics(corpID: F.corpID, channelID: "chnS", from: F.at(day: 1, hour: 23), to: F.at(day: 1, hour: 23), calendar: .platform)
            #expect(oneDay.days == [ChannelDay(day: "2024-03-02", adds: 1, losses: 1)])

            #expect(try await store.channels.adds(corpID: F.corpID, channelID: "chnS", since: F.at(day: 1)) == ["m2": 2])
            #expect(try await store.channels.adds(corpID: F.corpID, channelID: "chnS", since: F.at(day: 0)) == ["m1": 2, "m2": 2])
            #expect(try await store.channels.adds(corpID: F.corpID, channelID: "chnO", since: F.at(day: 0)) == ["m1": 1])
        }
    }

    @Test("a deleted channel keeps its attribution; a second channel with the same state is refused", arguments: TestDatabases.flavors)
    func channelLifecycle(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            try await F.channel(store, "chnX", state: "sX")
            await #expect(throws: StoreError.self) { try await F.channel(store, "chnY", state: "sX") }
            #expect(try await store.channels.delete(corpID: F.corpID, channelID: "chnX", actor: "test", now: Date()))
            #expect(try await store.channels.delete(corpID: F.corpID, channelID: "chnX", actor: "test", now: Date()) == false)
            #expect(try await store.channels.find(corpID: F.corpID, channelID: "chnX") == nil)
            #expect(try await store.channels.list(corpID: F.corpID).isEmpty)
            let outcome = try await F.add(store, "wmLate", member: "m1", state: "sX", at: F.at(day: 3))
            #expect(outcome.channels == ["m1": "chnX"])
        }
    }

    @Test("replaceTags makes the tags exactly the platform's and drops customer tags of vanished tags; removeTags takes a group with its tags", arguments: TestDatabases.flavors)
    func directoryTags(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            let source = TagGroup(groupID: "g1", name: "来源", order: 2, tags: [Tag(tagID: "t1", name: "门店", order: 1), Tag(tagID: "t2", name: "官网")])
            let level = TagGroup(groupID: "g2", name: "等级", order: 1, tags: [Tag(tagID: "t3", name: "金卡")])
            #expect(try await store.directory.replaceTags(corpID: F.corpID, groups: [source, level], now: Date()) == 2)
            #expect(try await store.directory.tagGroups(corpID: F.corpID) == [source, level])
            #expect(try await store.directory.replaceTags(corpID: F.corpID, groups: [source, level], now: Date()) == 0, "nothing changed")
            try await F.add(store, "wmT", member: "m1", at: F.at(day: 0), tags: ["t1", "t2", "t3"])

            var renamed = source
            renamed.tags = [Tag(tagID: "t1", name: "线下门店", order: 1)]
            #expect(try await store.directory.replaceTags(corpID: F.corpID, groups: [renamed, level], now: Date()) == 1)
            #expect(try await store.directory.tagGroups(corpID: F.corpID) == [renamed, level])
            #expect(Set(try await store.customers.profile(corpID: F.corpID, externalUserID: "wmT")?.relations.first?.tagIDs ?? []) == ["t1", "t3"])

            try await store.directory.removeTags(corpID: F.corpID, tagIDs: [], groupIDs: ["g2"], actor: "test", now: Date())
            #expect(try await store.directory.tagGroups(corpID: F.corpID) == [renamed])
            try await store.directory.removeTags(corpID: F.corpID, tagIDs: ["t1"], groupIDs: [], actor: "test", now: Date())
            #expect(try await store.directory.tagGroups(corpID: F.corpID) == [], "a group without tags goes too")
            #expect(try await store.customers.profile(corpID: F.corpID, externalUserID: "wmT")?.relations.first?.tagIDs == [])
        }
    }

    @Test("replaceMembers reports what changed, deactivates members who left and keeps departments exact", arguments: TestDatabases.flavors)
    func directoryMembers(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { (store: SiyuStore) async throws in
            let departments = [DepartmentRecord(departmentID: 1, name: "总部", parentID: 0)]
            let m1 = MemberRecord(userID: "m1", name: "一号", departments: [1])
            let m2 = MemberRecord(userID: "m2", name: "二号", departments: [1])
            #expect(try await store.directory.replaceMembers(corpID: F.corpID, departments: departments, members: [m1, m2], now: Date()) == 2)
            #expect(try await store.directory.replaceMembers(corpID: F.corpID, departments: departments, members: [m1, m2], now: Date()) == 0)
            var renamed = m1
            renamed.name = "壹号"
            #expect(try await store.directory.replaceMembers(corpID: F.corpID, departments: departments, members: [renamed], now: Date()) == 2, "one renamed, one left")
            #expect(try await store.directory.members(corpID: F.corpID) == [renamed])
            #expect(try await store.directory.memberName(corpID: F.corpID, userID: "m2") == "二号", "a member who left keeps a name for history")
            #expect(try await store.directory.replaceMembers(corpID: F.corpID, departments: departments, members: [renamed, m2], now: Date()) == 1, "back again")
        }
    }

    @Test("the console's reads: sorted pages with a total, lost relations by member and channel, a customer's groups, touches and paid totals, departments", arguments: TestDatabases.flavors)
    func consoleReads(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            try await Self.seed(store)
            func list(_ configure: (inout CustomerQuery) -> Void) async throws -> [String] {
                F.ids(try await store.customers.list(corpID: F.corpID, F.query(configure)))
            }
            #expect(try await list { $0.sort = .addedNewest } == ["wm05", "wm04", "wm03", "wm02", "wm01"])
            #expect(try await list { $0.sort = .addedOldest; $0.limit = 2; $0.offset = 2 } == ["wm03", "wm04"])
            #expect(try await store.customers.count(corpID: F.corpID, F.query { $0.status = .active; $0.limit = 1 }) == 3)
            _ = try await store.orders.upsert(corpID: F.corpID, [
                Order(orderID: "o1", externalUserID: "wm02", amountFen: 900, orderedAt: F.at(day: 3)),
                Order(orderID: "o2", externalUserID: "wm04", amountFen: 100, orderedAt: F.at(day: 4)),
                Order(orderID: "o3", externalUserID: "wm04", amountFen: 5000, status: .refunded, orderedAt: F.at(day: 4)),
            ], now: Date())
            #expect(try await list { $0.sort = .orders }.prefix(2) == ["wm02", "wm04"], "by paid value")
            #expect(try await list { $0.sort = .lastInteraction }.first == "wm05", "the latest timeline entry first")
            let totals = try await store.orders.totals(corpID: F.corpID, externalUserIDs: ["wm04", "wm01"])
            #expect(totals.count == 1 && totals["wm04"]?.amountFen == 100)

            #expect(try await store.customers.lostRelations(corpID: F.corpID, since: nil, userID: "m1").map(\.externalUserID) == ["wm03"])
            #expect(try await store.customers.lostRelations(corpID: F.corpID, since: nil, userID: "m2").isEmpty)
            #expect(try await store.customers.lostRelations(corpID: F.corpID, since: nil, channelID: "chnA").isEmpty)
            #expect(try await store.customers.lostRelations(corpID: F.corpID, since: nil, until: F.at(day: 3)).isEmpty)

            try await store.groups.upsert(corpID: F.corpID, chatID: "wr1", name: "一群", owner: "m1", notice: nil, createdAt: F.at(day: 1), members: [
                GroupStore.Member(memberID: "wm01", type: 2, joinedAt: F.at(day: 2)), GroupStore.Member(memberID: "m1", type: 1, joinedAt: F.at(day: 1)),
            ], now: Date())
            try await store.groups.upsert(corpID: F.corpID, chatID: "wr2", name: "二群", owner: "m2", notice: nil, createdAt: F.at(day: 1), members: [], now: Date())
            #expect(try await store.groups.groups(corpID: F.corpID, memberID: "wm01").map(\.chatID) == ["wr1"])
            #expect(try await store.groups.find(corpID: F.corpID, chatID: "wr2")?.name == "二群")
            #expect(try await store.groups.members(corpID: F.corpID, chatID: "wr1").map(\.memberID) == ["m1", "wm01"])
            #expect(try await store.customers.names(corpID: F.corpID, externalUserIDs: ["wm01", "wm04", "nobody"]) == ["wm01": "张三", "wm04": "Lily"])

            try await store.contacts.record(corpID: F.corpID, touches: [("wm01", .massMessage, F.at(day: 5), "cmp1"), ("wm02", .moment, F.at(day: 5), nil)])
            let touches = try await store.contacts.touches(corpID: F.corpID, externalUserID: "wm01", since: F.at(day: 0))
            #expect(touches.count == 1 && touches.first?.campaignID == "cmp1" && touches.first?.channel == .massMessage)
            #expect(try await store.contacts.touches(corpID: F.corpID, externalUserID: "nobody", since: F.at(day: 0)).isEmpty)
            #expect(try await store.directory.departments(corpID: F.corpID)[2]?.name == "门店")
            #expect(try await store.directory.hasMembers(corpID: F.corpID))
            #expect(try await store.directory.hasMembers(corpID: "wwNobody") == false)
        }
    }
}
