import Foundation
import Hummingbird
import NIOCore
import SiyuCore
import SiyuStore
import WeCom

/// 群发: the campaign list, the compose page (live audience count and contact-budget preview),
/// a campaign's results with remind and cancel, and an employee's own unsent tasks. Creating,
/// cancelling and reminding go through ``CampaignService``, like the REST API.
struct ConsoleCampaignController: Sendable {
    let store: SiyuStore
    let campaigns: CampaignService
    let layout: ConsoleLayout

    static let pageSize = 20
    static let recipientPageSize = 50
    static let attachmentRows = 3

    func addRoutes(to group: RouterGroup<ConsoleContext>) {
        group.get("campaigns", use: list)
        group.get("campaigns/new", use: compose)
        group.post("campaigns", use: create)
        group.post("campaigns/preview", use: preview)
        group.get("campaigns.csv", use: exportList)
        group.get("campaigns/{campaign_id}/recipients.csv", use: exportRecipients)
        group.get("campaigns/{campaign_id}", use: show)
        group.post("campaigns/{campaign_id}/cancel", use: cancel)
        group.post("campaigns/{campaign_id}/remind", use: remind)
    }

    // MARK: List

    /// Operators see every campaign; an employee sees the unsent tasks they are the sender of.
    @Sendable func list(_ request: Request, context: ConsoleContext) async throws -> Response {
        let corpID = try context.corp()
        let language = ConsoleLanguage(request)
        let t = layout.renderer.strings.table(language)
        if let member = try context.scope().member {
            let tasks = try await store.campaigns.pendingTasks(corpID: corpID, sender: member)
            let model = TasksPage(tasks: tasks.map { task in
                TasksPage.Task(name: task.campaignName, msgid: task.msgID, recipients: task.recipients,
                               createdAt: context.calendar.minuteLabel(task.createdAt), deadlineAt: context.calendar.minuteLabel(task.deadlineAt))
            })
            return try await layout.page(.campaignTasks, request, context, section: "campaigns", title: t["my_tasks"] ?? "", model: model)
        }
        let cursor = request.uri.queryParameters.get("cursor").map { String($0) }
        let page: (items: [CampaignService.Summary], next: String?)
        do {
            page = try await campaigns.page(corpID: corpID, limit: Self.pageSize, cursor: cursor)
        } catch is ValidationError {
            throw ConsoleRefusal(.badRequest, "error_bad_request")
        }
        let model = ListPage(
            campaigns: page.items.map { item in
                let totals = item.results.totals
                return ListPage.Row(
                    campaignID: item.campaign.campaignID, name: item.campaign.name, kind: t["kind_" + item.campaign.kind.rawValue] ?? "",
                    state: item.campaign.state.rawValue, stateLabel: t["state_" + item.campaign.state.rawValue] ?? "",
                    sendAt: context.calendar.minuteLabel(item.campaign.sendAt), recipients: totals.recipients, reached: totals.reached,
                    pending: totals.pending, held: totals.held, failed: totals.failed.values.reduce(0, +), skipped: totals.skipped.values.reduce(0, +)
                )
            },
            firstPage: cursor == nil, next: page.next.map { "/console/campaigns?cursor=" + $0 }
        )
        return try await layout.page(.campaigns, request, context, section: "campaigns", title: t["nav_campaigns"] ?? "", model: model)
    }

    struct ListPage: Sendable {
        struct Row: Sendable {
            var campaignID: String
            var name: String
            var kind: String
            var state: String
            var stateLabel: String
            var sendAt: String
            var recipients: Int
            var reached: Int
            var pending: Int
            var held: Int
            var failed: Int
            var skipped: Int
        }

        var campaigns: [Row]
        var firstPage: Bool
        var next: String?
    }

    /// An employee's unsent platform tasks.
    struct TasksPage: Sendable {
        struct Task: Sendable {
            var name: String
            var msgid: String
            var recipients: Int
            var createdAt: String
            var deadlineAt: String
        }

        var tasks: [Task]
    }

