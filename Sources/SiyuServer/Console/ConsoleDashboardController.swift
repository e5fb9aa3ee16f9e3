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

    @Sendable func dashboard(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireOperator()
        let t = layout.renderer.strings.table(ConsoleLanguage(request))
        guard let corpID = context.signIn.corpID else {
            return try await layout.page(.dashboard, request, context, section: "dashboard", title: t["nav_dashboard"] ?? "", ["no_corp": true])
        }
        let period = ReportPeriod(lastDays: Self.days, endingAt: layout.time(), calendar: context.calendar)
        let report = try await store.customers.growth(corpID: corpID, from: period.start, to: period.now, calendar: context.calendar)
        let channelFigures = try await store.channels.statistics(corpID: corpID, period: period)
        let channelNames = Dictionary(try await store.channels.list(corpID: corpID).map { ($0.channelID, $0.name) }, uniquingKeysWith: { first, _ in first })
        let memberNames = Dictionary(try await store.directory.members(corpID: corpID).map { ($0.userID, $0.name) }, uniquingKeysWith: { first, _ in first })
        let reach = try await store.campaigns.recentReach(corpID: corpID)

        let labels = period.shortLabels
        let partial = period.lastDayIsPartial ? t["chart_partial_day"] : nil
        let totalSeries: [SVGChart.Series] = [.init(name: t["series_total"] ?? "", values: report.days.map(\.total))]
        let flowSeries: [SVGChart.Series] = [
            .init(name: t["series_new"] ?? "", values: report.days.map(\.new)),
            .init(name: t["series_lost"] ?? "", values: report.days.map(\.lost)),
            .init(name: t["series_net"] ?? "", values: report.days.map(\.net)),
        ]
        let newTotal = report.days.reduce(0) { $0 + $1.new }
        let lostTotal = report.days.reduce(0) { $0 + $1.lost }
        var page: [String: Any] = [
            "total": report.days.last?.total ?? 0, "new_today": report.days.last?.new ?? 0, "lost_today": report.days.last?.lost ?? 0,
            "new_period": newTotal, "lost_period": lostTotal, "net_period": newTotal - lostTotal,
            "has_growth": newTotal + lostTotal + (report.days.last?.total ?? 0) > 0,
            "total_chart": SVGChart.both { SVGChart.line(title: t["chart_total"] ?? "", labels: labels, series: totalSeries, partialLast: partial, width: $0) }
                + SVGChart.table(caption: t["chart_as_table"] ?? "", dayHeading: t["col_day"] ?? "", labels: labels, series: totalSeries, partialLast: partial),
            "flow_chart": SVGChart.both { SVGChart.line(title: t["chart_flow"] ?? "", labels: labels, series: flowSeries, partialLast: partial, width: $0) }
                + SVGChart.table(caption: t["chart_as_table"] ?? "", dayHeading: t["col_day"] ?? "", labels: labels, series: flowSeries, partialLast: partial),
            "members": report.addsByMember.map { ["name": memberNames[$0.userID] ?? $0.userID, "userid": $0.userID, "adds": $0.adds] as [String: Any] },
            "reach": reach.map { campaign -> [String: Any] in
                ["campaign_id": campaign.campaignID, "name": campaign.name, "reached": campaign.reached, "recipients": campaign.recipients,
                 "state_label": t["state_" + campaign.state.rawValue] ?? "", "send_at": context.calendar.minuteLabel(campaign.sendAt)]
            },
        ]
        // The channels' adds over the period: the same figures as the channel list and each channel's page.
        let byChannel = channelFigures.map { (channelID: $0.key, adds: $0.value.totalAdds, losses: $0.value.totalLosses) }
            .filter { $0.adds > 0 }.sorted { ($0.adds, $1.channelID) > ($1.adds, $0.channelID) }
        func channelName(_ id: String) -> String { id.isEmpty ? (t["channel_none"] ?? "") : channelNames[id] ?? id }
        if !byChannel.isEmpty {
            page["channel_chart"] = SVGChart.both { width in SVGChart.bars(title: t["chart_channels"] ?? "", items: byChannel.prefix(12).map { (label: channelName($0.channelID), value: $0.adds) }, width: width) }
        }
        page["channel_rows"] = byChannel.map { row -> [String: Any] in
            ["channel_id": row.channelID, "name": channelName(row.channelID), "adds": row.adds, "losses": row.losses, "has_link": !row.channelID.isEmpty]
        }
        return try await layout.page(.dashboard, request, context, section: "dashboard", title: t["nav_dashboard"] ?? "", page)
    }
}
