import AsyncHTTPClient
import Foundation
import NIOCore
import SiyuCore
import Testing
import WeCom

@testable import WeComSandbox

@Suite("API client against the sandbox")
struct ClientAgainstSandboxTests {
    @Test("a token is fetched once however many callers ask at the same moment")
    func singleFlightToken() async throws {
        try await SandboxHarness.run { ctx in
            try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<25 { group.addTask { try await ctx.client.followUsers() } }
                for try await users in group { #expect(users == SandboxHarness.members) }
            }
            #expect(await ctx.world.tokensIssued[SandboxHarness.corp.corpID] == 1)
        }
    }

    @Test("a rejected token is dropped and the call retried once with a new one")
    func tokenRefreshOnRejection() async throws {
        try await SandboxHarness.run { ctx in
            _ = try await ctx.client.followUsers()
            await ctx.world.revokeTokens(corpID: SandboxHarness.corp.corpID)
            #expect(try await ctx.client.followUsers() == SandboxHarness.members)
            #expect(await ctx.world.tokensIssued[SandboxHarness.corp.corpID] == 2)
        }
    }

    @Test("busy answers back off and retry; a persistent one surfaces with its errcode")
    func busyBackoff() async throws {
        try await SandboxHarness.run { ctx in
            await ctx.world.injectFault(path: "externalcontact/get_follow_user_list", errcode: 45009, count: 2)
            #expect(try await ctx.client.followUsers() == SandboxHarness.members)
            await ctx.world.injectFault(path: "externalcontact/get_follow_user_list", errcode: -1, count: 10)
            do {
                _ = try await ctx.client.followUsers()
                Issue.record("a persistent busy answer was swallowed")
            } catch let error as WeComAPIError {
                #expect(error.errcode == -1)
                #expect(error.path == "/cgi-bin/externalcontact/get_follow_user_list")
            }
        }
    }

    @Test("a wrong secret is an error carrying errcode and errmsg")
    func wrongSecret() async throws {
        try await SandboxHarness.run { ctx in
            let bad = WeComClient(
                configuration: WeComClientConfiguration(baseURL: "http://127.0.0.1:\(ctx.port)", tokenSource: .wecom(corpID: SandboxHarness.corp.corpID, secret: "nope")),
                logger: SandboxHarness.logger
            )
            do {
                _ = try await bad.followUsers()
                Issue.record("a wrong secret was accepted")
            } catch let error as WeComAPIError {
                #expect(error.errcode == 40001)
                #expect(error.errmsg.contains("invalid credential"))
            }
        }
    }

    @Test("customers, follow relations and cursor walks")
    func customers() async throws {
        try await SandboxHarness.run { ctx in
            let corpID = SandboxHarness.corp.corpID
            var ids: [String] = []
            for index in 0..<130 {
                let (added, _) = try await ctx.world.customerAdds(corpID: corpID, userID: index % 2 == 0 ? "zhangsan" : "lisi")
                ids.append(added.externalUserID)
            }
            _ = try await ctx.world.customerAdds(corpID: corpID, userID: "wangwu", externalUserID: ids[0])
            #expect(try await ctx.client.externalContacts(of: "zhangsan").count == 65)
            let detail = try await ctx.client.externalContactWithAllFollowers(ids[0])
            #expect(detail.externalContact.externalUserID == ids[0])
            #expect(Set(detail.followUser.map(\.userID)) == ["zhangsan", "wangwu"])
            #expect(ids[0].hasPrefix("wm") && ids[0].count == 32)

            let all = try await ctx.client.allExternalContacts(of: ["zhangsan", "lisi", "wangwu"], pageSize: 40)
            #expect(all.count == 131, "130 relations plus wangwu's")
            #expect(Set(all.map(\.externalContact.externalUserID)) == Set(ids))

            await #expect(throws: WeComAPIError.self) { try await ctx.client.externalContact("wmnobody") }
        }
    }

    @Test("corp tags are created, listed, renamed, marked on a relation and deleted")
    func tags() async throws {
        try await SandboxHarness.run { ctx in
            let corpID = SandboxHarness.corp.corpID
            let group = try await ctx.client.addCorpTag(AddCorpTagRequest(groupName: "客户等级", tag: [NewCorpTag(name: "VIP"), NewCorpTag(name: "新客")]))
            #expect(group.tag.map(\.name) == ["VIP", "新客"])
            let vip = group.tag[0].id
            try await ctx.client.editCorpTag(EditCorpTagRequest(id: vip, name: "超级VIP"))
            #expect(try await ctx.client.corpTags().first?.tag.first?.name == "超级VIP")

            let (added, _) = try await ctx.world.customerAdds(corpID: corpID, userID: "zhangsan")
            try await ctx.client.markTag(MarkTagRequest(userID: "zhangsan", externalUserID: added.externalUserID, addTag: [vip]))
            let detail = try await ctx.client.externalContact(added.externalUserID)
            #expect(detail.followUser.first?.tags?.map(\.tagName) == ["超级VIP"])

            do {
                try await ctx.client.markTag(MarkTagRequest(userID: "zhangsan", externalUserID: added.externalUserID, addTag: ["etnosuchtag"]))
                Issue.record("an unknown tag was accepted")
            } catch let error as WeComAPIError {
                #expect(error.errcode == 40068)
            }
            do {
                try await ctx.client.markTag(MarkTagRequest(userID: "lisi", externalUserID: added.externalUserID, addTag: [vip]))
                Issue.record("marked a relation that does not exist")
            } catch let error as WeComAPIError {
                #expect(error.errcode == 84061)
            }

            try await ctx.client.deleteCorpTag(DeleteCorpTagRequest(tagID: [vip]))
            #expect(try await ctx.client.corpTags().first?.tag.map(\.name) == ["新客"])
            #expect(await ctx.world.customerSnapshot(corpID: corpID, externalUserID: added.externalUserID)?.relations.first?.tagIDs == [])
        }
    }

