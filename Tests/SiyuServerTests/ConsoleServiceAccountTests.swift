import Foundation
import Hummingbird
import HummingbirdTesting
import SiyuCore
import SiyuStore
import SiyuTestSupport
import Testing
import WeComSandbox

@testable import SiyuServer

/// 服务号 in the console: the account list, followers (figures from stored pushes), a
/// follower's profile, the reply form and the menu editor published to the sandbox's platform.
@Suite("Console: service accounts")
struct ConsoleServiceAccountTests {
    static let corpID = "wwA1"
    static let appID = "wx0123456789abcdef"
    static let secret = "mp-secret-0001"
    static let token = "mpToken42"
    static let aesKey = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"

    static var pages: [String] {
        ["/console/accounts", "/console/accounts/\(appID)/followers", "/console/accounts/\(appID)/replies", "/console/accounts/\(appID)/menu"]
    }

    /// Connects the account to corp `wwA1`, its API calls going to `apiBaseURL` when given.
    static func connect(_ store: SiyuStore, apiBaseURL: String? = nil, secret: String = secret) async throws {
        _ = try await store.serviceAccounts.register(
            ServiceAccountRegistration(corpID: corpID, appID: appID, name: "思域服务号", secret: secret, token: token, encodingAESKey: aesKey, mode: .secure),
            apiBaseURL: apiBaseURL, actor: "test", now: Date()
        )
    }

    /// A push stored in the inbox as the callback stores it, then applied to the followers.
    static func push(_ store: SiyuStore, _ event: FollowerEvent, xml: String) async throws {
        #expect(try await store.inbox.record(corpID: corpID, payload: xml, now: Date()) == .stored)
        let calendar = try await store.contacts.calendar(corpID: corpID)
        let outcome = try await store.followers.apply(
            corpID: corpID, appID: appID, inboxKey: CallbackInbox.dedupeKey(for: xml), event, channelID: nil, calendar: calendar, now: Date()
        )
        #expect(outcome == .applied)
    }

    static func xml(_ openID: String, _ body: String, at: Date) -> String {
        "<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName><FromUserName><![CDATA[\(openID)]]></FromUserName><CreateTime>\(Int(at.timeIntervalSince1970))</CreateTime>\(body)</xml>"
    }

    /// Three followers: oAlice (synced, with a remark and tags) followed by a poster, wrote and
    /// tapped the menu; oBob followed; oCarol followed and left again.
    static func seed(_ store: SiyuStore) async throws {
        let now = Date()
        try await store.followers.reconcile(corpID: corpID, appID: appID, [
            FollowerProfile(openID: "oAlice", subscribed: true, subscribedAt: now.addingTimeInterval(-3600), remark: "老客户王女士", language: "zh_CN", tagIDs: [2, 7]),
        ], syncedAt: now.addingTimeInterval(-7200))
        let events: [(FollowerEvent, String)] = [
            (FollowerEvent(openID: "oAlice", at: now.addingTimeInterval(-300), kind: .follow(scene: "poster_a")),
             "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event><EventKey><![CDATA[qrscene_poster_a]]></EventKey>"),
            (FollowerEvent(openID: "oAlice", at: now.addingTimeInterval(-200), kind: .message(type: "text", detail: ["text": "价格"])),
             "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[价格]]></Content><MsgId>1</MsgId>"),
            (FollowerEvent(openID: "oAlice", at: now.addingTimeInterval(-100), kind: .click(key: "V1001_HOURS")),
             "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[CLICK]]></Event><EventKey><![CDATA[V1001_HOURS]]></EventKey>"),
            (FollowerEvent(openID: "oBob", at: now.addingTimeInterval(-250), kind: .follow(scene: nil)),
             "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event>"),
            (FollowerEvent(openID: "oCarol", at: now.addingTimeInterval(-240), kind: .follow(scene: nil)),
             "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event>"),
            (FollowerEvent(openID: "oCarol", at: now.addingTimeInterval(-60), kind: .unfollow),
             "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[unsubscribe]]></Event>"),
        ]
        for (event, body) in events { try await push(store, event, xml: xml(event.openID, body, at: event.at)) }
    }

