import Foundation
import SiyuCore
import Testing

@Suite("Service account: keyword replies")
struct ReplyRulesTests {
    let price = KeywordRule(id: "r1", name: "价格", keywords: ["价格", "多少钱"], match: .contains, reply: .text("价格请看菜单「会员价」"))
    let hours = KeywordRule(id: "r2", name: "营业时间", keywords: ["营业时间"], match: .exact, reply: .text("每天 10:00–22:00"))
    let vip = KeywordRule(id: "r3", name: "会员", keywords: ["VIP"], match: .exact, priority: 5, reply: .image(mediaID: "media-vip"))

    @Test("exact rules match the whole message, contains rules any part; spaces, letter case and full-width letters do not matter")
    func matching() {
        let rules = ReplyRuleSet(rules: [price, hours, vip], defaultReply: .text("收到，稍后回复您"))
        #expect(rules.rule(matching: "请问这个多少钱？")?.id == "r1")
        #expect(rules.rule(matching: "  营业时间 ")?.id == "r2")
        #expect(rules.rule(matching: "营业时间是几点") == nil, "exact means the whole message")
        #expect(rules.rule(matching: "vip")?.id == "r3")
        #expect(rules.rule(matching: "ＶＩＰ")?.id == "r3", "full-width letters read as half-width")
        #expect(rules.reply(toText: "你好") == .text("收到，稍后回复您"), "nothing matches: the default reply")
        #expect(ReplyRuleSet(rules: [price]).reply(toText: "你好") == nil, "no default reply: no answer")
        #expect(rules.rule(matching: "   ") == nil)
    }

    @Test("the higher priority wins; at equal priority exact beats contains, then the longer keyword; disabled rules never answer")
    func precedence() {
        let generic = KeywordRule(id: "a", name: "泛", keywords: ["会员"], match: .contains, reply: .text("generic"))
        let specific = KeywordRule(id: "b", name: "专", keywords: ["会员日"], match: .contains, reply: .text("specific"))
        let exact = KeywordRule(id: "c", name: "精", keywords: ["会员日"], match: .exact, reply: .text("exact"))
        let urgent = KeywordRule(id: "d", name: "急", keywords: ["日"], match: .contains, priority: 9, reply: .text("urgent"))
        #expect(ReplyRuleSet(rules: [generic, specific]).rule(matching: "会员日有什么活动")?.id == "b")
        #expect(ReplyRuleSet(rules: [specific, exact]).rule(matching: "会员日")?.id == "c")
        #expect(ReplyRuleSet(rules: [generic, specific, exact, urgent]).rule(matching: "会员日")?.id == "d")
        var off = urgent
        off.enabled = false
        #expect(ReplyRuleSet(rules: [generic, off]).rule(matching: "会员日")?.id == "a")
    }

    @Test("a rule without a name, keywords or reply is refused with the field; a news reply needs a title and a web link")
    func validation() {
        #expect(ReplyRuleSet.problems(of: price).isEmpty)
        let empty = KeywordRule(id: "x", name: " ", keywords: ["  "], match: .exact, reply: .text(""))
        #expect(ReplyRuleSet.problems(of: empty).map(\.field) == ["name", "keywords", "reply.text"])
        let long = KeywordRule(id: "y", name: "长", keywords: [String(repeating: "长", count: 61)], match: .contains, reply: .image(mediaID: ""))
        #expect(ReplyRuleSet.problems(of: long).map(\.field) == ["keywords[0]", "reply.media_id"])
        let news = KeywordRule(id: "z", name: "文章", keywords: ["活动"], match: .contains, reply: .news(.init(title: "", url: "javascript:alert(1)")))
        #expect(ReplyRuleSet.problems(of: news).map(\.field) == ["reply.news.title", "reply.news.url"])
        let good = KeywordRule(id: "w", name: "文章", keywords: ["活动"], match: .contains, reply: .news(.init(title: "双 11", url: "https://example.com/a")))
        #expect(ReplyRuleSet.problems(of: good).isEmpty)
    }
}

@Suite("Service account: menu limits")
struct AccountMenuTests {
    @Test("a menu within the platform's limits has no problems and round-trips the platform's JSON shape")
    func valid() throws {
        let menu = AccountMenu(buttons: [
            MenuButton(type: .click, name: "会员中心", key: "MEMBER"),
            MenuButton(name: "服务", subButtons: [
                MenuButton(type: .view, name: "附近门店", url: "https://example.com/stores"),
                MenuButton(type: .miniProgram, name: "商城", url: "https://example.com/shop", appID: "wx1234", pagePath: "pages/index"),
                MenuButton(type: .click, name: "人工客服", key: "HUMAN"),
            ]),
        ])
        #expect(menu.problems().isEmpty)
        #expect(menu.clickKeys == ["MEMBER", "HUMAN"])
        let json = try JSONEncoder().encode(menu)
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        let second = try #require((object["button"] as? [[String: Any]])?[1])
        #expect((second["sub_button"] as? [[String: Any]])?[1]["pagepath"] as? String == "pages/index")
        #expect(try JSONDecoder().decode(AccountMenu.self, from: json) == menu)
        let platform = #"{"button":[{"type":"click","name":"今日歌曲","key":"V1001_TODAY_MUSIC"},{"name":"菜单","sub_button":[{"type":"view","name":"搜索","url":"http://www.soso.com/"}]}]}"#
        #expect(try JSONDecoder().decode(AccountMenu.self, from: Data(platform.utf8)).problems().isEmpty)
    }

    @Test("too many buttons, names over their byte limits, a missing key or link, nested sub-buttons: each refused with its path")
    func limits() {
        let four = AccountMenu(buttons: (1...4).map { MenuButton(type: .click, name: "按钮\($0)", key: "K\($0)") })
        #expect(four.problems().map(\.field) == ["button"])
        // 6 Chinese characters are 18 bytes: over the top level's 16, within a sub-button's 60.
        let names = AccountMenu(buttons: [
            MenuButton(type: .click, name: "六个汉字名称", key: "A"),
            MenuButton(name: "更多", subButtons: [MenuButton(type: .click, name: "六个汉字名称", key: "B"), MenuButton(type: .click, name: String(repeating: "字", count: 21), key: "C")]),
        ])
        #expect(names.problems().map(\.field) == ["button[0].name", "button[1].sub_button[1].name"])
        #expect(names.problems().first?.rule == "length")
        let actions = AccountMenu(buttons: [
            MenuButton(type: .click, name: "点我"),
            MenuButton(type: .view, name: "链接", url: "ftp://example.com"),
            MenuButton(name: "子", subButtons: (1...6).map { MenuButton(type: .click, name: "s\($0)", key: "S\($0)") } + [MenuButton(name: "套", subButtons: [MenuButton(type: .click, name: "x", key: "X")])]),
        ])
        #expect(actions.problems().map(\.field) == [
            "button[0].key", "button[1].url", "button[2].sub_button", "button[2].sub_button[6].sub_button", "button[2].sub_button[6].type",
        ])
        #expect(AccountMenu(buttons: [MenuButton(name: "空")]).problems().map(\.field) == ["button[0].type"])
        #expect(AccountMenu(buttons: []).problems().map(\.field) == ["button"])
    }
}