    /// Every campaign with its results, newest first, as CSV.
    @Sendable func exportList(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireOperator()
        let corpID = try context.corp()
        let names = try await ConsoleNames(store: store, corpID: corpID)
        let t = layout.renderer.strings.table(ConsoleLanguage(request))
        var rows: [[String]] = []
        var cursor: String?
        repeat {
            let page = try await campaigns.page(corpID: corpID, limit: 100, cursor: cursor)
            for item in page.items {
                let totals = item.results.totals
                rows.append([
                    item.campaign.campaignID, item.campaign.name, item.campaign.kind.rawValue, item.campaign.state.rawValue,
                    context.calendar.isoLabel(item.campaign.sendAt), names.actor(item.campaign.createdBy, t), String(totals.recipients), String(totals.reached),
                    String(totals.pending), String(totals.held), String(totals.failed.values.reduce(0, +)), String(totals.skipped.values.reduce(0, +)),
                ])
            }
            cursor = page.next
        } while cursor != nil
        return CSVExport.response(
            filename: "campaigns.csv",
            header: ["campaign_id", "name", "kind", "state", "send_at", "created_by", "recipients", "delivered", "pending", "held", "failed", "skipped"], rows: rows
        )
    }

    /// Every recipient of a campaign (optionally of one state) with names, as CSV.
    @Sendable func exportRecipients(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireOperator()
        let corpID = try context.corp()
        let campaign = try await find(context)
        let names = try await ConsoleNames(store: store, corpID: corpID)
        let state = request.uri.queryParameters.get("state").flatMap { RecipientState(rawValue: String($0)) }
        let groupNames = campaign.kind == .groupMessage
            ? Dictionary(try await store.groups.list(corpID: corpID).map { ($0.chatID, $0.name) }, uniquingKeysWith: { first, _ in first }) : [:]
        var rows: [[String]] = []
        var after: String?
        while true {
            let page = try await store.campaigns.recipients(corpID: corpID, campaignID: campaign.campaignID, state: state, after: after, limit: 1000)
            let customers = campaign.kind == .message ? try await store.customers.names(corpID: corpID, externalUserIDs: page.map(\.recipient)) : [:]
            for recipient in page {
                rows.append([
                    recipient.recipient, customers[recipient.recipient] ?? groupNames[recipient.recipient] ?? "", recipient.sender ?? "",
                    recipient.sender.map(names.member) ?? "", recipient.state.rawValue, recipient.reason.rawValue,
                    recipient.sendAt.map(context.calendar.isoLabel) ?? "",
                ])
            }
            guard page.count == 1000, let last = page.last else { break }
            after = last.recipient
        }
        return CSVExport.response(
            filename: "recipients-\(campaign.campaignID).csv",
            header: ["recipient", "name", "sender_userid", "sender", "state", "reason", "send_at"], rows: rows
        )
    }

    // MARK: Compose and create

    @Sendable func compose(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireOperator()
        var values = FormValues()
        // Back from the confirmation: the form as it was sent; from a segment: its expression.
        let query = ConsoleForm(encoded: request.uri.query ?? "")
        if query["kind"] != nil { values = FormValues(form: query) }
        if let audience = query["audience"] { values.audience = audience }
        if query["segment_mode"] != nil {
            let corpID = try context.corp()
            let segment = try await ConsoleSegmentForm.read(query, store: store, corpID: corpID)
            values.segment = segment
            values.audience = segment.text
        }
        return try await renderCompose(request, context, values: values, errors: [:])
    }