    @Test("every page renders for an operator in Chinese and English; an employee is refused each one")
    func pagesAndRoles() async throws {
        try await ConsoleTestServer.run { fixture in
            _ = try await fixture.store.corps.register(TestServer.registration(Self.corpID), actor: "t", now: Date())
            let ops = try await fixture.signedIn("ops", .operator, corp: Self.corpID)
            let empty = try await ops.get("/console/accounts")
            #expect(empty.status == .ok)
            #expect(empty.text.contains("还没有接入服务号") && empty.text.contains("siyu account add"))
            #expect(!(try await ops.get("/console/dashboard").text.contains("服务号粉丝")))

            try await Self.connect(fixture.store)
            try await Self.seed(fixture.store)
            for page in Self.pages + ["/console/accounts/\(Self.appID)/followers/oAlice"] {
                let response = try await ops.get(page)
                #expect(response.status == .ok, "\(page)")
                #expect(response.text.contains("</html>") && !response.text.contains("Optional("), "\(page)")
                #expect(response.text.contains(#"href="/console/accounts""#), "\(page): the menu names 服务号")
            }
            let list = try await ops.get("/console/accounts").text
            #expect(list.contains("思域服务号") && list.contains("安全"))
            #expect(list.contains(#"data-figure="followers">2<"#))
            #expect(try await ops.get("/console/accounts/wxffffffffffffffff/followers").status == .notFound)

            try await ops.get("/console/lang/en?back=/console/accounts")
            for page in Self.pages {
                let response = try await ops.get(page)
                #expect(response.status == .ok, "\(page)")
                #expect(response.text.contains("Service accounts"), "\(page)")
            }
            #expect(try await ops.get("/console/accounts").text.contains("Secure"))
            let profile = try await ops.get("/console/accounts/\(Self.appID)/followers/oAlice").text
            #expect(profile.contains("Followed (scanned poster_a)") && profile.contains("Sent: 价格") && profile.contains("Tapped menu V1001_HOURS"))

            let lina = try await fixture.signedIn("lina", .employee, corp: Self.corpID, member: "m1")
            for page in Self.pages + ["/console/accounts/\(Self.appID)/followers/oAlice"] {
                #expect(try await lina.get(page).status == .forbidden, "\(page)")
            }
            #expect(try await lina.post("/console/accounts/\(Self.appID)/replies", [("rule_count", "0")]).status == .forbidden)
            #expect(!(try await lina.get("/console/customers").text.contains(#"href="/console/accounts""#)))
        }
    }

    @Test("the followers page and the dashboard show the seeded figures; a profile reads as sentences; an unfollowed one says its data is gone")
    func followers() async throws {
        try await ConsoleTestServer.run { fixture in
            let admin = try await fixture.adminWithCorp()
            try await Self.connect(fixture.store)
            try await Self.seed(fixture.store)
            let page = try await admin.get("/console/accounts/\(Self.appID)/followers").text
            #expect(page.contains(#"data-figure="followers-total">2<"#))
            #expect(page.contains(#"data-figure="followers-new">3<"#))
            #expect(page.contains(#"data-figure="followers-lost">1<"#))
            #expect(page.contains("<svg") && page.contains("polyline"))
            #expect(page.contains("oAlice") && page.contains("老客户王女士") && page.contains("poster_a") && page.contains("oBob"))
            #expect(!page.contains("oCarol"))
            #expect(page.contains(#"href="/console/accounts/\#(Self.appID)/followers/oAlice""#))

            let dashboard = try await admin.get("/console/dashboard").text
            #expect(dashboard.contains("服务号粉丝") && dashboard.contains("思域服务号"))
            #expect(dashboard.contains(#"data-figure="followers-total">2<"#) && dashboard.contains(#"data-figure="followers-new">3<"#))

            let alice = try await admin.get("/console/accounts/\(Self.appID)/followers/oAlice").text
            #expect(alice.contains("关注（扫码 poster_a）") && alice.contains("发送消息：价格") && alice.contains("点击菜单 V1001_HOURS"))
            #expect(alice.contains("老客户王女士") && alice.contains("扫描二维码"))
            let carol = try await admin.get("/console/accounts/\(Self.appID)/followers/oCarol").text
            #expect(carol.contains("已取消关注，资料已按平台要求删除"))
            #expect(try await admin.get("/console/accounts/\(Self.appID)/followers/oNobody").status == .notFound)
        }
    }

