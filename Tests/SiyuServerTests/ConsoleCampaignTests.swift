import Foundation
import Hummingbird
import HummingbirdTesting
import SiyuCore
import SiyuStore
import SiyuTestSupport
import Testing

@testable import SiyuServer

@Suite("Console: campaigns — compose, list, results, cancel, remind, an employee's tasks")
struct ConsoleCampaignTests {
    static let corpID = "wwA1"

    /// A campaign to the seeded customers wm1…wm6 (senders m1 and m2), plus one nobody follows.
    static func campaign(_ store: SiyuStore, _ name: String) async throws -> Campaign {
        let now = Date()
        return try await store.campaigns.create(
            corpID: corpID, try Campaign.fixture(name, text: "周末福利", sendAt: now, now: now), recipients: (1...6).map { "wm\($0)" } + ["wmghost"], now: now
        )
    }

    /// The corp with the segment tests' customers, tags and channel, and its admin signed in.
    static func seededAdmin(_ fixture: ConsoleTestServer.Fixture) async throws -> ConsoleBrowser {
        let admin = try await fixture.adminWithCorp()
        try await SegmentAPITests.seed(fixture.store, corpID: corpID)
        return admin
    }

    /// m1's task went out (wm1 delivered, wm3 no longer a friend, wm5 refused); m2's task waits.
    static func results(_ store: SiyuStore, _ campaign: Campaign) async throws {
        let now = Date()
        try await store.campaigns.recordTask(corpID: corpID, campaignID: campaign.campaignID, msgID: "msgA", sender: "m1", recipients: ["wm1", "wm3", "wm5"], failList: ["wm5"], now: now)
        try await store.campaigns.recordTask(corpID: corpID, campaignID: campaign.campaignID, msgID: "msgB", sender: "m2", recipients: ["wm2", "wm4", "wm6"], failList: [], now: now)
        try await store.campaigns.recordResults(
            corpID: corpID, campaignID: campaign.campaignID, msgID: "msgA",
            outcomes: [("wm1", .delivered, .sent, now), ("wm3", .failed, .notFriend, nil)], taskState: .sent, now: now
        )
    }