    /// The compose form's submit: every wrong field at once beside it (nothing is created), else
    /// a confirmation naming the audience, the held and skipped counts and the send time; the
    /// confirmation's own submit (`confirmed=1`, the same fields) creates the campaign.
    @Sendable func create(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireOperator()
        let corpID = try context.corp()
        var request = request
        let form = try await ConsoleForm.read(&request)
        var values = FormValues(form: form)
        var problems: [any Error] = []
        if form["segment_mode"] != nil {
            let segment = try await ConsoleSegmentForm.read(form, store: store, corpID: corpID)
            values.segment = segment
            values.audience = segment.text
            if let (field, _) = segment.problems.first { problems.append(ValidationError(field: "audience.segment", message: field, rule: "builder")) }
        }
        let (draft, formatProblems) = values.parse(in: context.calendar)
        problems += formatProblems
        var preview: Wire.CampaignPreview?
        do {
            if let draft {
                let review = try await campaigns.review(corpID: corpID, draft)
                problems += review.problems
                preview = review.preview
            }
            guard problems.isEmpty, let draft, let preview else {
                return try await renderCompose(request, context, values: values, errors: errors(problems, request, kind: values.kind), status: .unprocessableContent)
            }
            guard form["confirmed"] == "1" else {
                return try await renderConfirm(request, context, form: form, draft: draft, preview: preview)
            }
            let campaign = try await campaigns.create(corpID: corpID, draft, actor: context.actor)
            return .redirect(to: "/console/campaigns/\(campaign.campaignID)?done=campaign_created")
        } catch let error as ValidationError {
            return try await renderCompose(request, context, values: values, errors: errors([error], request, kind: values.kind), status: .unprocessableContent)
        } catch let refusal as SegmentRefusal {
            return try await renderCompose(request, context, values: values, errors: errors([refusal], request, kind: values.kind), status: .unprocessableContent)
        } catch let error as WeComAPIError {
            values.failure = layout.renderer.strings.platformError(errcode: error.errcode, errmsg: error.errmsg, ConsoleLanguage(request))
            return try await renderCompose(request, context, values: values, errors: [:], status: .badGateway)
        }
    }

    /// Each problem's message under its form field (the first for a field wins).
    private func errors(_ problems: [any Error], _ request: Request, kind: String) -> [String: String] {
        var errors: [String: String] = [:]
        for problem in problems {
            let found: [String: String] = switch problem {
            case let error as ValidationError: layout.fieldErrors(error, request, prefix: "campaign_") { Self.formField($0, kind: kind) }
            case let refusal as SegmentRefusal: ["audience": segmentMessage(refusal, request)]
            default: [:]
            }
            errors.merge(found) { first, _ in first }
        }
        return errors
    }

    /// "向 4,760 位客户发送？其中 403 位将在 09:00 发送": what creating the campaign now will do,
    /// from the same plan the campaign will record, with the form's fields to send again.
    private func renderConfirm(
        _ request: Request, _ context: ConsoleContext, form: ConsoleForm, draft: CampaignDraft, preview: Wire.CampaignPreview
    ) async throws -> Response {
        let corpID = try context.corp()
        let language = ConsoleLanguage(request)
        let strings = layout.renderer.strings
        let t = strings.table(language)
        let names = try await ConsoleNames(store: store, corpID: corpID)
        let summary = preview.summary
        let calendar = context.calendar
        let now = layout.time()
        func fill(_ key: String, _ values: [String: String]) -> String {
            values.reduce(t[key] ?? key) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
        }
        let held = summary.hold.values.reduce(0, +), skipped = summary.skip.values.reduce(0, +)
        let sendLabel = summary.sendAt.timeIntervalSince(now) < 90 ? (t["confirm_now"] ?? "") : calendar.minuteLabel(summary.sendAt)
        let question: String = switch draft.kind {
        case .message: fill("confirm_question_message", ["count": ConsoleFormat.count(summary.audience)])
        case .groupMessage: fill("confirm_question_group", ["count": ConsoleFormat.count(summary.audience), "senders": ConsoleFormat.count(summary.senders.count)])
        case .moment: fill("confirm_question_moment", ["count": ConsoleFormat.count(draft.audience.members?.count ?? 0)])
        }
        var lines: [String] = []
        let sendsNow = summary.sendAt.timeIntervalSince(now) < 90
        if draft.kind != .moment {
            lines.append(fill(sendsNow ? "confirm_send_now" : "confirm_send", ["count": ConsoleFormat.count(summary.send), "time": sendLabel]))
            if held > 0 {
                let until = summary.holdTimes.first.map(calendar.minuteLabel) ?? ""
                lines.append(fill("confirm_held", ["count": ConsoleFormat.count(held), "time": until]))
            }
            for (reason, count) in summary.skip.sorted(by: { ($0.value, $1.key.rawValue) > ($1.value, $0.key.rawValue) }) {
                lines.append(fill("confirm_skipped", ["count": ConsoleFormat.count(count), "reason": t["reason_" + reason.rawValue] ?? reason.rawValue]))
            }
        } else {
            lines.append(sendsNow ? (t["confirm_moment_now"] ?? "") : fill("confirm_moment_time", ["time": sendLabel]))
            let tags = (draft.audience.tagIDs ?? []).map(names.tag)
            lines.append(tags.isEmpty ? (t["confirm_moment_everyone"] ?? "") : fill("confirm_moment_tags", ["tags": tags.joined(separator: "、")]))
        }
        var page: [String: Any] = [
            "question": question, "lines": lines, "name": draft.name, "kind": t["kind_" + draft.kind.rawValue] ?? "",
            "attachments": draft.content.attachments.count,
            "figures": ["audience": summary.audience, "send": summary.send, "hold": held, "skip": skipped],
            "hidden": form.fields.filter { $0.name != "_csrf" && $0.name != "confirmed" }.map { ["name": $0.name, "value": $0.value] },
        ]
        // A section shows for any present value, even an empty one: only what is there goes in.
        if let members = draft.audience.members, !members.isEmpty { page["members"] = members.map(names.member).joined(separator: "、") }
        if draft.kind == .message, let segment = draft.audience.segment, !segment.isEmpty { page["segment"] = segment }
        if let text = draft.content.text, !text.isEmpty { page["text"] = text }
        return try await layout.page(.campaignConfirm, request, context, section: "campaigns", title: t["confirm_title"] ?? "", page)
    }