    @Test("the reply form saves rules, replies and menu-key replies; a problem shows beside its field with the form kept")
    func replies() async throws {
        try await ConsoleTestServer.run { fixture in
            let admin = try await fixture.adminWithCorp()
            try await Self.connect(fixture.store)
            try await admin.get("/console/accounts/\(Self.appID)/replies")
            let saved = try await admin.post("/console/accounts/\(Self.appID)/replies", [
                ("rule_count", "1"), ("rule_0_id", ""), ("rule_0_name", "价格"), ("rule_0_keywords", "价格, 多少钱"), ("rule_0_match", "contains"),
                ("rule_0_priority", "5"), ("rule_0_enabled", "on"), ("rule_0_type", "text"), ("rule_0_text", "价格表见菜单"),
                ("default_type", ""), ("subscribe_type", "text"), ("subscribe_text", "欢迎关注"),
                ("click_count", "1"), ("click_0_key", "V1001_HOURS"), ("click_0_type", "news"), ("click_0_title", "营业时间"), ("click_0_url", "https://example.com/hours"),
            ])
            #expect(saved.status == .seeOther || saved.status == .found)
            let document = try #require(try await fixture.store.serviceAccounts.replies(appID: Self.appID))
            #expect(document.rules.count == 1)
            #expect(document.rules.first?.keywords == ["价格", "多少钱"] && document.rules.first?.priority == 5 && document.rules.first?.match == .contains)
            #expect(document.defaultReply == nil && document.subscribeReply == .text("欢迎关注"))
            #expect(document.clickReplies["V1001_HOURS"] == .news(.init(title: "营业时间", url: "https://example.com/hours")))
            let form = try await admin.get("/console/accounts/\(Self.appID)/replies?done=replies_saved").text
            #expect(form.contains(#"value="价格, 多少钱""#) && form.contains("自动回复已保存"))
            let ruleID = try #require(document.rules.first?.id)

            let refused = try await admin.post("/console/accounts/\(Self.appID)/replies", [
                ("rule_count", "2"), ("rule_0_id", ruleID), ("rule_0_name", "价格"), ("rule_0_keywords", ""), ("rule_0_match", "exact"),
                ("rule_0_priority", "5"), ("rule_0_enabled", "on"), ("rule_0_type", "text"), ("rule_0_text", "价格表见菜单"),
                ("rule_1_name", "地址"), ("rule_1_keywords", "地址"), ("rule_1_priority", "x"), ("rule_1_type", "news"), ("rule_1_title", "门店"), ("rule_1_url", "ftp://x"),
                ("default_type", "text"), ("default_text", " "), ("click_count", "0"),
            ])
            #expect(refused.status == .unprocessableContent)
            let text = refused.text
            #expect(text.contains(#"data-field="rules[0].keywords">请填写 1 到 50 个关键词"#))
            #expect(text.contains(#"data-field="rules[1].priority">优先级是整数"#))
            #expect(text.contains(#"data-field="rule_1_url">链接须以 http:// 或 https:// 开头"#))
            #expect(text.contains(#"data-field="default_text">请填写回复的文字"#))
            #expect(text.contains(#"value="地址""#) && text.contains(#"value="门店""#))
            #expect(try await fixture.store.serviceAccounts.replies(appID: Self.appID) == document)

            let deleted = try await admin.post("/console/accounts/\(Self.appID)/replies", [
                ("rule_count", "1"), ("rule_0_id", ruleID), ("rule_0_name", "价格"), ("rule_0_keywords", "价格"), ("rule_0_type", "text"), ("rule_0_text", "x"),
                ("rule_0_priority", "0"), ("rule_0_delete", "on"), ("click_count", "0"),
            ])
            #expect(deleted.status == .seeOther || deleted.status == .found)
            #expect(try await fixture.store.serviceAccounts.replies(appID: Self.appID)?.rules.isEmpty == true)
        }
    }

