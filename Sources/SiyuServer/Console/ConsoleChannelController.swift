import Foundation
import Hummingbird
import SiyuCore
import SiyuStore
import WeCom

/// 渠道活码: the list with statistics, a channel's QR code and growth, create, edit and delete
/// (through ``ChannelCodes``, like the REST API).
struct ConsoleChannelController: Sendable {
    let store: SiyuStore
    let codes: ChannelCodes
    let layout: ConsoleLayout

    func addRoutes(to group: RouterGroup<ConsoleContext>) {
        group.get("channels", use: list)
        group.get("channels.csv", use: list)
        group.get("channels/new", use: newForm)
        group.post("channels", use: create)
        group.get("channels/{channel_id}", use: show)
        group.post("channels/{channel_id}", use: update)
        group.post("channels/{channel_id}/delete", use: delete)
    }

    @Sendable func list(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireOperator()
        let corpID = try context.corp()
        let totals = try await store.channels.totals(corpID: corpID)
        let period = try await store.channels.statistics(corpID: corpID, period: ReportPeriod(lastDays: ConsoleDashboardController.days, endingAt: codes.time(), calendar: context.calendar))
        let t = layout.renderer.strings.table(ConsoleLanguage(request))
        let names = try await ConsoleNames(store: store, corpID: corpID)
        let search = (request.uri.queryParameters.get("q").map { String($0) } ?? "").trimmingCharacters(in: .whitespaces)
        let all = try await store.channels.list(corpID: corpID)
        let shown = search.isEmpty ? all : all.filter { channel in
            channel.name.localizedCaseInsensitiveContains(search) || channel.channelID == search
                || (channel.settings.members + channel.settings.backupMembers).contains { names.member($0).contains(search) || $0 == search }
        }
        let model = ListPage(
            channels: shown.map { channel in
                let total = totals[channel.channelID] ?? ChannelStore.Totals()
                return ListPage.Row(
                    channelID: channel.channelID, name: channel.name, members: channel.settings.members.map(names.member).joined(separator: "、"),
                    activeMembers: channel.activeMembers.map(names.member).joined(separator: "、"), strategy: t["strategy_" + channel.settings.strategy.rawValue] ?? "",
                    adds: total.adds, active: total.active, lost: total.lost,
                    recent: period[channel.channelID]?.totalAdds ?? 0, recentLost: period[channel.channelID]?.totalLosses ?? 0
                )
            },
            q: search.isEmpty ? nil : search, count: shown.count, allCount: all.count, anyChannels: !all.isEmpty
        )
        if request.uri.path.hasSuffix(".csv") {
            return CSVExport.response(
                filename: "channels.csv",
                header: ["channel_id", "name", "member_userids", "members", "strategy", "adds_30d", "losses_30d", "adds_total", "active", "lost"],
                rows: zip(shown, model.channels).map { channel, row in
                    [row.channelID, row.name, channel.settings.members.joined(separator: ";"), channel.settings.members.map(names.member).joined(separator: ";"),
                     row.strategy, String(row.recent), String(row.recentLost), String(row.adds), String(row.active), String(row.lost)]
                }
            )
        }
        return try await layout.page(.channels, request, context, section: "channels", title: t["nav_channels"] ?? "", model: model)
    }

    struct ListPage: Sendable {
        struct Row: Sendable {
            var channelID: String
            var name: String
            var members: String
            var activeMembers: String
            var strategy: String
            var adds: Int
            var active: Int
            var lost: Int
            /// The report period's adds and losses (`ReportPeriod`, the dashboard's definition).
            var recent: Int
            var recentLost: Int
        }

        var channels: [Row]
        var q: String?
        var count: Int
        var allCount: Int
        var anyChannels: Bool
    }

    @Sendable func newForm(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireOperator()
        return try await renderForm(request, context, channel: nil, values: FormValues(settings: ChannelSettings(members: []), name: ""), errors: [:])
    }

    @Sendable func create(_ request: Request, context: ConsoleContext) async throws -> Response {
        try await submit(request, context, editing: nil)
    }

    @Sendable func show(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireOperator()
        let channel = try await codes.find(corpID: try context.corp(), channelID: try context.parameters.require("channel_id"))
        return try await renderForm(request, context, channel: channel, values: FormValues(settings: channel.settings, name: channel.name), errors: [:])
    }

    @Sendable func update(_ request: Request, context: ConsoleContext) async throws -> Response {
        let channel = try await codes.find(corpID: try context.corp(), channelID: try context.parameters.require("channel_id"))
        return try await submit(request, context, editing: channel)
    }

    @Sendable func delete(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireOperator()
        let corpID = try context.corp()
        let channel = try await codes.find(corpID: corpID, channelID: try context.parameters.require("channel_id"))
        try await codes.delete(corpID: corpID, channel, actor: context.actor)
        return .redirect(to: "/console/channels?done=deleted")
    }

    /// Creates a channel (or saves `editing`) from the form; a wrong field shows the form again with the message beside it.
    private func submit(_ request: Request, _ context: ConsoleContext, editing channel: Channel?) async throws -> Response {
        try context.requireOperator()
        let corpID = try context.corp()
        var request = request
        var values = FormValues(form: try await ConsoleForm.read(&request), base: channel?.settings ?? ChannelSettings(members: []))
        do {
            let settings = try values.parse()
            if let channel {
                _ = try await codes.update(corpID: corpID, channel, name: values.name, settings: settings, actor: context.actor)
                return .redirect(to: "/console/channels/\(channel.channelID)?done=saved")
            }
            let created = try await codes.create(corpID: corpID, name: values.name, settings: settings, actor: context.actor)
            return .redirect(to: "/console/channels/\(created.channelID)?done=created")
        } catch let error as ValidationError {
            return try await renderForm(request, context, channel: channel, values: values, errors: layout.fieldErrors(error, request), status: .unprocessableContent)
        } catch let error as WeComAPIError {
            values.failure = layout.renderer.strings.platformError(errcode: error.errcode, errmsg: error.errmsg, ConsoleLanguage(request))
            return try await renderForm(request, context, channel: channel, values: values, errors: [:], status: .badGateway)
        }
    }