    private func renderCompose(
        _ request: Request, _ context: ConsoleContext, values: FormValues, errors: [String: String], status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let corpID = try context.corp()
        let t = layout.renderer.strings.table(ConsoleLanguage(request))
        let groups = try await store.directory.tagGroups(corpID: corpID)
        let chosenTags = Set(values.tagIDs)
        let names = try await ConsoleNames(store: store, corpID: corpID)
        let chats = try await store.groups.list(corpID: corpID)
        let segmentForm = values.segment ?? ConsoleSegmentForm(expression: values.audience)
        let rows = max(Self.attachmentRows, min(CampaignContent.maxAttachments, values.attachments.count + 1))
        var page: [String: Any] = [
            "name": values.name, "audience": values.audience, "members": values.members, "text": values.text,
            "send_at": values.sendAt, "deadline_hours": values.deadlineHours, "errors": errors,
            "kinds": CampaignKind.allCases.map { kind -> [String: Any] in
                ["value": kind.rawValue, "label": t["kind_" + kind.rawValue] ?? kind.rawValue, "hint": t["kind_hint_" + kind.rawValue] ?? "", "checked": kind.rawValue == values.kind]
            },
            "builder": segmentForm.fields(names: names, groups: chats, t: t, expressionError: errors["audience"]),
            "saved_segments": try await store.segments.list(corpID: corpID).map { ["name": $0.name, "query": ConsoleSegmentController.query($0.expression)] },
            "tag_groups": groups.map { group -> [String: Any] in
                ["name": group.name, "tags": group.tags.map { ["tag_id": $0.tagID, "name": $0.name, "checked": chosenTags.contains($0.tagID)] as [String: Any] }]
            },
            "member_picker": names.picker(field: "members", chosen: ConsoleForm(pairs: [("members", values.members)]).list("members")),
            "attachment_rows": (0..<rows).map { index -> [String: Any] in
                let row = index < values.attachments.count ? values.attachments[index] : AttachmentRow()
                return [
                    "index": index, "number": index + 1, "title": row.title, "url": row.url, "media_id": row.mediaID,
                    "types": ["", "link", "image"].map { ["value": $0, "label": t["attachment_" + ($0.isEmpty ? "none" : $0)] ?? $0, "selected": $0 == row.type] as [String: Any] },
                ]
            },
            "max_attachments": CampaignContent.maxAttachments,
        ]
        if let failure = values.failure { page["failure"] = failure }
        return try await layout.page(.campaignCompose, request, context, section: "campaigns", title: t["campaign_compose"] ?? "", page, status: status)
    }

    /// The compose form's field for a service's field: one attachments box, and the audience
    /// box (message) or the members box (group and moment) for the audience.
    static func formField(_ field: String, kind: String) -> String {
        switch field {
        case let name where name.hasPrefix("attachments"): "attachments"
        case "audience.tag_ids": "tag_ids"
        case let name where name.hasPrefix("audience"): kind == CampaignKind.message.rawValue ? "audience" : "members"
        default: field
        }
    }

