import Foundation
import SiyuCore
import SiyuStore
import Testing

@testable import SiyuServer

@Suite("Console: 人群 — the visual builder, live counts, saved segments, errors in Chinese")
struct ConsoleSegmentTests {
    @Test("a segment is built with pickers, counted live, saved by name, listed with its count, edited in the builder and used in a campaign")
    func buildSaveEdit() async throws {
        try await ConsoleTestServer.run { fixture in
            let admin = try await ConsoleCampaignTests.seededAdmin(fixture)
            let token = try #require(ConsoleBrowser.csrfToken(in: try await admin.get("/console/segments/new").text))

            // The live count from the builder's fields: the expression is written with names.
            let counted = try await admin.post("/console/segments/count", [("segment_mode", "builder"), ("tags_all", "etvip")])
            #expect(counted.status == .ok)
            let json = try counted.json()
            #expect(json["expression"] as? String == #"tag "VIP""# && json["count"] as? Int == 2)
            let both = try await admin.post("/console/segments/count", [("segment_mode", "builder"), ("channels", "chn_store"), ("tags_none", "etvip")])
            #expect(try both.json()["expression"] as? String == #"tag none ("VIP") and channel = "门店""# && (try both.json()["count"] as? Int) == 1)
            let bad = try await admin.post("/console/segments/count", [("segment_mode", "builder"), ("added_within", "soon")])
            #expect(bad.status == .ok, "an expected problem is an answer with an error, not a failed request")
            #expect(((try bad.json()["error"] as? [String: Any])?["message"] as? String)?.contains("整数天数") == true)
            _ = token

            // Saved, listed with today's count, no raw tag id on the page.
            let saved = try await admin.post("/console/segments", [("name", "VIP 客户"), ("segment_mode", "builder"), ("tags_all", "etvip"), ("status", "active")])
            #expect(saved.status == .seeOther, "\(saved.text)")
            let segment = try #require(try await fixture.store.segments.list(corpID: ConsoleCampaignTests.corpID).first)
            #expect(segment.expression == #"tag "VIP" and status = active"#)
            let list = try await admin.get("/console/segments").text
            #expect(list.contains("VIP 客户") && list.contains(">2<") && !list.contains("etvip"))
            #expect(list.contains("/console/campaigns/new?audience="))

            // Opens in the builder with its boxes ticked; a change saves.
            let edit = try await admin.get("/console/segments/\(segment.segmentID)").text
            #expect(edit.contains(#"name="tags_all" value="etvip" checked"#) && edit.contains(#"value="active" selected"#))
            #expect(try await admin.post("/console/segments/\(segment.segmentID)", [("name", "VIP 与新客"), ("segment_mode", "builder"), ("tags_any", "etvip"), ("tags_any", "etnew")]).status == .seeOther)
            let edited = try #require(try await fixture.store.segments.find(corpID: ConsoleCampaignTests.corpID, segmentID: segment.segmentID))
            #expect(edited.name == "VIP 与新客" && edited.expression == #"tag any ("VIP", "新客")"#)

            // An expert's expression: errors wholly in Chinese, at the position; nothing saved.
            let broken = try await admin.post("/console/segments", [("name", "坏的"), ("segment_mode", "expression"), ("expression", #"tag "VIP" and ("#)])
            #expect(broken.status == .unprocessableContent)
            #expect(broken.text.contains("第 16 个字符处") && broken.text.contains("表达式还没写完"))
            let unknown = try await admin.post("/console/segments", [("name", "坏的"), ("segment_mode", "expression"), ("expression", #"tag "不存在""#)])
            #expect(unknown.text.contains("没有叫「不存在」的标签"))
            #expect(try await fixture.store.segments.list(corpID: ConsoleCampaignTests.corpID).count == 1)
            // An expression the builder cannot say opens in the editor.
            let expert = try await admin.post("/console/segments", [("name", "或者"), ("segment_mode", "expression"), ("expression", #"tag "VIP" or tag "新客""#)])
            #expect(expert.status == .seeOther)
            let expertID = try #require(try await fixture.store.segments.list(corpID: ConsoleCampaignTests.corpID).first { $0.name == "或者" }?.segmentID)
            #expect(try await admin.get("/console/segments/\(expertID)").text.contains(#"value="expression" checked"#))

            // The compose page takes the builder too, and confirms the same count.
            let review = try await admin.post("/console/campaigns", [
                ("name", "VIP 福利"), ("kind", "message"), ("segment_mode", "builder"), ("tags_all", "etvip"), ("text", "福利"), ("deadline_hours", "72"),
            ])
            #expect(review.status == .ok)
            #expect(review.text.contains("向 2 位客户发送？"), "\(review.text)")
            #expect(try await admin.post("/console/segments/\(segment.segmentID)/delete").status == .seeOther)
            #expect(try await fixture.store.segments.find(corpID: ConsoleCampaignTests.corpID, segmentID: segment.segmentID) == nil)
        }
    }
}

@Suite("Console: 触达规则 — the contact policy edited in the console is the one the API reads")
struct ConsolePolicyTests {
    @Test("the platform rule, brand cap, quiet hours, opt-out tags and time zone saved here are what GET /api/v1/contact_policy returns; bad fields are refused beside them")
    func edit() async throws {
        try await ConsoleTestServer.run { fixture in
            let admin = try await ConsoleCampaignTests.seededAdmin(fixture)
            let key = try await fixture.store.apiKeys.create(corpID: ConsoleCampaignTests.corpID, label: "", actor: "t", now: Date()).token
            let page = try await admin.get("/console/contact_policy")
            #expect(page.status == .ok && page.text.contains("免打扰时段") && page.text.contains(#"value="days_in_month" checked"#))

            let saved = try await admin.post("/console/contact_policy", [
                ("platform_rule", "7_per_week"), ("cap_on", "on"), ("cap_touches", "2"), ("cap_days", "7"),
                ("quiet_on", "on"), ("quiet_start", "22:00"), ("quiet_end", "08:30"), ("opt_out_tag_ids", "etnew"), ("utc_offset_seconds", "25200"),
            ])
            #expect(saved.status == .seeOther, "\(saved.text)")
            let api = try await fixture.client.call(.get, "/api/v1/contact_policy", token: key).json()
            #expect(api["platform_rule"] as? String == "7_per_week")
            #expect((api["brand_cap"] as? [String: Any])?["max_touches"] as? Int == 2 && (api["brand_cap"] as? [String: Any])?["days"] as? Int == 7)
            #expect((api["quiet_hours"] as? [String: Any])?["start_minute"] as? Int == 22 * 60 && (api["quiet_hours"] as? [String: Any])?["end_minute"] as? Int == 8 * 60 + 30)
            #expect(api["opt_out_tag_ids"] as? [String] == ["etnew"] && api["utc_offset_seconds"] as? Int == 25200)
            let shown = try await admin.get("/console/contact_policy").text
            #expect(shown.contains(#"value="22:00""#) && shown.contains(#"value="etnew" checked"#) && shown.contains(#"value="25200" selected"#))

            // Wrong fields are refused beside them, and the saved policy stays.
            let refused = try await admin.post("/console/contact_policy", [
                ("platform_rule", "7_per_week"), ("cap_on", "on"), ("cap_touches", "2"), ("cap_days", "400"), ("utc_offset_seconds", "28800"),
            ])
            #expect(refused.status == .unprocessableContent && refused.text.contains("天数为 1 到 90"))
            let same = try await admin.post("/console/contact_policy", [("platform_rule", "1_per_day"), ("quiet_on", "on"), ("quiet_start", "08:00"), ("quiet_end", "08:00"), ("utc_offset_seconds", "28800")])
            #expect(same.status == .unprocessableContent && same.text.contains("两者不能相同"))
            #expect(try await fixture.client.call(.get, "/api/v1/contact_policy", token: key).json()["platform_rule"] as? String == "7_per_week")
        }
    }
}

@Suite("Console: the audit page and the string tables")
struct ConsoleAuditPageTests {
    @Test("an admin reads who did what, when and from where, by action; others may not")
    func audit() async throws {
        try await ConsoleTestServer.run { fixture in
            let admin = try await ConsoleCampaignTests.seededAdmin(fixture)
            try await admin.get("/console/segments/new")
            #expect(try await admin.post("/console/segments", [("name", "审计人群"), ("segment_mode", "builder"), ("tags_all", "etvip")]).status == .seeOther)
            let page = try await admin.get("/console/audit")
            #expect(page.status == .ok)
            #expect(page.text.contains(#"title="segment.save""#) && page.text.contains("保存人群") && page.text.contains("root（控制台）"))
            #expect(page.text.contains("提交 POST /console/segments"), "the form post, with the address it came from")
            #expect(page.text.contains(">操作日志<"), "in the admin's navigation")
            let filtered = try await admin.get("/console/audit?action=segment.save").text
            #expect(filtered.contains(#"title="segment.save""#) && !filtered.contains(#"title="console.sign_in""#))
            let operatorUser = try await fixture.signedIn("ops", .operator, corp: ConsoleCampaignTests.corpID)
            #expect(try await operatorUser.get("/console/audit").status == .forbidden)
            #expect(!(try await operatorUser.get("/console/dashboard").text.contains("/console/audit")))
        }
    }

    @Test("every string a template names is in both languages' tables")
    func stringsComplete() throws {
        let renderer = try ConsoleRenderer.load()
        #expect(renderer.strings.missingKeys.isEmpty, "\(renderer.strings.missingKeys)")
        let root = try #require(ConsoleRenderer.bundledRoot).appendingPathComponent("templates")
        let pattern = try NSRegularExpression(pattern: #"\{\{[#^/]?t\.([A-Za-z0-9_]+)\}\}"#)
        var named = Set<String>()
        for file in try FileManager.default.contentsOfDirectory(atPath: root.path) where file.hasSuffix(".mustache") {
            let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                named.insert(String(text[Range(match.range(at: 1), in: text)!]))
            }
        }
        #expect(named.count > 100)
        for language in ConsoleLanguage.allCases {
            let table = renderer.strings.table(language)
            let missing = named.filter { table[$0] == nil }.sorted()
            #expect(missing.isEmpty, "\(language.rawValue): \(missing)")
        }
    }
}