    private func renderForm(
        _ request: Request, _ context: ConsoleContext, channel: Channel?, values: FormValues, errors: [String: String], status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let corpID = try context.corp()
        let t = layout.renderer.strings.table(ConsoleLanguage(request))
        let chosenTags = Set(values.settings.autoTagIDs)
        let names = try await ConsoleNames(store: store, corpID: corpID)
        var page: [String: Any] = [
            "name": values.name, "daily_cap": values.dailyCap,
            "member_picker": names.picker(field: "members", chosen: values.settings.members),
            "backup_picker": names.picker(field: "backup_members", chosen: values.settings.backupMembers),
            "skip_verify": values.settings.skipVerify, "welcome_text": values.settings.welcome?.text ?? "", "errors": errors,
            "strategies": RotationStrategy.allCases.map { ["value": $0.rawValue, "label": t["strategy_" + $0.rawValue] ?? $0.rawValue, "selected": $0 == values.settings.strategy] as [String: Any] },
            "schedule": (1...7).map { ["day": $0, "label": t["weekday_\($0)"] ?? "\($0)", "value": (values.settings.schedule?[String($0)] ?? []).joined(separator: ", ")] as [String: Any] },
            "tag_groups": try await store.directory.tagGroups(corpID: corpID).map { group -> [String: Any] in
                ["name": group.name, "tags": group.tags.map { ["tag_id": $0.tagID, "name": $0.name, "checked": chosenTags.contains($0.tagID)] as [String: Any] }]
            },
            "action": channel.map { "/console/channels/\($0.channelID)" } ?? "/console/channels",
        ]
        if let failure = values.failure { page["failure"] = failure }
        if let channel {
            page["channel"] = [
                "channel_id": channel.channelID, "name": channel.name, "qr": channel.qrCode ?? "", "has_qr": channel.qrCode != nil,
                "state": channel.state, "active_members": channel.activeMembers.map(names.member).joined(separator: "、"),
            ] as [String: Any]
            let period = ReportPeriod(lastDays: ConsoleDashboardController.days, endingAt: codes.time(), calendar: context.calendar)
            let stats = try await store.channels.statistics(corpID: corpID, channelID: channel.channelID, period: period)
            page["stats"] = ["adds": stats.totalAdds, "losses": stats.totalLosses, "net": stats.totalAdds - stats.totalLosses] as [String: Any]
            let series: [SVGChart.Series] = [
                .init(name: t["series_new"] ?? "", values: stats.days.map(\.adds)), .init(name: t["series_lost"] ?? "", values: stats.days.map(\.losses)),
            ]
            let partial = period.lastDayIsPartial ? t["chart_partial_day"] : nil
            page["chart"] = SVGChart.both { SVGChart.line(title: t["chart_channel"] ?? "", labels: period.shortLabels, series: series, partialLast: partial, width: $0) }
                + SVGChart.table(caption: t["chart_as_table"] ?? "", dayHeading: t["col_day"] ?? "", labels: period.shortLabels, series: series, partialLast: partial)
        }
        let title = channel?.name ?? (t["channel_new"] ?? "")
        return try await layout.page(.channel, request, context, section: "channels", title: title, page, status: status)
    }

    /// The form's fields as typed, kept for showing them again next to their errors.
    struct FormValues {
        var settings: ChannelSettings
        var name: String
        var dailyCap: String
        var failure: String?

        init(settings: ChannelSettings, name: String) {
            self.settings = settings
            self.name = name
            self.dailyCap = settings.dailyCap.map(String.init) ?? ""
        }

        /// What the form says, over `base` (attachments of a welcome message are kept: the form edits only its text).
        init(form: ConsoleForm, base: ChannelSettings) {
            var settings = base
            settings.members = form.list("members")
            settings.backupMembers = form.list("backup_members")
            settings.strategy = RotationStrategy(rawValue: form["strategy"] ?? "") ?? .roundRobin
            var schedule: [String: [String]] = [:]
            for day in 1...7 where !form.list("schedule_\(day)").isEmpty { schedule[String(day)] = form.list("schedule_\(day)") }
            settings.schedule = schedule.isEmpty ? nil : schedule
            settings.autoTagIDs = form.values("auto_tag_ids")
            settings.skipVerify = form["skip_verify"] != nil
            let text = form["welcome_text"] ?? ""
            let attachments = base.welcome?.attachments ?? []
            settings.welcome = text.isEmpty && attachments.isEmpty ? nil : WelcomeMessage(text: text, attachments: attachments)
            self.settings = settings
            self.name = form["name"] ?? ""
            self.dailyCap = form["daily_cap"] ?? ""
        }

        /// The settings, or the first field that is wrong.
        mutating func parse() throws -> ChannelSettings {
            if dailyCap.isEmpty {
                settings.dailyCap = nil
            } else if let cap = Int(dailyCap) {
                settings.dailyCap = cap
            } else {
                throw ValidationError(field: "daily_cap", message: "daily_cap is a whole number")
            }
            try Channel.validateName(name)
            try settings.validate()
            return settings
        }
    }
}