    /// A segment error in the reader's language, with its line and column, as the live preview shows it.
    private func segmentMessage(_ refusal: SegmentRefusal, _ request: Request) -> String {
        let language = ConsoleLanguage(request)
        return layout.renderer.strings.text("preview_error", language) + " " + layout.renderer.strings.segmentError(refusal.error, language)
    }

    /// One attachment row of the form: a link (title + url) or an image (media_id or picture url).
    struct AttachmentRow {
        var type = ""
        var title = ""
        var url = ""
        var mediaID = ""

        var isEmpty: Bool { type.isEmpty && title.isEmpty && url.isEmpty && mediaID.isEmpty }

        var attachment: CampaignAttachment {
            switch type {
            case "link": CampaignAttachment(msgType: "link", body: ["title": title, "url": url].filter { !$0.value.isEmpty })
            case "image": CampaignAttachment(msgType: "image", body: ["media_id": mediaID, "pic_url": url].filter { !$0.value.isEmpty })
            // A row with content but no type: a link when it has a title, an image otherwise.
            default: AttachmentRow(type: title.isEmpty ? "image" : "link", title: title, url: url, mediaID: mediaID).attachment
            }
        }
    }

    /// The compose form's fields as typed, so a refused form comes back filled in.
    struct FormValues {
        var name = ""
        var kind = CampaignKind.message.rawValue
        var audience = "status = active"
        var members = ""
        var tagIDs: [String] = []
        var text = ""
        var attachments: [AttachmentRow] = []
        var sendAt = ""
        var deadlineHours = "72"
        var failure: String?
        /// The audience builder as submitted (its expression is `audience`).
        var segment: ConsoleSegmentForm?

        init() {}

        init(form: ConsoleForm) {
            name = form["name"] ?? ""
            kind = form["kind"] ?? CampaignKind.message.rawValue
            audience = form["audience"] ?? ""
            members = form.list("members").joined(separator: ",")
            tagIDs = form.values("tag_ids")
            text = form["text"] ?? ""
            sendAt = form["send_at"] ?? ""
            deadlineHours = form["deadline_hours"] ?? ""
            attachments = (0..<CampaignContent.maxAttachments).map { index in
                AttachmentRow(
                    type: form["attachment_type_\(index)"] ?? "", title: form["attachment_title_\(index)"] ?? "",
                    url: form["attachment_url_\(index)"] ?? "", mediaID: form["attachment_media_id_\(index)"] ?? ""
                )
            }.filter { !$0.isEmpty }
        }

        /// The service's request and the fields the form could not read; what the service checks
        /// (name, content, audience, schedule) it reports itself. No draft without a kind.
        func parse(in calendar: BusinessCalendar) -> (draft: CampaignDraft?, problems: [ValidationError]) {
            guard let kind = CampaignKind(rawValue: kind) else { return (nil, [ValidationError(field: "kind", message: "kind is message, group_message or moment")]) }
            var problems: [ValidationError] = []
            let members = ConsoleForm(pairs: [("members", self.members)]).list("members")
            let audience: CampaignAudience = switch kind {
            case .message: CampaignAudience(segment: self.audience)
            case .groupMessage: CampaignAudience(members: members)
            case .moment: CampaignAudience(members: members.isEmpty ? nil : members, tagIDs: tagIDs.isEmpty ? nil : tagIDs)
            }
            var hours: Int?
            if let value = Int(deadlineHours) {
                hours = value
            } else if !deadlineHours.isEmpty {
                problems.append(ValidationError(field: "deadline_hours", message: "deadline_hours is 1 to 720"))
            }
            var time: Date?
            do { time = try ConsoleCampaignController.sendTime(sendAt, in: calendar) } catch { problems.append(error) }
            let draft = CampaignDraft(
                name: name, kind: kind, audience: audience,
                content: CampaignContent(text: text.isEmpty ? nil : text, attachments: attachments.map(\.attachment)),
                sendAt: time, deadlineHours: hours
            )
            return (draft, problems)
        }
    }

    // MARK: Results

    @Sendable func show(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireOperator()
        return try await renderResults(request, context, campaign: try await find(context), reminders: nil)
    }

    @Sendable func cancel(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireOperator()
        let campaign = try await find(context)
        let cancelled = try await campaigns.cancel(corpID: try context.corp(), campaignID: campaign.campaignID, actor: context.actor)
        return .redirect(to: "/console/campaigns/\(campaign.campaignID)?done=" + (cancelled ? "campaign_cancelled" : "campaign_already_final"))
    }

