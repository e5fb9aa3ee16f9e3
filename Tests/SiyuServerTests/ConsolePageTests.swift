import Foundation
import Hummingbird
import HummingbirdTesting
import SiyuCore
import SiyuStore
import Testing

@testable import SiyuServer

@Suite("Console: pages, languages, tags, channels and the campaign preview")
struct ConsolePageTests {
    static let pages = [
        "/console/dashboard", "/console/channels", "/console/channels/new", "/console/customers", "/console/tags",
        "/console/campaigns", "/console/campaigns/new",
    ]

    @Test("every page answers 200 for an admin, with an empty corp and with data")
    func everyPage() async throws {
        try await ConsoleTestServer.run { fixture in
            let admin = try await fixture.adminWithCorp()
            for page in Self.pages {
                let response = try await admin.get(page)
                #expect(response.status == .ok, "\(page)")
                #expect(response.text.contains("</html>"), "\(page)")
                #expect(!response.text.contains("Optional("), "\(page)")
            }
            #expect(try await admin.get("/console/customers").text.contains("还没有客户"))
            #expect(try await admin.get("/console/channels").text.contains("还没有渠道活码"))
            #expect(try await admin.get("/console/tags").text.contains("还没有标签"))
            #expect(try await admin.get("/console/dashboard").text.contains("还没有群发触达记录"))

            try await SegmentAPITests.seed(fixture.store, corpID: "wwA1")
            let campaign = try await ConsoleCampaignTests.campaign(fixture.store, "春季上新")
            for page in Self.pages + ["/console/campaigns/\(campaign.campaignID)", "/console/channels/chn_store", "/console/customers/wm1", "/console/customers?tag=etvip&status=active&q=客户"] {
                let response = try await admin.get(page.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? page)
                #expect(response.status == .ok, "\(page)")
                #expect(!response.text.contains("Optional("), "\(page)")
            }
            let dashboard = try await admin.get("/console/dashboard").text
            #expect(dashboard.contains("<svg"))
            #expect(dashboard.contains("polyline"))
            #expect(dashboard.contains("门店"))
            #expect(dashboard.contains("春季上新") && dashboard.contains("0 / 7"))
            let channel = try await admin.get("/console/channels/chn_store").text
            #expect(channel.contains(#"data-confirm=""#))
            let profile = try await admin.get("/console/customers/wm1").text
            #expect(profile.contains("VIP"))
            #expect(profile.contains("添加了成员"))
            let filtered = try await admin.get("/console/customers?tag=etvip").text
            #expect(filtered.contains("客户1") && filtered.contains("客户2") && !filtered.contains("客户3"))
            #expect(try await admin.get("/console/customers/nobody").status == .notFound)
            #expect(try await admin.get("/console/channels/chn_none").status == .notFound)
            let unknown = try await admin.get("/console/no/such/page")
            #expect(unknown.status == .notFound)
            #expect(unknown.text.contains("没有找到此页面"))

            // Static files carry a cache header; `/` leads to the console.
            let css = try await admin.get("/console/static/console.css")
            #expect(css.status == .ok)
            #expect(css.headers[.cacheControl]?.contains("max-age") == true)
            #expect(try await admin.get("/console/static/missing.js").status == .notFound)
            #expect(try await admin.get("/").headers[.location] == "/console")
            #expect(try await admin.get("/favicon.ico").headers[.location] == "/console/static/favicon.svg")
            let icon = try await admin.get("/console/static/favicon.svg")
            #expect(icon.status == .ok && icon.headers[.contentType] == "image/svg+xml")
            #expect(try await admin.get("/console/dashboard").text.contains(#"<link rel="icon" href="/console/static/favicon.svg""#))
        }
    }

    @Test("an admin without any corp sees an empty state, not an error")
    func noCorp() async throws {
        try await ConsoleTestServer.run { fixture in
            let admin = try await fixture.signedIn("root", .admin)
            let dashboard = try await admin.get("/console/dashboard")
            #expect(dashboard.status == .ok)
            #expect(dashboard.text.contains("siyu corp add"))
            #expect(try await admin.get("/console/customers").status == .notFound)
        }
    }

