import Foundation
import SiyuCore
import WeComSandbox

/// The demo brand: 山隅咖啡 (Shanyu Coffee), a coffee chain with stores in three regions and an
/// online team. Its people, channels and tags are fixed; its customers are drawn from a seeded
/// generator, so the same seed gives the same brand.
public enum DemoBrand {
    public static let corp = SandboxCorpConfig(
        corpID: "wwshanyucoffee01", secret: "shanyu-demo-secret", token: "ShanyuDemo",
        encodingAESKey: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
    )
    public static let name = "山隅咖啡 Shanyu Coffee"

    public static let departments = ["华东大区", "华南大区", "华北大区", "线上运营"]

    /// (userid, name, department index, position): five per department.
    public static let members: [(userID: String, name: String, department: Int, position: String)] = [
        ("linxiaoyu", "林晓雨", 0, "店长"), ("zhouhao", "周浩", 0, "咖啡师"), ("chenjing", "陈静", 0, "导购"),
        ("wangyiran", "王一然", 0, "导购"), ("sunjie", "孙杰", 0, "咖啡师"),
        ("liuyang", "刘洋", 1, "店长"), ("huangmin", "黄敏", 1, "导购"), ("zhengkai", "郑凯", 1, "咖啡师"),
        ("hexin", "何欣", 1, "导购"), ("luowei", "罗薇", 1, "咖啡师"),
        ("zhaolei", "赵磊", 2, "店长"), ("qianlu", "钱露", 2, "导购"), ("fengxue", "冯雪", 2, "咖啡师"),
        ("mabin", "马斌", 2, "导购"), ("songjia", "宋佳", 2, "咖啡师"),
        ("tangning", "唐宁", 3, "社群运营"), ("xuqing", "许晴", 3, "客服"), ("hanmei", "韩梅", 3, "客服"),
        ("yuzhe", "于哲", 3, "内容运营"), ("guxin", "顾昕", 3, "社群运营"),
    ]

    /// A channel code: its members (by index into ``members``) and its share of new customers.
    public struct ChannelPlan: Sendable {
        public var name: String
        public var members: [Int]
        public var weight: Int
        public var welcome: String
    }

    public static let channels: [ChannelPlan] = [
        ChannelPlan(name: "门店海报", members: [0, 2, 3, 5, 6, 8, 10, 11, 13], weight: 34,
                    welcome: "你好{nickname}，我是山隅咖啡的{member}。到店出示本消息，第二杯半价 ☕"),
        ChannelPlan(name: "外卖卡片", members: [15, 16, 17], weight: 20,
                    welcome: "感谢点单！我是{member}，外卖有任何问题随时找我。"),
        ChannelPlan(name: "小程序", members: [16, 17, 18], weight: 16,
                    welcome: "{nickname}你好，小程序下单积分翻倍，本周新品：桂花拿铁。"),
        ChannelPlan(name: "朋友圈广告", members: [15, 19], weight: 12,
                    welcome: "欢迎来到山隅咖啡！新人券已放入你的小程序账户。"),
        ChannelPlan(name: "企业官网", members: [18], weight: 5,
                    welcome: "你好，我是{member}，企业团购与咖啡课程都可以问我。"),
        ChannelPlan(name: "线下活动", members: [1, 4, 7, 9, 12, 14], weight: 9,
                    welcome: "今天的手冲体验课还喜欢吗？{member}会把课程资料发给你。"),
    ]
    /// Customers who added a member directly (a business card, a search), not through a channel.
    public static let directWeight = 4

    public static let tagGroups: [(name: String, tags: [String])] = [
        ("会员等级", ["普通会员", "银卡会员", "金卡会员", "黑金会员"]),
        ("口味偏好", ["美式", "拿铁", "手冲", "冷萃", "燕麦奶"]),
        ("到店频次", ["每天", "每周", "每月", "偶尔"]),
    ]

    /// The brand's day: China time, as its contact policy says.
    public static let calendar = BusinessCalendar(utcOffsetSeconds: 8 * 3600)

    /// The brand's contact budget: the platform's current rule, at most one mass message a week
    /// per customer, nothing between 21:00 and 09:00 — so a new campaign's preview shows who the
    /// budget holds back and why.
    public static var contactPolicy: [String: Any] {
        [
            "platform_rule": "days_in_month", "brand_cap": ["max_touches": 1, "days": 7], "utc_offset_seconds": calendar.utcOffsetSeconds,
            "quiet_hours": ["start_minute": 21 * 60, "end_minute": 9 * 60],
        ]
    }

    /// Campaigns of the past: days before today, hour of the day (China time), audience, text.
    public static let campaigns: [(name: String, daysAgo: Int, hour: Int, segment: String, text: String)] = [
        ("金卡会员·桂花拿铁尝鲜", 12, 10, "tag any (\"金卡会员\", \"黑金会员\") and status = active",
         "桂花拿铁本周上市！金卡及以上会员到店出示会员码，首杯免费升大杯。"),
        ("冷萃季·老客回购券", 5, 15, "tag \"冷萃\" and orders count >= 1",
         "冷萃季回来了：凭此消息到店或小程序下单，冷萃系列立减 8 元，本周日前有效。"),
    ]

    public static let groupNames = [
        "静安寺店福利群", "陆家嘴店早鸟群", "徐汇滨江咖啡研习社", "杭州湖滨店粉丝群", "苏州园区店福利群",
        "南京新街口店会员群", "天河城店福利群", "深圳湾店早鸟群", "前海咖啡研习社", "福田CBD外卖群",
        "广州珠江新城店群", "东莞万象汇店群", "三里屯店福利群", "国贸店早鸟群", "望京咖啡研习社",
        "中关村店会员群", "天津五大道店群", "青岛台东店福利群", "小程序新人群", "黑金会员专属群",
        "手冲爱好者俱乐部", "冷萃夏日群", "燕麦奶同好会", "企业团购对接群", "咖啡课程学员群",
        "周末市集群", "新品试饮官群", "宝妈咖啡群", "学生党优惠群", "山隅咖啡官方总群",
    ]

    static let surnames = Array("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱覃武戴")
    static let givenNames = Array("婷静敏丽芳娜秀英华慧巧美娟红玲霞晶颖琳雪梅莉萍燕艳欣宇浩杰涛磊强军伟斌超明鹏辉刚健波宁洋帆晨阳昊然轩睿子一嘉佳思雨诗可心怡")
    static let nicknames = ["Coco", "Lily", "Momo", "Tony", "Kiki", "阿杰", "小鱼", "安安", "Ella", "Jason", "豆豆", "Vivian", "Leo", "小熊", "Nina", "橙子"]

    /// A plausible customer name: mostly a Chinese name, sometimes a WeChat-style nickname.
    static func customerName(_ random: inout SeededGenerator) -> String {
        let roll = Int.random(in: 0..<10, using: &random)
        if roll == 0 { return nicknames.randomElement(using: &random)! }
        let surname = String(surnames.randomElement(using: &random)!)
        if roll == 1 { return surname + (Bool.random(using: &random) ? "先生" : "女士") }
        let length = Int.random(in: 1...2, using: &random)
        return surname + String((0..<length).map { _ in givenNames.randomElement(using: &random)! })
    }
}
