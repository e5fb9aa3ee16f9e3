import Foundation
import SiyuCore
import Testing

@Suite("Channel rules: rotation, validation, welcome")
struct ChannelRulesTests {
    @Test("round robin puts every uncapped member on the code, in the configured order")
    func roundRobin() {
        let settings = ChannelSettings(members: ["a", "b", "c"], strategy: .roundRobin)
        #expect(settings.activeMembers(addsToday: [:], weekday: 1) == ["a", "b", "c"])
        #expect(settings.activeMembers(addsToday: ["a": 40, "c": 3], weekday: 5) == ["a", "b", "c"], "without a cap, load does not matter")
    }

    @Test("least loaded keeps only the members with the fewest adds, every one of them on a tie")
    func leastLoaded() {
        let settings = ChannelSettings(members: ["a", "b", "c"], strategy: .leastLoaded)
        #expect(settings.activeMembers(addsToday: [:], weekday: 1) == ["a", "b", "c"])
        #expect(settings.activeMembers(addsToday: ["a": 2, "b": 1, "c": 1], weekday: 1) == ["b", "c"])
        #expect(settings.activeMembers(addsToday: ["a": 2, "b": 1], weekday: 1) == ["c"], "no adds counts as zero")
        #expect(settings.activeMembers(addsToday: ["a": 1, "b": 1, "c": 1, "stranger": 0], weekday: 1) == ["a", "b", "c"])
    }

    @Test("schedule puts the members on duty for the weekday on the code; a day off duty falls to the backups")
    func schedule() {
        let settings = ChannelSettings(
            members: ["a", "b", "c"], backupMembers: ["x"], strategy: .schedule,
            schedule: ["1": ["a"], "6": ["b", "c"], "7": ["c"]]
        )
        #expect(settings.activeMembers(addsToday: [:], weekday: 1) == ["a"])
        #expect(settings.activeMembers(addsToday: [:], weekday: 6) == ["b", "c"])
        #expect(settings.activeMembers(addsToday: [:], weekday: 7) == ["c"])
        #expect(settings.activeMembers(addsToday: [:], weekday: 3) == ["x"])
        var noBackups = settings
        noBackups.backupMembers = []
        #expect(noBackups.activeMembers(addsToday: [:], weekday: 3) == ["a", "b", "c"], "a contact way needs a member")
    }

    @Test("a member at the daily cap steps aside; when all are capped the backups take over")
    func dailyCapWithBackups() {
        let settings = ChannelSettings(members: ["a", "b"], backupMembers: ["x", "y"], dailyCap: 2)
        #expect(settings.activeMembers(addsToday: ["a": 1, "b": 1], weekday: 2) == ["a", "b"])
        #expect(settings.activeMembers(addsToday: ["a": 2, "b": 1], weekday: 2) == ["b"])
        #expect(settings.activeMembers(addsToday: ["a": 2, "b": 3], weekday: 2) == ["x", "y"])
        #expect(settings.activeMembers(addsToday: ["a": 2, "b": 2, "x": 2], weekday: 2) == ["y"])

        var scheduled = settings
        scheduled.strategy = .schedule
        scheduled.schedule = ["2": ["b"]]
        #expect(scheduled.activeMembers(addsToday: ["a": 0, "b": 2], weekday: 2) == ["x", "y"], "a's capacity does not help off duty")
    }

    @Test("when everyone is capped the code keeps its backups, or without backups its least-loaded members")
    func everyoneCapped() {
        let withBackups = ChannelSettings(members: ["a", "b"], backupMembers: ["x"], dailyCap: 1)
        #expect(withBackups.activeMembers(addsToday: ["a": 1, "b": 1, "x": 5], weekday: 4) == ["x"])

        let roundRobin = ChannelSettings(members: ["a", "b", "c"], dailyCap: 1)
        #expect(roundRobin.activeMembers(addsToday: ["a": 1, "b": 3, "c": 1], weekday: 4) == ["a", "c"])

        let leastLoaded = ChannelSettings(members: ["a", "b", "c"], strategy: .leastLoaded, dailyCap: 1)
        #expect(leastLoaded.activeMembers(addsToday: ["a": 4, "b": 1, "c": 2], weekday: 4) == ["b"])
        #expect(leastLoaded.activeMembers(addsToday: ["a": 1, "b": 1, "c": 2], weekday: 4) == ["a", "b"])
    }