    /// Reminds members with unsent tasks and shows the results page with each member's outcome.
    @Sendable func remind(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireOperator()
        let campaign = try await find(context)
        let reminders = try await campaigns.remind(corpID: try context.corp(), campaignID: campaign.campaignID)
        let status: HTTPResponse.Status = reminders.nothingPending ? .conflict : reminders.limitReached ? .tooManyRequests : .ok
        return try await renderResults(request, context, campaign: campaign, reminders: reminders, status: status)
    }

    private func find(_ context: ConsoleContext) async throws -> Campaign {
        guard let campaign = try await store.campaigns.find(corpID: try context.corp(), campaignID: try context.parameters.require("campaign_id")) else {
            throw ConsoleRefusal(.notFound, "error_not_found")
        }
        return campaign
    }

    private func renderResults(
        _ request: Request, _ context: ConsoleContext, campaign: Campaign, reminders: CampaignService.Reminders?, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let corpID = try context.corp()
        let t = layout.renderer.strings.table(ConsoleLanguage(request))
        func label(_ prefix: String, _ key: String) -> String { t[prefix + key] ?? key }
        func reasons(_ counts: [RecipientReason: Int]) -> [[String: Any]] {
            counts.map { ($0.key.rawValue, $0.value) }.sorted { ($0.1, $1.0) > ($1.1, $0.0) }
                .map { ["reason": $0.0, "label": label("reason_", $0.0), "count": $0.1] }
        }
        let results = try await campaigns.results(corpID: corpID, campaignID: campaign.campaignID)
        let totals = results.totals
        let tasks = try await store.campaigns.tasks(corpID: corpID, campaignID: campaign.campaignID)
        let names = try await ConsoleNames(store: store, corpID: corpID)
        let open = campaign.isOpen
        let now = layout.time()

        let failed = totals.failed.values.reduce(0, +), skipped = totals.skipped.values.reduce(0, +)
        let bars: [(label: String, value: Int)] = [
            (t["total_reached"] ?? "", totals.reached), (t["total_pending"] ?? "", totals.pending), (t["total_held"] ?? "", totals.held),
            (t["total_failed"] ?? "", failed), (t["total_skipped"] ?? "", skipped), (t["total_cancelled"] ?? "", totals.cancelled),
        ]
        var page: [String: Any] = [
            "campaign": Self.header(campaign, calendar: context.calendar, names: names, t: t, label: label),
            "totals": [
                "recipients": totals.recipients, "reached": totals.reached, "pending": totals.pending, "held": totals.held,
                "failed": failed, "skipped": skipped, "cancelled": totals.cancelled,
            ],
            "failed_reasons": reasons(totals.failed), "skipped_reasons": reasons(totals.skipped),

            "senders": results.senders.map { sender -> [String: Any] in
                [
                    "userid": sender.userID, "name": names.member(sender.userID), "department": names.department(of: sender.userID),
                    "recipients": sender.counts.recipients, "reached": sender.counts.reached,
                    "pending": sender.counts.pending, "held": sender.counts.held, "failed": sender.counts.failed.values.reduce(0, +),
                    "skipped": sender.counts.skipped.values.reduce(0, +),
                ]
            },
            "tasks": tasks.map { task -> [String: Any] in
                [
                    "msgid": task.msgID, "sender": task.sender, "name": names.member(task.sender), "recipients": task.recipients,
                    "state_label": label("task_", task.state.rawValue), "reminders": task.recentReminders(now: now).count,
                ]
            },
            "can_cancel": open, "can_remind": open && tasks.contains { $0.state == .pending },
        ]
        // Who still has to press send in WeCom: what "finished with 0" used to hide.
        let unsent = Set(tasks.filter { $0.state == .pending }.map(\.sender)).sorted().map(names.member)
        if open, !unsent.isEmpty { page["unsent_members"] = unsent.joined(separator: "、") }
        if campaign.state == .planning {
            let progress = campaign.planning ?? Campaign.Planning(progress: 0)
            var planning: [String: Any] = ["percent": Int((progress.progress * 100).rounded(.down))]
            if let recipients = progress.recipients { planning["recipients"] = recipients }
            page["planning"] = planning
            page["refresh_seconds"] = 2
        }
        // An absent chart shows the empty state (an empty string would count as present).
        if totals.recipients > 0 { page["chart"] = SVGChart.both { SVGChart.bars(title: t["results_chart"] ?? "", items: bars, width: $0) } }
        if let reminders {
            page["reminders"] = [
                "nothing_pending": reminders.nothingPending, "limit_reached": reminders.limitReached,
                "outcomes": reminders.outcomes.sorted { $0.key < $1.key }.map { member, outcome -> [String: Any] in
                    var detail = ""
                    if case .refused(let errcode, let message) = outcome { detail = layout.renderer.strings.platformError(errcode: errcode, errmsg: message, ConsoleLanguage(request)) }
                    return ["member": member, "name": names.member(member), "outcome": label("remind_", outcome.code), "detail": detail]
                },
            ] as [String: Any]
        }
        try await addRecipients(request, corpID: corpID, campaign: campaign, calendar: context.calendar, names: names, t: t, to: &page)
        return try await layout.page(.campaign, request, context, section: "campaigns", title: campaign.name, page, status: status)
    }