    @Test("a page lists 50 customers and links to the next page")
    func pagination() async throws {
        try await ConsoleTestServer.run { fixture in
            _ = try await fixture.store.corps.register(TestServer.registration("wwA1"), actor: "t", now: Date())
            for index in 1...120 {
                let id = String(format: "wx%03d", index)
                try await fixture.addCustomer("wwA1", id, name: "顾客\(id)")
            }
            let admin = try await fixture.signedIn("root", .admin)
            let first = try await admin.get("/console/customers").text
            #expect(first.contains("顾客wx050") && !first.contains("顾客wx051"))
            #expect(first.contains("/console/customers?cursor=wx050"))
            let second = try await admin.get("/console/customers?cursor=wx050").text
            #expect(second.contains("顾客wx051") && second.contains("顾客wx100") && !second.contains("顾客wx101"))
            let dashboard = try await admin.get("/console/dashboard").text
            #expect(dashboard.contains(">120<"))
        }
    }

    @Test("the language switch turns every label to English and back")
    func language() async throws {
        try await ConsoleTestServer.run { fixture in
            let admin = try await fixture.adminWithCorp()
            let chinese = try await admin.get("/console/customers").text
            #expect(chinese.contains("客户") && chinese.contains("退出登录"))
            #expect(chinese.contains(#"<html lang="zh-CN">"#))
            let switched = try await admin.get("/console/lang/en?back=%2Fconsole%2Fcustomers")
            #expect(switched.headers[.location] == "/console/customers")
            let english = try await admin.get("/console/customers").text
            #expect(english.contains("Customers") && english.contains("Sign out"))
            #expect(!english.contains("退出登录"))
            #expect(english.contains(#"<html lang="en">"#))
            try await admin.get("/console/lang/zh-CN")
            #expect(try await admin.get("/console/customers").text.contains("退出登录"))
            let strings = try ConsoleRenderer.load().strings
            #expect(strings.missingKeys.isEmpty, "\(strings.missingKeys)")
        }
    }

    @Test("a channel without a name or members is refused with the message beside the field")
    func channelValidation() async throws {
        try await ConsoleTestServer.run { fixture in
            let admin = try await fixture.adminWithCorp()
            try await admin.get("/console/channels/new")
            let noName = try await admin.post("/console/channels", [("name", ""), ("members", "m1"), ("strategy", "round_robin")])
            #expect(noName.status == .unprocessableContent)
            let html = noName.text
            let field = try #require(html.range(of: #"<input name="name""#))
            let message = try #require(html.range(of: "名称须为 1 到 30 个字符"))
            #expect(field.lowerBound < message.lowerBound)
            #expect(html[field.lowerBound..<message.lowerBound].count < 300)
            #expect(html.contains(#"value="m1""#))

            let noMembers = try await admin.post("/console/channels", [("name", "门店"), ("members", ""), ("strategy", "round_robin")])
            #expect(noMembers.status == .unprocessableContent)
            #expect(noMembers.text.contains("至少填写一名接待成员"))
            let badCap = try await admin.post("/console/channels", [("name", "门店"), ("members", "m1"), ("daily_cap", "lots")])
            #expect(badCap.text.contains("每日上限须为"))
        }
    }