    @Test("a campaign is created through the form: CSRF required, field errors beside the field and nothing created, then the results page")
    func createThroughForm() async throws {
        try await ConsoleTestServer.run { fixture in
            let admin = try await Self.seededAdmin(fixture)
            try await fixture.store.mirrorMembers(corpID: Self.corpID, ["m1", "m2"])
            let form = try await admin.get("/console/campaigns/new")
            #expect(form.status == .ok)
            #expect(form.text.contains(#"action="/console/campaigns""#) && !form.text.contains("disabled>"))
            let good: [(String, String)] = [
                ("name", "春季上新"), ("kind", "message"), ("audience", "status = active"), ("text", "新品到店"),
                ("attachment_type_0", "link"), ("attachment_title_0", "新品"), ("attachment_url_0", "https://example.com/new"),
                ("send_at", ""), ("deadline_hours", "48"),
            ]
            #expect(try await admin.post("/console/campaigns", good, withToken: false).status == .forbidden)

            func refused(_ changes: [(String, String)], field: String, message: String) async throws {
                let changed = Dictionary(changes, uniquingKeysWith: { $1 })
                let response = try await admin.post("/console/campaigns", good.map { (name, value) in (name, changed[name] ?? value) })
                #expect(response.status == .unprocessableContent, "\(changes)")
                let html = response.text
                let input = try #require(html.range(of: field.hasSuffix("</legend>") ? field : #"name="\#(field)""#), "\(field)")
                let error = try #require(html.range(of: message), "\(message)")
                #expect(input.lowerBound < error.lowerBound && html[input.lowerBound..<error.lowerBound].count < 400, "\(field)")
                #expect(html.contains("春季上新") || changed["name"] != nil)
            }
            try await refused([("name", "")], field: "name", message: "请填写群发名称")
            try await refused([("text", ""), ("attachment_type_0", ""), ("attachment_title_0", ""), ("attachment_url_0", "")], field: "text", message: "请填写消息内容")
            try await refused([("audience", #"tag "VIP" and ("#)], field: "expression", message: "第 16 个字符处")
            try await refused([("deadline_hours", "soon")], field: "deadline_hours", message: "截止时长须为")
            try await refused([("attachment_url_0", "")], field: "附件</legend>", message: "附件不完整")
            try await refused([("send_at", "2020-01-01T09:00")], field: "send_at", message: "发送时间已经过去了")
            try await refused([("audience", #"tag "新客" and tag "VIP""#)], field: "expression", message: "这个人群现在没有客户")
            // Every wrong field at once, each beside its field.
            let many = try await admin.post("/console/campaigns", good.map { name, value in
                (name, ["name": "", "deadline_hours": "soon", "send_at": "2020-01-01T09:00"][name] ?? value)
            })
            #expect(many.status == .unprocessableContent)
            #expect(many.text.contains("请填写群发名称") && many.text.contains("截止时长须为") && many.text.contains("发送时间已经过去了"))
            #expect(try await fixture.store.campaigns.list(corpID: Self.corpID, limit: 10).isEmpty)

            // The submit asks first, naming what will happen; nothing is created until confirmed.
            let review = try await admin.post("/console/campaigns", good)
            #expect(review.status == .ok)
            #expect(review.text.contains("向 6 位客户发送？") && review.text.contains(#"name="confirmed" value="1""#), "\(review.text)")
            #expect(try await fixture.store.campaigns.list(corpID: Self.corpID, limit: 10).isEmpty)
            let confirmed = ConsoleFiguresTests.figures(review.text, "audience")[""]
            #expect(confirmed == 6)
            let back = try await admin.get("/console/campaigns/new?" + good.map { "\($0.0)=\(ConsoleBrowser.encode($0.1))" }.joined(separator: "&"))
            #expect(back.text.contains(#"value="春季上新""#), "back to edit keeps the form")

            let created = try await admin.post("/console/campaigns", good + [("confirmed", "1")])
            #expect(created.status == .seeOther, "\(created.text)")
            let location = try #require(created.headers[.location])
            // Until its planning job runs, the page says it is planning, with progress, and refreshes itself.
            let planning = try await admin.get(location).text
            #expect(planning.contains("规划中") && planning.contains("<progress") && planning.contains(#"http-equiv="refresh""#), "\(planning)")
            try await TestServer.runJobs(fixture.store)
            let campaign = try #require(try await fixture.store.campaigns.list(corpID: Self.corpID, limit: 10).first)
            #expect(location == "/console/campaigns/\(campaign.campaignID)?done=campaign_created")
            #expect(campaign.name == "春季上新" && campaign.content.attachments.map(\.msgType) == ["link"])
            #expect(campaign.deadlineAt.timeIntervalSince(campaign.sendAt) == 48 * 3600)
            let page = try await admin.get(location)
            #expect(page.status == .ok)
            #expect(page.text.contains("群发已创建") && page.text.contains("春季上新") && page.text.contains("待发送"))
            #expect(page.text.contains(#"<span class="value">6</span>"#))
            // What the confirmation said is what the campaign reports.
            let results = CampaignResults(tally: try await fixture.store.campaigns.tally(corpID: Self.corpID, campaignID: campaign.campaignID))
            #expect(results.totals.recipients == confirmed)
            #expect(results.totals.pending == ConsoleFiguresTests.figures(review.text, "send")[""])
            #expect(results.totals.held == ConsoleFiguresTests.figures(review.text, "hold")[""])
            #expect(results.totals.skipped.values.reduce(0, +) == ConsoleFiguresTests.figures(review.text, "skip")[""])

            let list = try await admin.get("/console/campaigns").text
            #expect(list.contains("春季上新") && list.contains("/console/campaigns/\(campaign.campaignID)") && list.contains("群发给客户"))

            // Groups need owners; a moment goes to chosen members, visible to chosen tags.
            try await refused([("kind", "group_message"), ("members", "")], field: "members", message: "请填写至少一名群主成员")
            _ = try await fixture.store.directory.replaceMembers(corpID: Self.corpID, departments: [], members: [
                MemberRecord(userID: "m1", name: "林晓雨", departments: []), MemberRecord(userID: "m2", name: "王磊", departments: []),
            ], now: Date())
            let stranger = try await admin.post("/console/campaigns", [
                ("name", "朋友圈上新"), ("kind", "moment"), ("members", "m1, mOTHER"), ("text", "秋季新品"), ("deadline_hours", "72"),
            ])
            #expect(stranger.status == .unprocessableContent)
            #expect(stranger.text.contains("「mOTHER」不是本企业的成员"), "another corp's member is named in the reader's language")
            let moment = try await admin.post("/console/campaigns", [
                ("name", "朋友圈上新"), ("kind", "moment"), ("members", "m1, m2"), ("tag_ids", "etvip"), ("text", "秋季新品"), ("deadline_hours", "72"), ("confirmed", "1"),
            ])
            #expect(moment.status == .seeOther, "\(moment.text)")
            let posted = try #require(try await fixture.store.campaigns.list(corpID: Self.corpID, limit: 1).first)
            #expect(posted.kind == .moment && posted.audience.members == ["m1", "m2"] && posted.audience.tagIDs == ["etvip"])
            let momentPage = try await admin.get(try #require(moment.headers[.location])).text
            #expect(momentPage.contains("朋友圈 id") && momentPage.contains("客户朋友圈"))
        }
    }

    @Test("the results page shows totals, every reason labelled, senders, tasks and filtered recipients, in both languages")
    func resultsPage() async throws {
        try await ConsoleTestServer.run { fixture in
            let admin = try await Self.seededAdmin(fixture)
            let campaign = try await Self.campaign(fixture.store, "会员日")
            try await Self.results(fixture.store, campaign)
            let html = try await admin.get("/console/campaigns/\(campaign.campaignID)").text
            #expect(html.contains("会员日") && html.contains("周末福利"))
            for label in ["企业微信拒绝: 1", "已不是成员的客户: 1", "没有成员在跟进: 1"] { #expect(html.contains(label), "\(label)") }
            #expect(html.contains("<svg") && html.contains("msgA") && html.contains("msgB"))
            #expect(!html.contains("<dt>可见标签</dt>") && !html.contains("<dt>错误</dt>") && !html.contains("<dt>完成时间</dt>"), "no empty rows")
            #expect(html.contains("/remind\"") && html.contains("/cancel\"") && html.contains(#"data-confirm=""#))
            let failed = try await admin.get("/console/campaigns/\(campaign.campaignID)?state=failed").text
            #expect(failed.contains(">客户3<") && failed.contains(">客户5<") && !failed.contains(">客户1<"), "recipients by name")
            #expect(failed.contains(#"title="wm3""#), "the id on hover")
            #expect(try await admin.get("/console/campaigns/\(campaign.campaignID)?state=cancelled").text.contains("没有该状态的接收人"))
            #expect(try await admin.get("/console/campaigns/cmp_none").status == .notFound)

            try await admin.get("/console/lang/en")
            let english = try await admin.get("/console/campaigns/\(campaign.campaignID)").text
            for label in ["Refused by the platform: 1", "No longer the member&#39;s customer: 1", "No member follows them: 1", "WeCom tasks"] {
                #expect(english.contains(label) || english.contains(label.replacingOccurrences(of: "&#39;", with: "'")), "\(label)")
            }
            let dashboard = try await admin.get("/console/dashboard").text
            #expect(dashboard.contains("会员日") && dashboard.contains("1 / 7"))
        }
    }

    @Test("cancel asks first, needs CSRF, stops what has not gone out and hides the buttons")
    func cancelFlow() async throws {
        try await ConsoleTestServer.run { fixture in
            let admin = try await Self.seededAdmin(fixture)
            let campaign = try await Self.campaign(fixture.store, "取消测试")
            let path = "/console/campaigns/\(campaign.campaignID)"
            let page = try await admin.get(path).text
            #expect(page.contains(#"action="\#(path)/cancel" class="inline" data-confirm="确定取消这次群发"#))
            #expect(!page.contains("/remind\""), "no task, nobody to remind")
            #expect(try await admin.post(path + "/cancel", withToken: false).status == .forbidden)
            let cancelled = try await admin.post(path + "/cancel")
            #expect(cancelled.status == .seeOther)
            #expect(cancelled.headers[.location] == path + "?done=campaign_cancelled")
            #expect(try await fixture.store.campaigns.find(corpID: Self.corpID, campaignID: campaign.campaignID)?.state == .cancelled)
            let after = try await admin.get(path + "?done=campaign_cancelled").text
            #expect(after.contains("群发已取消") && !after.contains("/cancel\""))
            #expect(try await admin.post(path + "/cancel").headers[.location] == path + "?done=campaign_already_final")
        }
    }

    @Test("remind explains when nothing is pending and when the 3-per-24-hours limit is reached")
    func remind() async throws {
        try await ConsoleTestServer.run { fixture in
            let admin = try await Self.seededAdmin(fixture)
            let idle = try await Self.campaign(fixture.store, "无任务")
            try await admin.get("/console/campaigns/\(idle.campaignID)")
            #expect(try await admin.post("/console/campaigns/\(idle.campaignID)/remind", withToken: false).status == .forbidden)
            let nothing = try await admin.post("/console/campaigns/\(idle.campaignID)/remind")
            #expect(nothing.status == .conflict)
            #expect(nothing.text.contains("没有待发送的任务，无需提醒"))

            let busy = try await Self.campaign(fixture.store, "已提醒")
            try await Self.results(fixture.store, busy)
            for _ in 0..<CampaignTask.remindersPerWindow {
                #expect(try await fixture.store.campaigns.recordReminder(corpID: Self.corpID, campaignID: busy.campaignID, msgID: "msgB", now: Date()))
            }
            let limited = try await admin.post("/console/campaigns/\(busy.campaignID)/remind")
            #expect(limited.status == .tooManyRequests)
            #expect(limited.text.contains("最多提醒 3 次") && limited.text.contains("m2"))
            #expect(limited.text.contains(#"<td class="num">3</td>"#), "the task shows its 3 reminders in 24 hours")
        }
    }

    @Test("an employee sees only their own unsent tasks and is refused the operator pages")
    func employeeTasks() async throws {
        try await ConsoleTestServer.run { fixture in
            _ = try await fixture.store.corps.register(TestServer.registration(Self.corpID), actor: "t", now: Date())
            try await SegmentAPITests.seed(fixture.store, corpID: Self.corpID)
            let employee = try await fixture.signedIn("emp", .employee, corp: Self.corpID, member: "m2")
            #expect(try await employee.get("/console/campaigns").text.contains("没有待你发送的群发任务"))
            let campaign = try await Self.campaign(fixture.store, "员工任务")
            try await Self.results(fixture.store, campaign)
            let mine = try await employee.get("/console/campaigns")
            #expect(mine.status == .ok)
            #expect(mine.text.contains("msgB") && mine.text.contains("员工任务") && !mine.text.contains("msgA"))
            #expect(mine.text.contains(#"href="/console/campaigns""#))
            #expect(!mine.text.contains("/console/campaigns/new"))
            for path in ["/console/campaigns/new", "/console/campaigns/\(campaign.campaignID)", "/console/dashboard"] {
                #expect(try await employee.get(path).status == .forbidden, "\(path)")
            }
            for path in ["/console/campaigns", "/console/campaigns/\(campaign.campaignID)/cancel", "/console/campaigns/\(campaign.campaignID)/remind"] {
                #expect(try await employee.post(path, [("name", "x"), ("text", "y")]).status == .forbidden, "\(path)")
            }
            #expect(try await fixture.store.campaigns.find(corpID: Self.corpID, campaignID: campaign.campaignID)?.state != .cancelled)
        }
    }

    @Test("every campaign page renders empty and seeded in both languages")
    func pagesInBothLanguages() async throws {
        try await ConsoleTestServer.run { fixture in
            let admin = try await fixture.adminWithCorp()
            let employee = try await fixture.signedIn("emp", .employee, corp: Self.corpID, member: "m2")
            func check(_ paths: [String]) async throws {
                for language in ["zh-CN", "en"] {
                    try await admin.get("/console/lang/\(language)")
                    try await employee.get("/console/lang/\(language)")
                    for (browser, path) in paths.map({ (admin, $0) }) + [(employee, "/console/campaigns")] {
                        let response = try await browser.get(path)
                        #expect(response.status == .ok, "\(language) \(path)")
                        let text = response.text
                        #expect(text.contains("</html>") && !text.contains("Optional("), "\(language) \(path)")
                        for prefix in ["reason_", "rstate_", "state_", "kind_", "task_", "remind_", "total_", "invalid_"] {
                            #expect(!text.contains(">" + prefix), "\(language) \(path): a missing \(prefix) string")
                        }
                    }
                }
            }
            try await check(["/console/campaigns", "/console/campaigns/new", "/console/dashboard"])
            let empty = try await admin.get("/console/campaigns").text
            #expect(empty.contains("No campaigns yet") && empty.contains(#"<a href="/console/campaigns/new">"#))
            try await SegmentAPITests.seed(fixture.store, corpID: Self.corpID)
            let campaign = try await Self.campaign(fixture.store, "双语")
            try await Self.results(fixture.store, campaign)
            let path = "/console/campaigns/\(campaign.campaignID)"
            try await check(["/console/campaigns", "/console/campaigns/new", "/console/dashboard", path, path + "?state=failed", path + "?state=skipped"])
            #expect(try await admin.get("/console/campaigns?cursor=soon").status == .badRequest)
        }
    }

    @Test("a page of campaigns links to the next, newest first")
    func listPaging() async throws {
        try await ConsoleTestServer.run { fixture in
            let admin = try await fixture.adminWithCorp()
            for n in 1...(ConsoleCampaignController.pageSize + 1) {
                let created = Date(timeIntervalSince1970: 1_800_000_000 + Double(n))
                try await fixture.store.campaigns.create(
                    corpID: Self.corpID, try Campaign.fixture("第\(n)次", segment: "all", text: "x", sendAt: Date(), deadlineHours: 1, now: created),
                    recipients: [], now: created
                )
            }
            let first = try await admin.get("/console/campaigns").text
            #expect(first.contains(">第21次<") && first.contains(">第2次<") && !first.contains(">第1次<"))
            let next = try #require(first.range(of: #"/console/campaigns\?cursor=[0-9]+"#, options: .regularExpression).map { String(first[$0]) })
            let second = try await admin.get(next).text
            #expect(second.contains(">第1次<") && !second.contains(">第2次<"))
            let id = try #require(second.range(of: #"cmp_[0-9a-f]+"#, options: .regularExpression).map { String(second[$0]) })
            let empty = try await admin.get("/console/campaigns/\(id)").text
            #expect(empty.contains("还没有结果") && empty.contains("这次群发没有接收人") && !empty.contains("<svg"))
        }
    }
}
