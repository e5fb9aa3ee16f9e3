import Foundation
import Hummingbird
import SiyuCore
import SiyuStore

/// 数据看板: customers per day over the last 30 days, adds per channel, top members, the reach of recent campaigns.
struct ConsoleDashboardController: Sendable {
    let store: SiyuStore
    let layout: ConsoleLayout
    static let days = 30

    func addRoutes(to group: RouterGroup<ConsoleContext>) {
        group.get("dashboard", use: dashboard)
    }

    /// The dashboard's page model.
    struct Page: Sendable {
        struct Member: Sendable {
            var name: String
            var userid: String
            var adds: Int
        }

        struct Reach: Sendable {
            var campaignID: String
            var name: String
            var reached: Int
            var recipients: Int
            var stateLabel: String
            var sendAt: String
        }

        struct ChannelRow: Sendable {
            var channelID: String
            var name: String
            var adds: Int
            var losses: Int
            var hasLink: Bool
        }

        /// One service account's followers over the period.
        struct Followers: Sendable {
            var appID: String
            var name: String
            var total: Int
            var new: Int
            var lost: Int
            var net: Int
        }

        var noCorp = false
        var total = 0
        var newToday = 0
        var lostToday = 0
        var newPeriod = 0
        var netPeriod = 0
        var hasGrowth = false
        var totalChart = ""
        var flowChart = ""
        /// Absent when no channel brought anyone in the period.
        var channelChart: String?
        var channelRows: [ChannelRow] = []
        var members: [Member] = []
        var reach: [Reach] = []
        /// Empty (and the block absent) when the corp has no service account.
        var followers: [Followers] = []
    }

    @Sendable func dashboard(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireOperator()
        let t = layout.renderer.strings.table(ConsoleLanguage(request))
        guard let corpID = context.signIn.corpID else {
            return try await layout.page(.dashboard, request, context, section: "dashboard", title: t["nav_dashboard"] ?? "", model: Page(noCorp: true))
        }
        let period = ReportPeriod(lastDays: Self.days, endingAt: layout.time(), calendar: context.calendar)
        let report = try await store.customers.growth(corpID: corpID, from: period.start, to: period.now, calendar: context.calendar)
        let channelFigures = try await store.channels.statistics(corpID: corpID, period: period)
        let names = try await ConsoleNames(store: store, corpID: corpID)
        let reach = try await store.campaigns.recentReach(corpID: corpID)

        let totalSeries: [SVGChart.Series] = [.init(name: t["series_total"] ?? "", values: report.days.map(\.total))]
        let flowSeries: [SVGChart.Series] = [
            .init(name: t["series_new"] ?? "", values: report.days.map(\.new)),
            .init(name: t["series_lost"] ?? "", values: report.days.map(\.lost)),
            .init(name: t["series_net"] ?? "", values: report.days.map(\.net)),
        ]
        func chart(_ title: String, _ series: [SVGChart.Series]) -> String { SVGChart.period(title, period, series: series, t: t) }
        let newTotal = report.days.reduce(0) { $0 + $1.new }
        let lostTotal = report.days.reduce(0) { $0 + $1.lost }
        var page = Page(
            total: report.days.last?.total ?? 0, newToday: report.days.last?.new ?? 0, lostToday: report.days.last?.lost ?? 0,
            newPeriod: newTotal, netPeriod: newTotal - lostTotal, hasGrowth: newTotal + lostTotal + (report.days.last?.total ?? 0) > 0,
            totalChart: chart(t["chart_total"] ?? "", totalSeries), flowChart: chart(t["chart_flow"] ?? "", flowSeries),
            members: report.addsByMember.map { Page.Member(name: names.member($0.userID), userid: $0.userID, adds: $0.adds) },
            reach: reach.map { campaign in
                Page.Reach(campaignID: campaign.campaignID, name: campaign.name, reached: campaign.reached, recipients: campaign.recipients,
                           stateLabel: t["state_" + campaign.state.rawValue] ?? "", sendAt: context.calendar.minuteLabel(campaign.sendAt))
            }
        )
        // The channels' adds over the period: the same figures as the channel list and each channel's page.
        let byChannel = channelFigures.map { (channelID: $0.key, adds: $0.value.totalAdds, losses: $0.value.totalLosses) }
            .filter { $0.adds > 0 }.sorted { ($0.adds, $1.channelID) > ($1.adds, $0.channelID) }
        func channelName(_ id: String) -> String { id.isEmpty ? (t["channel_none"] ?? "") : names.channel(id) }
        if !byChannel.isEmpty {
            page.channelChart = SVGChart.both { width in
                SVGChart.bars(title: t["chart_channels"] ?? "", items: byChannel.prefix(12).map { (label: channelName($0.channelID), value: $0.adds) }, width: width)
            }
        }
        page.followers = try await followers(corpID: corpID, period: period, calendar: context.calendar)
        page.channelRows = byChannel.map { Page.ChannelRow(channelID: $0.channelID, name: channelName($0.channelID), adds: $0.adds, losses: $0.losses, hasLink: !$0.channelID.isEmpty) }
        return try await layout.page(.dashboard, request, context, section: "dashboard", title: t["nav_dashboard"] ?? "", model: page)
    }

    /// Each service account's followers now and their new, lost and net over the period (the
    /// figures of the account's followers page).
    private func followers(corpID: String, period: ReportPeriod, calendar: BusinessCalendar) async throws -> [Page.Followers] {
        var blocks: [Page.Followers] = []
        for account in try await store.serviceAccounts.list(corpID: corpID) {
            let days = try await store.followers.growth(corpID: corpID, appID: account.appID, from: period.start, to: period.now, calendar: calendar)
            let new = days.reduce(0) { $0 + $1.new }, lost = days.reduce(0) { $0 + $1.lost }
            blocks.append(Page.Followers(appID: account.appID, name: account.name, total: days.last?.total ?? 0, new: new, lost: lost, net: new - lost))
        }
        return blocks
    }
}