    @Test("contact ways: create, read, update, delete, and the platform's validation")
    func contactWays() async throws {
        try await SandboxHarness.run { ctx in
            let created = try await ctx.client.addContactWay(ContactWay(type: 2, scene: 2, remark: "门店A", state: "store_a", user: ["zhangsan", "lisi"]))
            #expect(created.configID.count == 32)
            #expect(created.qrCode == "http://127.0.0.1:\(ctx.port)/sandbox/corps/\(SandboxHarness.corp.corpID)/contact_ways/\(created.configID)/qr.svg")
            var way = try await ctx.client.contactWay(created.configID)
            #expect(way.state == "store_a")
            #expect(way.skipVerify == true)
            way.remark = "门店A-改"
            try await ctx.client.updateContactWay(way)
            #expect(try await ctx.client.contactWay(created.configID).remark == "门店A-改")

            for bad in [
                ContactWay(type: 1, scene: 2, user: ["zhangsan", "lisi"]),
                ContactWay(type: 2, scene: 2, state: String(repeating: "s", count: 31), user: ["zhangsan"]),
                ContactWay(type: 2, scene: 3, user: ["zhangsan"]),
                ContactWay(type: 2, scene: 2, user: []),
            ] {
                do {
                    _ = try await ctx.client.addContactWay(bad)
                    Issue.record("accepted \(bad)")
                } catch let error as WeComAPIError {
                    #expect(error.errcode == 40058)
                }
            }
            try await ctx.client.deleteContactWay(created.configID)
            await #expect(throws: WeComAPIError.self) { try await ctx.client.contactWay(created.configID) }
        }
    }

    @Test("a contact way's QR code and customers' avatars are SVGs on the sandbox's own server")
    func qrCodeImage() async throws {
        try await SandboxHarness.run { ctx in
            let created = try await ctx.client.addContactWay(ContactWay(type: 2, scene: 2, state: "qr", user: ["zhangsan"]))
            let url = try #require(created.qrCode)
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(5))
            #expect(response.status == .ok)
            #expect(response.headers["Content-Type"].first == "image/svg+xml")
            let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
            let expected = try QRCode(text: SandboxWorld.contactLink(configID: created.configID)).svg()
            #expect(body == expected)
            #expect(SandboxWorld.contactLink(configID: created.configID) == "https://work.weixin.qq.com/ca/\(created.configID)")

            let missing = try await HTTPClient.shared.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(ctx.port)/sandbox/corps/\(SandboxHarness.corp.corpID)/contact_ways/nosuchway/qr.svg"), timeout: .seconds(5)
            )
            #expect(missing.status == .notFound)

            // Customers' avatars load from the sandbox too.
            let (added, _) = try await ctx.world.customerAdds(corpID: SandboxHarness.corp.corpID, configID: created.configID, name: "陈<静>")
            let detail = try await ctx.client.externalContact(added.externalUserID)
            let avatar = try #require(detail.externalContact.avatar)
            #expect(avatar == "http://127.0.0.1:\(ctx.port)/sandbox/corps/\(SandboxHarness.corp.corpID)/customers/\(added.externalUserID)/avatar.svg")
            let image = try await HTTPClient.shared.execute(HTTPClientRequest(url: avatar), timeout: .seconds(5))
            #expect(image.status == .ok)
            #expect(String(buffer: try await image.body.collect(upTo: 1 << 20)).contains(">&gt;</text>"))
        }
    }

    @Test("customers scanning a multi-member way are handed out in turn, with the way's state")
    func rotation() async throws {
        try await SandboxHarness.run { ctx in
            let way = try await ctx.client.addContactWay(ContactWay(type: 2, scene: 2, state: "ch1", user: ["zhangsan", "lisi", "wangwu"]))
            var owners: [String] = []
            for _ in 0..<6 {
                let (added, events) = try await ctx.world.customerAdds(corpID: SandboxHarness.corp.corpID, configID: way.configID)
                owners.append(added.userID)
                #expect(added.state == "ch1")
                #expect(events.first?.fields.contains { $0.name == "State" && $0.value == .text("ch1") } == true)
            }
            #expect(owners == ["zhangsan", "lisi", "wangwu", "zhangsan", "lisi", "wangwu"])
        }
    }
}