    /// A console against a sandbox whose Official Account platform has the account.
    static func withPlatform(secret: String = secret, _ body: @Sendable (ConsoleTestServer.Fixture, OfficialAccountWorld) async throws -> Void) async throws {
        let world = SandboxWorld(seed: 7, clock: SandboxClock(pinnedAt: Date()))
        let accounts = OfficialAccountWorld(clock: world.clock)
        _ = try await accounts.register(OfficialAccountConfig(appID: appID, secret: Self.secret, originalID: "gh_0123456789ab", token: token, encodingAESKey: aesKey, mode: .secure))
        let platform = Sandbox(world: world, deliverer: CallbackDeliverer(timeout: .seconds(5), retryDelay: .milliseconds(20), logger: TestServer.logger), officialAccounts: accounts)
        try await platform.buildApplication(port: 0, logger: TestServer.logger).test(.live) { sandbox in
            try await ConsoleTestServer.run { fixture in
                _ = try await fixture.store.corps.register(TestServer.registration(corpID), actor: "t", now: Date())
                try await connect(fixture.store, apiBaseURL: "http://127.0.0.1:\(sandbox.port ?? 0)/mp", secret: secret)
                try await body(fixture, accounts)
            }
        }
    }

    @Test("the menu editor refuses a name over 16 bytes beside button[0].name, publishes a good menu to the platform and shows when")
    func menu() async throws {
        try await Self.withPlatform { fixture, accounts in
            let admin = try await fixture.adminWithCorp()
            let path = "/console/accounts/\(Self.appID)/menu"
            #expect(try await admin.get(path).text.contains("还没有通过 Siyu 发布过菜单"))
            let long = try await admin.post(path, [("b0_name", "营业时间和门店地址"), ("b0_type", "click"), ("b0_key", "V1001_HOURS")])
            #expect(long.status == .unprocessableContent)
            #expect(long.text.contains(#"data-field="button[0].name">名称太长"#))
            #expect(long.text.contains(#"value="营业时间和门店地址""#))
            #expect(try await fixture.store.serviceAccounts.menu(appID: Self.appID) == nil)

            let published = try await admin.post(path, [
                ("b0_name", "营业时间"), ("b0_type", "click"), ("b0_key", "V1001_HOURS"),
                ("b1_name", "更多"), ("b1_type", ""), ("b1_s0_name", "官网"), ("b1_s0_type", "view"), ("b1_s0_url", "https://example.com"),
            ])
            #expect(published.status == .seeOther || published.status == .found)
            let saved = try #require(try await fixture.store.serviceAccounts.menu(appID: Self.appID))
            #expect(saved.menu.buttons.map(\.name) == ["营业时间", "更多"])
            #expect(saved.menu.buttons.last?.subButtons?.first?.url == "https://example.com")
            #expect(saved.publishedAt != nil)
            let snapshot = try await accounts.snapshot(appID: Self.appID)
            #expect(snapshot.menu?.button.compactMap(\.name) == ["营业时间", "更多"])
            let page = try await admin.get(path + "?done=menu_published").text
            #expect(page.contains("上次发布") && page.contains("菜单已发布"))
            #expect(page.contains(#"data-preview="b1_s0_name">官网<"#))
        }
    }

    @Test("a platform error while publishing is shown in words above the form, not a 500")
    func platformError() async throws {
        try await Self.withPlatform(secret: "wrong-secret") { fixture, _ in
            let admin = try await fixture.adminWithCorp()
            _ = try await admin.get("/console/accounts/\(Self.appID)/menu")
            let refused = try await admin.post("/console/accounts/\(Self.appID)/menu", [("b0_name", "营业时间"), ("b0_type", "click"), ("b0_key", "V1001_HOURS")])
            #expect(refused.status == .badGateway)
            #expect(refused.text.contains("微信公众平台没有接受这个菜单"))
            #expect(refused.text.contains(#"value="营业时间""#))
            #expect(try await fixture.store.serviceAccounts.menu(appID: Self.appID) == nil)
        }
    }
}