    /// The results page's header: what the campaign is and when. Templates show a section for any
    /// present value, even an empty string, so what is not there is left out.
    private static func header(_ campaign: Campaign, calendar: BusinessCalendar, names: ConsoleNames, t: [String: String], label: (String, String) -> String) -> [String: Any] {
        let attachments = campaign.content.attachments.map { attachment -> [String: String] in
            let body = attachment.body
            return ["type": label("attachment_", attachment.msgType), "detail": body["title"] ?? body["url"] ?? body["pic_url"] ?? body["media_id"] ?? ""]
        }
        var fields: [String: Any] = [
            "campaign_id": campaign.campaignID, "name": campaign.name, "kind": label("kind_", campaign.kind.rawValue),
            "state": campaign.state.rawValue, "state_label": label("state_", campaign.state.rawValue),
            "send_at": calendar.minuteLabel(campaign.sendAt), "deadline_at": calendar.minuteLabel(campaign.deadlineAt),
            "created_at": calendar.minuteLabel(campaign.createdAt), "created_by": names.actor(campaign.createdBy, t), "created_by_id": campaign.createdBy,
            "attachments": attachments, "is_moment": campaign.kind == .moment,
        ]
        let optional: [String: String?] = [
            "finished_at": campaign.finishedAt.map(calendar.minuteLabel), "text": campaign.content.text, "segment": campaign.audience.segment,
            "members": campaign.audience.members?.map(names.member).joined(separator: "、"), "tag_ids": campaign.audience.tagIDs?.map(names.tag).joined(separator: "、"),
            "moment_id": campaign.momentID, "moment_job_id": campaign.momentJobID, "last_error": campaign.lastError,
        ]
        for (key, value) in optional {
            if let value, !value.isEmpty { fields[key] = value }
        }
        return fields
    }