    /// The field a validation failure names, or nil when the value passed.
    static func failingField(_ validate: () throws(ValidationError) -> Void) -> String? {
        do {
            try validate()
            return nil
        } catch {
            return error.field
        }
    }

    @Test("settings validation names the field at fault")
    func settingsValidation() {
        let valid = ChannelSettings(members: ["a", "b"], backupMembers: ["x"], dailyCap: 1)
        #expect(Self.failingField(valid.validate) == nil)

        var bad = valid
        bad.members = []
        #expect(Self.failingField(bad.validate) == "members")
        bad = valid
        bad.backupMembers = (0..<99).map { "b\($0)" }
        #expect(Self.failingField(bad.validate) == "members", "101 members and backups")
        bad = valid
        bad.dailyCap = 0
        #expect(Self.failingField(bad.validate) == "daily_cap")
        bad = valid
        bad.strategy = .schedule
        #expect(Self.failingField(bad.validate) == "schedule")
        bad.schedule = [:]
        #expect(Self.failingField(bad.validate) == "schedule")
        bad.schedule = ["8": ["a"]]
        #expect(Self.failingField(bad.validate) == "schedule")
        bad.schedule = ["Mon": ["a"]]
        #expect(Self.failingField(bad.validate) == "schedule")
        bad.schedule = ["1": ["x"]]
        #expect(Self.failingField(bad.validate) == "schedule", "a backup is not on the schedule's roster")
        bad.schedule = ["1": ["a"], "7": ["b"]]
        #expect(Self.failingField(bad.validate) == nil)
        bad = valid
        bad.welcome = WelcomeMessage(text: "")
        #expect(Self.failingField(bad.validate) == "welcome.text", "the welcome is validated with the settings")
    }

    @Test("welcome messages: text or an attachment, at most 4000 bytes and 9 attachments, complete attachments")
    func welcomeValidation() {
        let link = WelcomeAttachment(type: .link, title: "新人礼", url: "https://example.com/gift")
        #expect(Self.failingField(WelcomeMessage(text: "你好").validate) == nil)
        #expect(Self.failingField(WelcomeMessage(text: "", attachments: [link]).validate) == nil)
        #expect(Self.failingField(WelcomeMessage(text: "").validate) == "welcome.text")
        #expect(Self.failingField(WelcomeMessage(text: String(repeating: "欢", count: 1333)).validate) == nil, "3999 bytes")
        #expect(Self.failingField(WelcomeMessage(text: String(repeating: "欢", count: 1334)).validate) == "welcome.text", "4002 bytes")
        #expect(Self.failingField(WelcomeMessage(text: "x", attachments: Array(repeating: link, count: 9)).validate) == nil)
        #expect(Self.failingField(WelcomeMessage(text: "x", attachments: Array(repeating: link, count: 10)).validate) == "welcome.attachments")

        let incomplete: [WelcomeAttachment] = [
            WelcomeAttachment(type: .link, title: "无链接"),
            WelcomeAttachment(type: .link, url: "https://example.com"),
            WelcomeAttachment(type: .image, title: "没有图"),
            WelcomeAttachment(type: .miniprogram, title: "小程序", mediaID: "MEDIA", appID: "wx123"),
            WelcomeAttachment(type: .miniprogram, title: "小程序", appID: "wx123", page: "pages/index"),
        ]
        for attachment in incomplete {
            #expect(Self.failingField(WelcomeMessage(text: "x", attachments: [attachment]).validate) == "welcome.attachments", "\(attachment)")
        }
        let complete: [WelcomeAttachment] = [
            WelcomeAttachment(type: .image, mediaID: "MEDIA"),
            WelcomeAttachment(type: .image, picURL: "https://example.com/a.png"),
            WelcomeAttachment(type: .miniprogram, title: "小程序", mediaID: "MEDIA", appID: "wx123", page: "pages/index"),
        ]
        #expect(Self.failingField(WelcomeMessage(text: "", attachments: complete).validate) == nil)
    }

    @Test("welcome text renders all four variables, each as often as it appears")
    func welcomeRender() {
        let message = WelcomeMessage(text: "{nickname}您好！我是{member}。{客户昵称}，有事找{成员姓名}，{nickname}别客气")
        #expect(message.render(customerName: "小王", memberName: "张三") == "小王您好！我是张三。小王，有事找张三，小王别客气")
        #expect(WelcomeMessage(text: "没有变量 {unknown}").render(customerName: "a", memberName: "b") == "没有变量 {unknown}")
    }

