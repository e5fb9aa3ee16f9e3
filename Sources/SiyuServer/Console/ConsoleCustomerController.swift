import Foundation
import Hummingbird
import SiyuCore
import SiyuStore

/// 客户: a filterable, searchable list (50 a page, by cursor) and a profile with follow
/// relations, editable tags and the timeline. An employee sees only their member's customers.
struct ConsoleCustomerController: Sendable {
    let store: SiyuStore
    let tagging: CustomerTagging
    let layout: ConsoleLayout
    static let pageSize = 50

    func addRoutes(to group: RouterGroup<ConsoleContext>) {
        group.get("customers", use: list)
        group.get("customers.csv", use: export)
        group.post("customers/bulk", use: bulk)
        group.get("lost", use: lost)
        group.get("lost.csv", use: lostExport)
        group.get("customers/{external_userid}", use: show)
        group.post("customers/{external_userid}/tags", use: setTags)
    }

    /// The list's filters from the query string; an employee's member always applies.
    private func query(_ request: Request, _ context: ConsoleContext) throws -> CustomerQuery {
        let parameters = request.uri.queryParameters
        var query = CustomerQuery()
        query.keyword = parameters.get("q")
        query.tagIDs = parameters.get("tag").map { [$0] }?.filter { !$0.isEmpty } ?? []
        query.channelID = parameters.get("channel").flatMap { $0.isEmpty ? nil : $0 }
        query.userID = try context.scope().member ?? parameters.get("member").flatMap { $0.isEmpty ? nil : $0 }
        query.status = parameters.get("status").flatMap(RelationStatus.init(rawValue:))
        query.cursor = parameters.get("cursor").flatMap { $0.isEmpty ? nil : $0 }
        query.sort = parameters.get("sort").flatMap(CustomerSort.init(rawValue:)) ?? .id
        query.offset = max(0, parameters.get("offset").flatMap { Int($0) } ?? 0)
        query.limit = Self.pageSize
        return query
    }

