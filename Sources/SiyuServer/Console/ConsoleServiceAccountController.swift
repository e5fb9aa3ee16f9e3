import Foundation
import Hummingbird
import SiyuCore
import SiyuStore

/// 服务号: the corp's service accounts, an account's followers (growth over the report period and
/// the list, 50 a page by cursor) and a follower's profile with the timeline as sentences.
/// Admins and operators; employees see none of it.
struct ConsoleServiceAccountController: Sendable {
    let store: SiyuStore
    let layout: ConsoleLayout
    static let pageSize = 50
    static let section = "accounts"

    func addRoutes(to group: RouterGroup<ConsoleContext>) {
        group.get("accounts", use: list)
        group.get("accounts/{app_id}/followers", use: followers)
        group.get("accounts/{app_id}/followers/{openid}", use: follower)
    }

    /// The account the path names, when it is the corp's (another corp's is "not found").
    static func account(_ store: SiyuStore, _ context: ConsoleContext) async throws -> ServiceAccountSummary {
        try context.requireOperator()
        let corpID = try context.corp()
        guard let account = try await store.serviceAccounts.find(appID: try context.parameters.require("app_id")), account.corpID == corpID else {
            throw ConsoleRefusal(.notFound, "error_not_found")
        }
        return account
    }

    /// The tabs of an account's pages (粉丝, 自动回复, 自定义菜单), the current one marked.
    static func tabs(_ account: ServiceAccountSummary, current: String, _ t: [String: String]) -> [ConsoleOption] {
        ["followers", "replies", "menu"].map { ConsoleOption(value: "/console/accounts/\(account.appID)/\($0)", label: t["account_tab_" + $0] ?? $0, selected: $0 == current) }
    }

    struct ListPage: Sendable {
        struct Row: Sendable {
            var appID: String
            var name: String
            var mode: String
            var followers: Int
            var newToday: Int
        }

        var accounts: [Row]
    }

    @Sendable func list(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireOperator()
        let corpID = try context.corp()
        let t = layout.renderer.strings.table(ConsoleLanguage(request))
        let now = layout.time()
        var rows: [ListPage.Row] = []
        for account in try await store.serviceAccounts.list(corpID: corpID) {
            let today = try await store.followers.growth(corpID: corpID, appID: account.appID, from: now, to: now, calendar: context.calendar).last
            rows.append(ListPage.Row(
                appID: account.appID, name: account.name, mode: t["account_mode_" + account.mode.rawValue] ?? account.mode.rawValue,
                followers: today?.total ?? 0, newToday: today?.new ?? 0
            ))
        }
        return try await layout.page(.accounts, request, context, section: Self.section, title: t["nav_accounts"] ?? "", model: ListPage(accounts: rows))
    }

    struct FollowersPage: Sendable {
        struct Row: Sendable {
            var openID: String
            var remark: String?
            var subscribedAt: String
            var source: String
            var tags: Int
            var lastSeen: String
        }

        var appID: String
        var name: String
        var tabs: [ConsoleOption]
        var total: Int
        var newPeriod: Int
        var lostPeriod: Int
        var netPeriod: Int
        var flowChart: String
        var totalChart: String
        var channelOptions: [ConsoleOption]
        var filtered: Bool
        var followers: [Row]
        var next: String?
        var first: String?
    }