    @Test("a nickname that looks like a variable is inserted as it is, not rendered again")
    func welcomeRenderIsSinglePass() {
        let message = WelcomeMessage(text: "{nickname}您好，我是{member}")
        #expect(message.render(customerName: "{member}", memberName: "张三") == "{member}您好，我是张三")
        #expect(message.render(customerName: "{成员姓名}", memberName: "张三") == "{成员姓名}您好，我是张三")
    }
}

@Suite("CSV and the business calendar")
struct CSVAndCalendarTests {
    @Test("CSV round trip keeps commas, quotes, line breaks, Chinese and empty fields")
    func csvRoundTrip() throws {
        let rows: [[String]] = [
            ["external_userid", "name", "tags", "field:备注"],
            ["wm001", "张三, 李四", "VIP;老客", "他说\"你好\""],
            ["wm002", "", "", "第一行\n第二行"],
            ["wm003", "Windows\r\n换行", "\"", ",,"],
            ["wm004", "只有\r回车", "😀 表情", " 前后空格 "],
            ["", "", "", ""],
        ]
        let text = CSV.encode(rows)
        #expect(text.hasSuffix("\r\n"))
        #expect(try CSV.decode(text) == rows)
        #expect(CSV.encode([["a", "b"]]) == "a,b\r\n", "plain fields are not quoted")
        #expect(CSV.encode([["a,b", "c\"d"]]) == "\"a,b\",\"c\"\"d\"\r\n")
    }

    @Test("CSV decoding accepts LF line ends, a last line without one, and quoted fields ending a line")
    func csvDecodeVariants() throws {
        #expect(try CSV.decode("a,b\nc,d") == [["a", "b"], ["c", "d"]])
        #expect(try CSV.decode("a,\"b\"\r\n\"c\",d\r\n") == [["a", "b"], ["c", "d"]])
        #expect(try CSV.decode("a,\n") == [["a", ""]])
        #expect(try CSV.decode("") == [])
    }

    @Test("an unclosed quote throws")
    func csvUnclosedQuote() {
        #expect(throws: CSV.ParseError.self) { try CSV.decode("external_userid,name\r\nwm001,\"张三\r\nwm002,李四\r\n") }
        #expect(throws: CSV.ParseError.self) { try CSV.decode("\"") }
        #expect(throws: CSV.ParseError.self) { try CSV.decode("a,\"b\"\"") }
    }

    /// 2024-01-01 00:00 in China is 2023-12-31 16:00 UTC.
    static let newYearChina = Date(timeIntervalSince1970: 1_704_038_400)

    @Test("day numbers, labels and weekdays turn at midnight China time, not UTC")
    func calendarAroundMidnight() {
        let calendar = BusinessCalendar.platform
        let before = Self.newYearChina.addingTimeInterval(-1)
        let at = Self.newYearChina
        #expect(calendar.dayNumber(at) - calendar.dayNumber(before) == 1)
        #expect(calendar.label(before) == "2023-12-31")
        #expect(calendar.label(at) == "2024-01-01")
        #expect(calendar.weekday(before) == 7, "Sunday")
        #expect(calendar.weekday(at) == 1, "Monday")
        #expect(calendar.startOfDay(at.addingTimeInterval(86399)) == at)
        #expect(calendar.startOfDay(before) == at.addingTimeInterval(-86400))
        // 08:00 China is midnight UTC: still the same China day.
        #expect(calendar.dayNumber(at.addingTimeInterval(8 * 3600)) == calendar.dayNumber(at))

        let utc = BusinessCalendar(utcOffsetSeconds: 0)
        #expect(utc.label(at) == "2023-12-31")
        #expect(utc.weekday(at) == 7)
        #expect(BusinessCalendar.label(dayNumber: 0) == "1970-01-01")
        #expect(calendar.dayNumber(Date(timeIntervalSince1970: -8 * 3600)) == 0)
        #expect(calendar.weekday(Date(timeIntervalSince1970: -8 * 3600)) == 4, "1970-01-01 was a Thursday")
        #expect(calendar.label(Date(timeIntervalSince1970: 1_709_222_400)) == "2024-03-01", "after a leap day")
    }
}