    /// One page of recipients, optionally of one state, with the filter and the next page's link.
    private func addRecipients(
        _ request: Request, corpID: String, campaign: Campaign, calendar: BusinessCalendar, names: ConsoleNames, t: [String: String], to page: inout [String: Any]
    ) async throws {
        let stateText = request.uri.queryParameters.get("state").map { String($0) } ?? ""
        let state = RecipientState(rawValue: stateText)
        let after = request.uri.queryParameters.get("after").map { String($0) }
        let recipients = try await store.campaigns.recipients(
            corpID: corpID, campaignID: campaign.campaignID, state: state, after: after, limit: Self.recipientPageSize
        )
        let explained: Set<RecipientState> = [.failed, .skipped, .held, .cancelled]
        // Customers by name and avatar, groups by name; the id stays on hover.
        let ids = recipients.map(\.recipient)
        let customers = campaign.kind == .message ? try await store.customers.profiles(corpID: corpID, externalUserIDs: ids) : [:]
        let groupNames = campaign.kind == .groupMessage
            ? Dictionary(try await store.groups.list(corpID: corpID).map { ($0.chatID, $0.name) }, uniquingKeysWith: { first, _ in first }) : [:]
        page["recipients"] = recipients.map { recipient -> [String: Any] in
            let state = recipient.state.rawValue
            let reason = explained.contains(recipient.state) ? (t["reason_" + recipient.reason.rawValue] ?? recipient.reason.rawValue) : ""
            let sendAt = recipient.sendAt.map(calendar.minuteLabel) ?? ""
            return [
                "recipient": recipient.recipient, "is_customer": campaign.kind == .message,
                "recipient_name": (campaign.kind == .message ? customers[recipient.recipient]?.name : groupNames[recipient.recipient]).flatMap { $0.isEmpty ? nil : $0 }
                    ?? (t[campaign.kind == .message ? "customer_unnamed" : "group_unnamed"] ?? ""),
                "avatar": customers[recipient.recipient]?.avatar ?? "", "has_avatar": !(customers[recipient.recipient]?.avatar ?? "").isEmpty,
                "sender": recipient.sender.map(names.member) ?? "", "sender_id": recipient.sender ?? "",
                "state": state, "state_label": t["rstate_" + state] ?? state, "reason": reason, "send_at": sendAt,
            ]
        }
        let states = RecipientState.allCases.map { option -> [String: Any] in
            ["value": option.rawValue, "label": t["rstate_" + option.rawValue] ?? option.rawValue, "selected": option == state]
        }
        page["state_filter"] = [["value": "", "label": t["filter_all_states"] ?? "", "selected": state == nil] as [String: Any]] + states
        page["filtered"] = state != nil || after != nil
        if recipients.count == Self.recipientPageSize, let last = recipients.last?.recipient {
            var query = "after=" + (last.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? last)
            if let state { query += "&state=" + state.rawValue }
            page["recipients_next"] = "/console/campaigns/\(campaign.campaignID)?\(query)#recipients"
        }
    }

    // MARK: Preview

    struct PreviewRequest: Decodable {
        var audience: String
        /// `YYYY-MM-DDTHH:MM` in China time (a `datetime-local` field); now when absent.
        var sendAt: String?
        enum CodingKeys: String, CodingKey { case audience, sendAt = "send_at" }
    }

    /// The compose page's JSON: `CampaignPreview` (the same computation as `POST /api/v1/campaigns/preview`)
    /// with each reason labelled in the reader's language. Sent with the `X-CSRF-Token` header.
    @Sendable func preview(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireOperator()
        let corpID = try context.corp()
        let language = ConsoleLanguage(request)
        let strings = layout.renderer.strings
        let body = try await request.decode(as: PreviewRequest.self, context: context)
        do {
            let sendAt = try Self.sendTime(body.sendAt, in: context.calendar)
            let preview = try await campaigns.previewAudience(corpID: corpID, segment: body.audience, sendAt: sendAt)
            let summary = preview.summary
            func reasons(_ counts: [RecipientReason: Int]) -> [[String: Any]] {
                counts.map { ($0.key.rawValue, $0.value) }.sorted { $0.0 < $1.0 }
                    .map { ["reason": $0.0, "label": strings.text("reason_" + $0.0, language), "count": $0.1] }
            }
            return try ConsoleRenderer.json([
                "audience": summary.audience, "send": summary.send, "hold": reasons(summary.hold), "skip": reasons(summary.skip),
                "senders": summary.senders.count, "calls": summary.calls, "expression": preview.expression ?? "",
                "send_at": context.calendar.minuteLabel(summary.sendAt),
                "hold_until": summary.holdTimes.first.map(context.calendar.minuteLabel) ?? "",
            ], status: .ok)
        } catch let refusal as SegmentRefusal {
            var error: [String: Any] = ["message": strings.segmentError(refusal.error, language)]
            if let position = refusal.error.position { error["line"] = position.line; error["column"] = position.column; error["offset"] = position.offset }
            return try ConsoleRenderer.json(["error": error], status: .ok)
        } catch let error as ValidationError {
            return try ConsoleRenderer.json(["error": ["message": error.message]], status: .ok)
        }
    }

    /// `2026-11-24T10:00` read in the corp's calendar.
    static func sendTime(_ text: String?, in calendar: BusinessCalendar) throws(ValidationError) -> Date? {
        guard let text, !text.isEmpty else { return nil }
        guard let date = calendar.date(parsing: text) else { throw ValidationError(field: "send_at", message: "send_at is YYYY-MM-DDTHH:MM") }
        return date
    }
}