    @Sendable func list(_ request: Request, context: ConsoleContext) async throws -> Response {
        let corpID = try context.corp()
        let parameters = request.uri.queryParameters
        let t = layout.renderer.strings.table(ConsoleLanguage(request))
        let query = try query(request, context)
        let scope = try context.scope()
        let customers = try await store.customers.list(corpID: corpID, query)
        let total = try await store.customers.count(corpID: corpID, query)
        let paidTotals = try await store.orders.totals(corpID: corpID, externalUserIDs: customers.map(\.externalUserID))

        let groups = try await store.directory.tagGroups(corpID: corpID)
        let tagNames = Dictionary(groups.flatMap { $0.tags.map { ($0.tagID, $0.name) } }, uniquingKeysWith: { first, _ in first })
        let channels = try await store.channels.list(corpID: corpID)
        let channelNames = Dictionary(channels.map { ($0.channelID, $0.name) }, uniquingKeysWith: { first, _ in first })
        let members = try await store.directory.members(corpID: corpID)
        let memberNames = Dictionary(members.map { ($0.userID, $0.name) }, uniquingKeysWith: { first, _ in first })

        var filters: [String: String] = [:]
        for name in ["q", "tag", "channel", "member", "status", "sort"] { filters[name] = parameters.get(name) ?? "" }
        let filterQuery = filters.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
        var page: [String: Any] = [
            "customers": customers.map { customer -> [String: Any] in
                [
                    "external_userid": customer.externalUserID, "name": customer.name.isEmpty ? customer.externalUserID : customer.name,
                    "status": t["status_" + customer.status.rawValue] ?? customer.status.rawValue, "status_class": customer.status.rawValue,
                    "members": customer.members.map { memberNames[$0] ?? $0 }.joined(separator: ", "),
                    "channels": customer.channelIDs.map { channelNames[$0] ?? $0 }.joined(separator: ", "),
                    "tags": customer.tagIDs.map { tagNames[$0] ?? $0 }, "added": context.calendar.label(customer.firstAddedAt),
                    "avatar": customer.avatar, "has_avatar": !customer.avatar.isEmpty,
                    "orders": paidTotals[customer.externalUserID].map { "\($0.count) · ¥" + Money.formatYuan($0.amountFen) } ?? "",
                ]
            },
            "total": ConsoleFormat.count(total), "total_raw": total,
            "filters": filters, "filtered": filters.filter { $0.key != "sort" }.values.contains { !$0.isEmpty },
            "export_href": "/console/customers.csv" + (filterQuery.isEmpty ? "" : "?" + filterQuery),
            "can_bulk": scope == .corp && !customers.isEmpty,
            "bulk_tags": groups.flatMap { group in group.tags.map { ["value": $0.tagID, "label": "\(group.name) / \($0.name)"] } },
            "sort_options": CustomerSort.allCases.map { ["value": $0.rawValue, "label": t["sort_" + $0.rawValue] ?? $0.rawValue, "selected": $0 == query.sort] as [String: Any] },
            "tag_options": groups.flatMap { group in group.tags.map { ["value": $0.tagID, "label": "\(group.name) / \($0.name)", "selected": $0.tagID == filters["tag"]] as [String: Any] } },
            "channel_options": channels.map { ["value": $0.channelID, "label": $0.name, "selected": $0.channelID == filters["channel"]] as [String: Any] },
            "status_options": RelationStatus.allCases.map { ["value": $0.rawValue, "label": t["status_" + $0.rawValue] ?? $0.rawValue, "selected": $0.rawValue == filters["status"]] as [String: Any] },
            "paged": query.cursor != nil || query.offset > 0,
        ]
        if scope == .corp {
            page["member_options"] = members.map { ["value": $0.userID, "label": $0.name, "selected": $0.userID == filters["member"]] as [String: Any] }
        }
        if customers.count == Self.pageSize, let last = customers.last {
            var next = URLComponents()
            let position = query.sort == .id ? URLQueryItem(name: "cursor", value: last.externalUserID) : URLQueryItem(name: "offset", value: String(query.offset + Self.pageSize))
            next.queryItems = filters.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) } + [position]
            page["next"] = "/console/customers" + (next.string ?? "")
        }
        return try await layout.page(.customers, request, context, section: "customers", title: t["nav_customers"] ?? "", page)
    }

    /// The list as CSV, with the same filters (every matching customer, not one page).
    @Sendable func export(_ request: Request, context: ConsoleContext) async throws -> Response {
        var query = try query(request, context)
        query.cursor = nil
        return try await CustomerExport(store: store).response(corpID: try context.corp(), query: query)
    }

    /// Bulk work on the customers ticked in the list: tag, untag (through WeCom, like the profile)
    /// or export them.
    @Sendable func bulk(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireOperator()
        let corpID = try context.corp()
        var request = request
        let form = try await ConsoleForm.read(&request)
        let chosen = form.values("ids")
        guard !chosen.isEmpty else { return .redirect(to: "/console/customers?done=bulk_none") }
        let action = form["action"] ?? ""
        if action == "export" {
            // Only the ticked customers are read (at most a page of them), not the whole base.
            var query = CustomerQuery()
            query.externalUserIDs = Array(chosen.prefix(Self.pageSize * 20))
            return try await CustomerExport(store: store).response(corpID: corpID, query: query)
        }
        guard action == "tag" || action == "untag", let tagID = form["tag_id"], !tagID.isEmpty else {
            return .redirect(to: "/console/customers?done=bulk_no_tag")
        }
        try await tagging.checkKnown(corpID: corpID, [tagID], field: "tag_id")
        let outcomes = try await tagging.tag(corpID: corpID, customers: chosen, add: action == "tag" ? [tagID] : [], remove: action == "untag" ? [tagID] : [], actor: context.actor)
        let failed = outcomes.filter { !$0.ok }.count
        return .redirect(to: "/console/customers?done=bulk_\(action)&n=\(outcomes.count - failed)&failed=\(failed)")
    }

    /// 流失客户: relations the customer ended, newest first, by member, channel and period.
    @Sendable func lost(_ request: Request, context: ConsoleContext) async throws -> Response {
        let corpID = try context.corp()
        let t = layout.renderer.strings.table(ConsoleLanguage(request))
        let names = try await ConsoleNames(store: store, corpID: corpID)
        let (filters, rows) = try await lostRows(request, context)
        let exportQuery = filters.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
        let model = LostPage(
            lost: rows.map { row in
                LostPage.Row(
                    externalUserID: row.externalUserID, name: row.name.isEmpty ? (t["customer_unnamed"] ?? "") : row.name,
                    member: names.member(row.userID), memberID: row.userID, department: names.department(of: row.userID),
                    channel: row.channelID.map(names.channel) ?? (t["channel_none"] ?? ""), added: context.calendar.minuteLabel(row.addedAt),
                    lostAt: context.calendar.minuteLabel(row.lostAt), days: max(0, Int(row.lostAt.timeIntervalSince(row.addedAt) / 86400))
                )
            },
            count: rows.count, exportHref: "/console/lost.csv" + (exportQuery.isEmpty ? "" : "?" + exportQuery),
            channelOptions: names.channels.sorted { $0.value < $1.value }.map { ConsoleOption(value: $0.key, label: $0.value, selected: $0.key == filters["channel"]) },
            periodOptions: ["7", "30", "90", ""].map { ConsoleOption(value: $0, label: t["lost_period_" + ($0.isEmpty ? "all" : $0)] ?? $0, selected: $0 == filters["days"]) },
            memberOptions: try context.scope() == .corp
                ? names.members.map { ConsoleOption(value: $0.userID, label: $0.name, selected: $0.userID == filters["member"]) } : []
        )
        return try await layout.page(.lost, request, context, section: "lost", title: t["nav_lost"] ?? "", model: model)
    }

    struct LostPage: Sendable {
        struct Row: Sendable {
            var externalUserID: String
            var name: String
            var member: String
            var memberID: String
            var department: String
            var channel: String
            var added: String
            var lostAt: String
            var days: Int
        }

        var lost: [Row]
        var count: Int
        var exportHref: String
        var channelOptions: [ConsoleOption]
        var periodOptions: [ConsoleOption]
        var memberOptions: [ConsoleOption]
    }

    @Sendable func lostExport(_ request: Request, context: ConsoleContext) async throws -> Response {
        let corpID = try context.corp()
        let names = try await ConsoleNames(store: store, corpID: corpID)
        let (_, rows) = try await lostRows(request, context)
        return CSVExport.response(
            filename: "lost_customers.csv",
            header: ["external_userid", "name", "member_userid", "member", "channel_id", "channel", "added_at", "lost_at"],
            rows: rows.map { row in
                [row.externalUserID, row.name, row.userID, names.member(row.userID), row.channelID ?? "", row.channelID.map(names.channel) ?? "",
                 context.calendar.isoLabel(row.addedAt), context.calendar.isoLabel(row.lostAt)]
            }
        )
    }

    /// The lost relations the page's filters ask for (an employee: their member's only), at most 1,000.
    private func lostRows(_ request: Request, _ context: ConsoleContext) async throws -> ([String: String], [LostRelation]) {
        let parameters = request.uri.queryParameters
        var filters: [String: String] = [:]
        for name in ["member", "channel", "days"] { filters[name] = parameters.get(name).map { String($0) } ?? (name == "days" ? "30" : "") }
        let days = Int(filters["days"] ?? "")
        let since = days.map { context.calendar.startOfDay(layout.time()).addingTimeInterval(-Double($0 - 1) * 86400) }
        let member = try context.scope().member ?? filters["member"].flatMap { $0.isEmpty ? nil : $0 }
        let rows = try await store.customers.lostRelations(
            corpID: try context.corp(), since: since, userID: member, channelID: filters["channel"].flatMap { $0.isEmpty ? nil : $0 }, limit: 1000
        )
        return (filters, rows)
    }

    @Sendable func show(_ request: Request, context: ConsoleContext) async throws -> Response {
        let corpID = try context.corp()
        let profile = try await visibleProfile(context)
        let t = layout.renderer.strings.table(ConsoleLanguage(request))
        let groups = try await store.directory.tagGroups(corpID: corpID)
        let tagNames = Dictionary(groups.flatMap { $0.tags.map { ($0.tagID, $0.name) } }, uniquingKeysWith: { first, _ in first })
        let channelNames = Dictionary(try await store.channels.list(corpID: corpID).map { ($0.channelID, $0.name) }, uniquingKeysWith: { first, _ in first })
        let names = try await ConsoleNames(store: store, corpID: corpID)
        let memberNames = Dictionary(names.members.map { ($0.userID, $0.name) }, uniquingKeysWith: { first, _ in first })
        let current = Self.currentTags(profile)
        let orders = try await store.orders.list(corpID: corpID, externalUserID: profile.externalUserID, limit: 20)
        let groupsIn = try await store.groups.groups(corpID: corpID, memberID: profile.externalUserID)
        var received: [[String: Any]] = []
        for touch in try await store.contacts.touches(corpID: corpID, externalUserID: profile.externalUserID, since: layout.time().addingTimeInterval(-180 * 86400)).prefix(20) {
            var row: [String: Any] = ["at": context.calendar.minuteLabel(touch.at), "channel": t["touch_" + touch.channel.rawValue] ?? touch.channel.rawValue]
            if let id = touch.campaignID, let campaign = try await store.campaigns.find(corpID: corpID, campaignID: id) {
                row["campaign_id"] = id
                row["name"] = campaign.name
                row["state"] = t["state_" + campaign.state.rawValue] ?? campaign.state.rawValue
            } else {
                row["name"] = t["touch_outside_campaign"] ?? ""
            }
            received.append(row)
        }
        var page: [String: Any] = [
            "customer": [
                "external_userid": profile.externalUserID, "name": profile.name.isEmpty ? profile.externalUserID : profile.name,
                "avatar": profile.avatar, "has_avatar": !profile.avatar.isEmpty, "company": profile.corpName.isEmpty ? false as Any : profile.corpName, "added": context.calendar.minuteLabel(profile.firstAddedAt),
                "fields": profile.customFields.sorted { $0.key < $1.key }.map { ["name": $0.key, "value": $0.value] },
            ] as [String: Any],
            "relations": profile.relations.map { relation -> [String: Any] in
                [
                    "member": memberNames[relation.userID] ?? relation.userID, "remark": relation.remark,
                    "channel": relation.channelID.map { channelNames[$0] ?? $0 } ?? "", "status": t["status_" + relation.status.rawValue] ?? relation.status.rawValue,
                    "status_class": relation.status.rawValue, "added": context.calendar.minuteLabel(relation.addedAt),
                    "ended": relation.endedAt.map(context.calendar.minuteLabel) ?? "", "tags": relation.tagIDs.map { tagNames[$0] ?? $0 },
                ]
            },
            "tag_groups": groups.map { group -> [String: Any] in
                ["name": group.name, "tags": group.tags.map { ["tag_id": $0.tagID, "name": $0.name, "checked": current.contains($0.tagID)] as [String: Any] }]
            },
            "can_tag": profile.relations.contains { $0.status == .active },
            "orders": orders.map { order -> [String: Any] in
                ["order_id": order.orderID, "amount": Money.formatYuan(order.amountFen), "currency": order.currency,
                 "status": t["order_" + order.status.rawValue] ?? order.status.rawValue, "at": context.calendar.minuteLabel(order.orderedAt)]
            },
            "groups": groupsIn.map { group -> [String: Any] in
                ["chat_id": group.chatID, "name": group.name.isEmpty ? (t["group_unnamed"] ?? "") : group.name, "owner": names.member(group.owner), "members": group.members]
            },
            "received": received,
            "timeline": profile.timeline.map { entry -> [String: Any] in
                ["at": context.calendar.minuteLabel(entry.at), "kind": t["event_" + entry.kind] ?? entry.kind, "kind_class": entry.kind, "sentence": names.sentence(entry, t)]
            },
        ]
        if let totals = try await store.orders.totals(corpID: corpID, externalUserIDs: [profile.externalUserID])[profile.externalUserID] {
            page["order_totals"] = ["count": totals.count, "amount": Money.formatYuan(totals.amountFen)] as [String: Any]
        }
        return try await layout.page(.customer, request, context, section: "customers", title: profile.name.isEmpty ? profile.externalUserID : profile.name, page)
    }

    /// Makes the customer's tags the checked ones: adds and removes the difference on every active relation.
    @Sendable func setTags(_ request: Request, context: ConsoleContext) async throws -> Response {
        let corpID = try context.corp()
        let profile = try await visibleProfile(context)
        var request = request
        let chosen = Set(try await ConsoleForm.read(&request).values("tag_ids"))
        try await tagging.checkKnown(corpID: corpID, Array(chosen), field: "tag_ids")
        let current = Self.currentTags(profile)
        let add = chosen.subtracting(current).sorted()
        let remove = current.subtracting(chosen).sorted()
        var done = "tags_unchanged"
        if !add.isEmpty || !remove.isEmpty {
            let outcome = try await tagging.tag(corpID: corpID, customers: [profile.externalUserID], add: add, remove: remove, actor: context.actor)
            done = outcome.allSatisfy(\.ok) ? "tags_saved" : "tags_partial"
        }
        let path = "/console/customers/" + (profile.externalUserID.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? "")
        return .redirect(to: path + "?done=" + done)
    }

    /// The profile, when this user may see it: an employee only through their own member's relation.
    private func visibleProfile(_ context: ConsoleContext) async throws -> CustomerProfile {
        let id = try context.parameters.require("external_userid")
        guard let profile = try await store.customers.profile(corpID: try context.corp(), externalUserID: id),
              try context.scope().member.map({ member in profile.relations.contains { $0.userID == member } }) ?? true else {
            throw ConsoleRefusal(.notFound, "error_not_found")
        }
        return profile
    }

    /// The tags on the customer's active relations.
    static func currentTags(_ profile: CustomerProfile) -> Set<String> {
        Set(profile.relations.filter { $0.status == .active }.flatMap(\.tagIDs))
    }
}