    @Test("tag groups and tags are created, renamed and deleted on WeCom and here")
    func tagRoundTrip() async throws {
        try await ConsoleTestServer.run(sandbox: true) { fixture in
            let admin = try await fixture.adminWithCorp()
            try await admin.get("/console/tags")
            let created = try await admin.post("/console/tags/groups", [("name", "兴趣"), ("tags", "咖啡, 茶")])
            #expect(created.status == .seeOther)
            var groups = try await fixture.store.directory.tagGroups(corpID: "wwA1")
            #expect(groups.map(\.name) == ["兴趣"])
            #expect(Set(groups[0].tags.map(\.name)) == ["咖啡", "茶"])
            let page = try await admin.get(try #require(created.headers[.location]))
            #expect(page.text.contains("标签组已创建"))

            let group = groups[0]
            let coffee = try #require(group.tags.first { $0.name == "咖啡" })
            #expect(try await admin.post("/console/tags/\(coffee.tagID)/rename", [("name", "手冲咖啡")]).status == .seeOther)
            #expect(try await admin.post("/console/tags/groups/\(group.groupID)/rename", [("name", "爱好")]).status == .seeOther)
            #expect(try await admin.post("/console/tags/groups/\(group.groupID)/tags", [("name", "果汁")]).status == .seeOther)
            groups = try await fixture.store.directory.tagGroups(corpID: "wwA1")
            #expect(groups.map(\.name) == ["爱好"])
            #expect(Set(groups[0].tags.map(\.name)) == ["手冲咖啡", "茶", "果汁"])

            let tea = try #require(groups[0].tags.first { $0.name == "茶" })
            #expect(try await admin.post("/console/tags/\(tea.tagID)/delete").status == .seeOther)
            #expect(Set(try await fixture.store.directory.tagGroups(corpID: "wwA1")[0].tags.map(\.name)) == ["手冲咖啡", "果汁"])

            let empty = try await admin.post("/console/tags/groups", [("name", "空"), ("tags", "")])
            #expect(empty.status == .unprocessableContent)
            #expect(empty.text.contains("请填写至少一个标签"))

            #expect(try await admin.post("/console/tags/groups/\(group.groupID)/delete").status == .seeOther)
            #expect(try await fixture.store.directory.tagGroups(corpID: "wwA1").isEmpty)
            #expect(try await admin.get("/console/tags").text.contains("还没有标签"))
        }
    }

    @Test("members are picked by name and department; an unknown one is refused beside the field before WeCom is asked")
    func memberPicker() async throws {
        try await ConsoleTestServer.run(sandbox: true) { fixture in
            let admin = try await fixture.adminWithCorp()
            let form = try await admin.get("/console/channels/new").text
            #expect(form.contains(#"name="members" value="m1""#) && form.contains("成员m1") && form.contains("总部"))
            #expect(form.contains("data-picker-search"))
            // A name typed where an id belongs, and a member nobody mirrored: refused here, in Chinese, nothing created.
            for typed in ["林晓雨", "m9"] {
                let refused = try await admin.post("/console/channels", [("name", "门店"), ("members", typed), ("strategy", "round_robin")])
                #expect(refused.status == .unprocessableContent)
                #expect(refused.text.contains("「\(typed)」不是本企业的成员"), "\(typed)")
                #expect(refused.text.contains("通讯录里没有这位成员"))
            }
            #expect(try await fixture.store.channels.list(corpID: "wwA1").isEmpty)
            let compose = try await admin.get("/console/campaigns/new").text
            #expect(compose.contains(#"name="members" value="m2""#) && compose.contains("成员m2"))
        }
    }

    @Test("WeCom's error codes are explained in words with what to do, the code kept for whoever looks it up")
    func platformErrors() throws {
        let strings = try ConsoleRenderer.load().strings
        let known = strings.platformError(errcode: 60111, errmsg: "userid not found", .zhCN)
        #expect(known.contains("企业微信里没有这个成员") && known.contains("60111") && known.contains("userid not found"))
        let other = strings.platformError(errcode: 45, errmsg: "x", .zhCN)
        #expect(other.contains("稍后重试") && other.contains("错误码 45"))
        #expect(strings.platformError(errcode: 48002, errmsg: "", .en).contains("allowed to call"))
    }

    @Test("a channel is created on WeCom with its QR code, edited and deleted from the console")
    func channelRoundTrip() async throws {
        try await ConsoleTestServer.run(sandbox: true) { fixture in
            let admin = try await fixture.adminWithCorp()
            try await admin.get("/console/channels/new")
            let created = try await admin.post("/console/channels", [
                ("name", "门店"), ("members", "m1, m2"), ("strategy", "round_robin"), ("daily_cap", "20"), ("skip_verify", "on"), ("welcome_text", "你好{客户昵称}"),
            ])
            #expect(created.status == .seeOther, "\(created.text)")
            let channel = try #require(try await fixture.store.channels.list(corpID: "wwA1").first)
            #expect(channel.settings.members == ["m1", "m2"])
            #expect(channel.settings.dailyCap == 20)
            #expect(channel.settings.welcome?.text == "你好{客户昵称}")
            let page = try await admin.get("/console/channels/\(channel.channelID)")
            #expect(page.text.contains(#"<img src="\#(try #require(channel.qrCode))""#))

            #expect(try await admin.post("/console/channels/\(channel.channelID)", [("name", "旗舰店"), ("members", "m2"), ("strategy", "least_loaded"), ("daily_cap", "")]).status == .seeOther)
            let edited = try #require(try await fixture.store.channels.find(corpID: "wwA1", channelID: channel.channelID))
            #expect(edited.name == "旗舰店" && edited.settings.members == ["m2"] && edited.settings.dailyCap == nil && edited.settings.welcome == nil)

            #expect(try await admin.post("/console/channels/\(channel.channelID)/delete").status == .seeOther)
            #expect(try await fixture.store.channels.list(corpID: "wwA1").isEmpty)
        }
    }

    @Test("a customer's tags are edited from the profile through WeCom")
    func customerTags() async throws {
        try await ConsoleTestServer.run(sandbox: true) { fixture in
            let admin = try await fixture.adminWithCorp()
            try await admin.get("/console/tags")
            try await admin.post("/console/tags/groups", [("name", "等级"), ("tags", "VIP, 新客")])
            let tags = Dictionary(uniqueKeysWithValues: try await fixture.store.directory.tagGroups(corpID: "wwA1")[0].tags.map { ($0.name, $0.tagID) })
            // The customer exists on the platform (mark_tag needs the relation there) and here.
            _ = try await #require(fixture.world).customerAdds(corpID: "wwA1", userID: "m1", externalUserID: "wmT", name: "标签客户", issueWelcomeCode: false)
            try await fixture.addCustomer("wwA1", "wmT", name: "标签客户")
            try await admin.get("/console/customers/wmT")
            let saved = try await admin.post("/console/customers/wmT/tags", [("tag_ids", try #require(tags["VIP"]))])
            #expect(saved.headers[.location] == "/console/customers/wmT?done=tags_saved")
            let profile = try #require(try await fixture.store.customers.profile(corpID: "wwA1", externalUserID: "wmT"))
            #expect(profile.relations[0].tagIDs == [tags["VIP"]])
        }
    }

    @Test("the compose page's preview is the REST preview, labelled, and errors point at the position")
    func campaignPreview() async throws {
        try await ConsoleTestServer.run { fixture in
            _ = try await fixture.store.corps.register(TestServer.registration("wwA1"), actor: "t", now: Date())
            try await SegmentAPITests.seed(fixture.store, corpID: "wwA1")
            try await fixture.store.contacts.setPolicy(corpID: "wwA1", ContactPolicy(quietHours: .init(startMinute: 22 * 60, endMinute: 8 * 60)), actor: "t", now: Date())
            let admin = try await fixture.signedIn("root", .admin)
            let compose = try await admin.get("/console/campaigns/new")
            let token = try #require(ConsoleBrowser.csrfToken(in: compose.text.replacingOccurrences(of: "data-csrf=", with: #"name="_csrf" value="#)))
            let answer = try await admin.postJSON("/console/campaigns/preview", #"{"audience":"status = active","send_at":"2030-01-07T10:00"}"#, token: token)
            #expect(answer.status == .ok)
            let json = try answer.json()
            #expect(json["audience"] as? Int == 6)
            #expect(json["send"] as? Int == 6)
            #expect(json["send_at"] as? String == "2030-01-07 10:00")
            let night = try await admin.postJSON("/console/campaigns/preview", #"{"audience":"tag \"VIP\"","send_at":"2030-01-07T23:30"}"#, token: token).json()
            #expect(night["audience"] as? Int == 2)
            let hold = try #require(night["hold"] as? [[String: Any]])
            #expect(hold.first?["label"] as? String == "免打扰时段")

            // The page's own script gets expected problems as 200 with an error (no browser console noise).
            let bad = try await admin.postJSON("/console/campaigns/preview", #"{"audience":"tag \"VIP\" and ("}"#, token: token)
            #expect(bad.status == .ok)
            #expect(((try bad.json()["error"] as? [String: Any])?["column"] as? Int) != nil)
            let past = try await admin.postJSON("/console/campaigns/preview", #"{"audience":"status = active","send_at":"2020-01-01T09:00"}"#, token: token)
            let pastError = try past.json()["error"]
            #expect(past.status == .ok && pastError != nil)
        }
    }

    @Test("the SVG charts escape their text and scale to the largest value")
    func charts() {
        let line = SVGChart.line(title: "<总数>", labels: ["01", "02", "03"], series: [.init(name: "A&B", values: [0, 5, -2])])
        #expect(line.hasPrefix("<svg") && line.hasSuffix("</svg>"))
        #expect(line.contains("&lt;总数&gt;") && line.contains("A&amp;B"))
        // Ticks at round numbers covering the values; each point names its day and value on hover.
        #expect(SVGChart.ticks(low: -2, high: 5) == [-2, 0, 2, 4, 6])
        #expect(SVGChart.ticks(low: 0, high: 1067) == [0, 500, 1000, 1500])
        #expect(SVGChart.ticks(low: 0, high: 1) == [0, 1])
        #expect(line.contains(">-2<") && line.contains(">6<"))
        #expect(line.contains("<title>02 A&amp;B: 5</title>") && line.contains("<title>03 A&amp;B: -2</title>"))
        let partial = SVGChart.line(title: "t", labels: ["01", "02"], series: [.init(name: "n", values: [1, 2])], partialLast: "今天未结束")
        #expect(partial.contains("stroke-dasharray") && partial.contains("02*") && partial.contains("02 (今天未结束) n: 2"))
        #expect(!line.contains("stroke-dasharray"))
        let bars = SVGChart.bars(title: "渠道", items: [("门店", 10), ("包裹", 5)])
        #expect(bars.components(separatedBy: "<rect").count == 3)
        #expect(SVGChart.bars(title: "空", items: []).hasSuffix("</svg>"))
    }

    @Test("a missing or broken template fails loading (and so the start), naming it; the shipped set loads")
    func templatesCheckedAtLoad() throws {
        _ = try ConsoleRenderer.load()
        let bundled = try #require(ConsoleRenderer.bundledRoot)
        for (file, damage) in [("campaign.mustache", nil), ("tags.mustache", "{{#rows}}unclosed")] as [(String, String?)] {
            let copy = FileManager.default.temporaryDirectory.appendingPathComponent("siyu-console-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: copy) }
            try FileManager.default.copyItem(at: bundled, to: copy)
            let target = copy.appendingPathComponent("templates").appendingPathComponent(file)
            if let damage { try damage.write(to: target, atomically: true, encoding: .utf8) } else { try FileManager.default.removeItem(at: target) }
            do {
                _ = try ConsoleRenderer.load(from: copy)
                Issue.record("\(file): loaded with the template \(damage == nil ? "missing" : "broken")")
            } catch let error as ConfigurationError {
                #expect(String(describing: error).contains(file), "\(error)")
            } catch {
                #expect(damage != nil, "\(file): \(error)")  // a parse error from the template library
            }
        }
    }
}