    @Sendable func followers(_ request: Request, context: ConsoleContext) async throws -> Response {
        let account = try await Self.account(store, context)
        let corpID = account.corpID
        let t = layout.renderer.strings.table(ConsoleLanguage(request))
        let names = try await ConsoleNames(store: store, corpID: corpID)
        let query = request.uri.queryParameters
        let channelID = query.get("channel_id").flatMap { $0.isEmpty ? nil : String($0) }
        let cursor = query.get("cursor").flatMap { $0.isEmpty ? nil : String($0) }
        let period = ReportPeriod(lastDays: ConsoleDashboardController.days, endingAt: layout.time(), calendar: context.calendar)
        let days = try await store.followers.growth(corpID: corpID, appID: account.appID, from: period.start, to: period.now, calendar: context.calendar)
        let page = try await store.followers.list(corpID: corpID, appID: account.appID, channelID: channelID, after: cursor, limit: Self.pageSize + 1)
        let shown = page.prefix(Self.pageSize)
        let base = "/console/accounts/\(account.appID)/followers"
        let filter = channelID.map { "channel_id=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") }
        let newPeriod = days.reduce(0) { $0 + $1.new }, lostPeriod = days.reduce(0) { $0 + $1.lost }
        func time(_ date: Date?) -> String { date.map(context.calendar.minuteLabel) ?? "–" }
        var channels = names.channels.sorted { ($0.value, $0.key) < ($1.value, $1.key) }.map { ConsoleOption(value: $0.key, label: $0.value, selected: $0.key == channelID) }
        if let channelID, names.channels[channelID] == nil { channels.append(ConsoleOption(value: channelID, label: channelID, selected: true)) }
        let model = FollowersPage(
            appID: account.appID, name: account.name, tabs: Self.tabs(account, current: "followers", t),
            total: days.last?.total ?? 0, newPeriod: newPeriod, lostPeriod: lostPeriod, netPeriod: newPeriod - lostPeriod,
            flowChart: SVGChart.period(t["chart_follower_flow"] ?? "", period, series: [
                .init(name: t["series_new"] ?? "", values: days.map(\.new)), .init(name: t["series_lost"] ?? "", values: days.map(\.lost)),
                .init(name: t["series_net"] ?? "", values: days.map(\.net)),
            ], t: t),
            totalChart: SVGChart.period(t["chart_follower_total"] ?? "", period, series: [.init(name: t["series_followers_total"] ?? "", values: days.map(\.total))], t: t),
            channelOptions: channels, filtered: channelID != nil,
            followers: shown.map { follower in
                let scene = follower.qrScene.isEmpty ? nil : follower.qrScene
                let channel = follower.channelID.map(names.channel)
                return FollowersPage.Row(
                    openID: follower.openID, remark: follower.remark.isEmpty ? nil : follower.remark, subscribedAt: time(follower.subscribedAt),
                    source: [scene, channel].compactMap { $0 }.joined(separator: " · ").ifEmpty("–"), tags: follower.tagIDs.count, lastSeen: time(follower.lastSeenAt)
                )
            },
            next: page.count > Self.pageSize ? shown.last.map { base + "?cursor=" + ($0.openID.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") + (filter.map { "&" + $0 } ?? "") } : nil,
            first: cursor == nil ? nil : base + (filter.map { "?" + $0 } ?? "")
        )
        return try await layout.page(.followers, request, context, section: Self.section, title: account.name, model: model)
    }

    struct FollowerPage: Sendable {
        struct Field: Sendable {
            var label: String
            var value: String
        }

        struct Entry: Sendable {
            var at: String
            var kind: String
            var sentence: String
        }

        var appID: String
        var accountName: String
        var openID: String
        var tabs: [ConsoleOption]
        var subscribed: Bool
        var unsubscribedAt: String?
        var fields: [Field]
        var timeline: [Entry]
    }

    @Sendable func follower(_ request: Request, context: ConsoleContext) async throws -> Response {
        let account = try await Self.account(store, context)
        let openID = try context.parameters.require("openid")
        guard let follower = try await store.followers.find(corpID: account.corpID, appID: account.appID, openID: openID) else {
            throw ConsoleRefusal(.notFound, "error_not_found")
        }
        let t = layout.renderer.strings.table(ConsoleLanguage(request))
        let names = try await ConsoleNames(store: store, corpID: account.corpID)
        func time(_ date: Date?) -> String { date.map(context.calendar.minuteLabel) ?? "–" }
        let fields: [(String, String?)] = [
            ("col_remark", follower.remark), ("col_subscribed_at", time(follower.subscribedAt)),
            ("col_subscribe_scene", follower.subscribeScene.isEmpty ? nil : t["subscribe_scene_" + follower.subscribeScene] ?? follower.subscribeScene),
            ("col_qr_scene", follower.qrScene), ("col_channel", follower.channelID.map(names.channel)),
            ("col_follower_tags", follower.tagIDs.isEmpty ? nil : follower.tagIDs.map(String.init).joined(separator: ", ")),
            ("col_language", follower.language), ("col_unionid", follower.unionID), ("col_last_seen", time(follower.lastSeenAt)),
        ]
        let timeline = follower.subscribed ? try await store.followers.timeline(corpID: account.corpID, appID: account.appID, openID: openID) : []
        let model = FollowerPage(
            appID: account.appID, accountName: account.name, openID: openID, tabs: Self.tabs(account, current: "followers", t),
            subscribed: follower.subscribed, unsubscribedAt: follower.subscribed ? nil : time(follower.unsubscribedAt),
            fields: follower.subscribed ? fields.compactMap { (label, value) -> FollowerPage.Field? in
                guard let value, !value.isEmpty else { return nil }
                return FollowerPage.Field(label: t[label] ?? label, value: value)
            } : [],
            timeline: timeline.map { FollowerPage.Entry(at: time($0.at), kind: $0.kind, sentence: Self.sentence($0, names: names, t)) }
        )
        return try await layout.page(.follower, request, context, section: Self.section, title: follower.remark.isEmpty ? openID : follower.remark, model: model)
    }

    /// A timeline entry in words: `follower_event_<kind>` (a message by its type, a follow with or
    /// without its scene) with the entry's details filled in.
    static func sentence(_ entry: FollowerStore.TimelineEntry, names: ConsoleNames, _ t: [String: String]) -> String {
        var detail = entry.detail
        var key = "follower_event_" + entry.kind
        switch entry.kind {
        case "follow":
            if let channel = detail["channel_id"] { detail["channel"] = names.channel(channel) }
            if detail["scene"] != nil { key += "_scene" }
        case "message":
            let type = detail["type"] ?? ""
            key += t[key + "_" + type] == nil ? "" : "_" + type
        default: break
        }
        var text = t[key] ?? entry.kind
        for (name, value) in detail { text = text.replacingOccurrences(of: "{\(name)}", with: value) }
        if entry.kind == "follow", let channel = detail["channel"] { text += (t["follower_event_channel"] ?? "").replacingOccurrences(of: "{channel}", with: channel) }
        // A placeholder the entry has no value for (a voice message without recognition) is left out.
        return text.replacingOccurrences(of: #"\{[a-z_]+\}"#, with: "", options: .regularExpression)
    }
}

extension String {
    /// The string, or `fallback` when it is empty.
    func ifEmpty(_ fallback: String) -> String { isEmpty ? fallback : self }
}
