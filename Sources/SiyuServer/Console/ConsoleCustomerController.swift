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
        group.get("customers/{external_userid}", use: show)
        group.post("customers/{external_userid}/tags", use: setTags)
    }

    @Sendable func list(_ request: Request, context: ConsoleContext) async throws -> Response {
        let corpID = try context.corp()
        let parameters = request.uri.queryParameters
        let t = layout.renderer.strings.table(ConsoleLanguage(request))
        var query = CustomerQuery()
        query.keyword = parameters.get("q")
        query.tagIDs = parameters.get("tag").map { [$0] }?.filter { !$0.isEmpty } ?? []
        query.channelID = parameters.get("channel").flatMap { $0.isEmpty ? nil : $0 }
        let scope = try context.scope()
        query.userID = scope.member ?? parameters.get("member").flatMap { $0.isEmpty ? nil : $0 }
        query.status = parameters.get("status").flatMap(RelationStatus.init(rawValue:))
        query.cursor = parameters.get("cursor").flatMap { $0.isEmpty ? nil : $0 }
        query.limit = Self.pageSize
        let customers = try await store.customers.list(corpID: corpID, query)

        let groups = try await store.directory.tagGroups(corpID: corpID)
        let tagNames = Dictionary(groups.flatMap { $0.tags.map { ($0.tagID, $0.name) } }, uniquingKeysWith: { first, _ in first })
        let channels = try await store.channels.list(corpID: corpID)
        let channelNames = Dictionary(channels.map { ($0.channelID, $0.name) }, uniquingKeysWith: { first, _ in first })
        let members = try await store.directory.members(corpID: corpID)
        let memberNames = Dictionary(members.map { ($0.userID, $0.name) }, uniquingKeysWith: { first, _ in first })

        var filters: [String: String] = [:]
        for name in ["q", "tag", "channel", "member", "status"] { filters[name] = parameters.get(name) ?? "" }
        var page: [String: Any] = [
            "customers": customers.map { customer -> [String: Any] in
                [
                    "external_userid": customer.externalUserID, "name": customer.name.isEmpty ? customer.externalUserID : customer.name,
                    "status": t["status_" + customer.status.rawValue] ?? customer.status.rawValue, "status_class": customer.status.rawValue,
                    "members": customer.members.map { memberNames[$0] ?? $0 }.joined(separator: ", "),
                    "channels": customer.channelIDs.map { channelNames[$0] ?? $0 }.joined(separator: ", "),
                    "tags": customer.tagIDs.map { tagNames[$0] ?? $0 }, "added": context.calendar.label(customer.firstAddedAt),
                ]
            },
            "filters": filters, "filtered": filters.values.contains { !$0.isEmpty },
            "tag_options": groups.flatMap { group in group.tags.map { ["value": $0.tagID, "label": "\(group.name) / \($0.name)", "selected": $0.tagID == filters["tag"]] as [String: Any] } },
            "channel_options": channels.map { ["value": $0.channelID, "label": $0.name, "selected": $0.channelID == filters["channel"]] as [String: Any] },
            "status_options": RelationStatus.allCases.map { ["value": $0.rawValue, "label": t["status_" + $0.rawValue] ?? $0.rawValue, "selected": $0.rawValue == filters["status"]] as [String: Any] },
            "paged": query.cursor != nil,
        ]
        if scope == .corp {
            page["member_options"] = members.map { ["value": $0.userID, "label": $0.name, "selected": $0.userID == filters["member"]] as [String: Any] }
        }
        if customers.count == Self.pageSize, let last = customers.last {
            var next = URLComponents()
            next.queryItems = filters.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
                + [URLQueryItem(name: "cursor", value: last.externalUserID)]
            page["next"] = "/console/customers" + (next.string ?? "")
        }
        return try await layout.page(.customers, request, context, section: "customers", title: t["nav_customers"] ?? "", page)
    }

    @Sendable func show(_ request: Request, context: ConsoleContext) async throws -> Response {
        let corpID = try context.corp()
        let profile = try await visibleProfile(context)
        let t = layout.renderer.strings.table(ConsoleLanguage(request))
        let groups = try await store.directory.tagGroups(corpID: corpID)
        let tagNames = Dictionary(groups.flatMap { $0.tags.map { ($0.tagID, $0.name) } }, uniquingKeysWith: { first, _ in first })
        let channelNames = Dictionary(try await store.channels.list(corpID: corpID).map { ($0.channelID, $0.name) }, uniquingKeysWith: { first, _ in first })
        let memberNames = Dictionary(try await store.directory.members(corpID: corpID).map { ($0.userID, $0.name) }, uniquingKeysWith: { first, _ in first })
        let current = Self.currentTags(profile)
        let page: [String: Any] = [
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
            "timeline": profile.timeline.map { entry -> [String: Any] in
                let detail = entry.detail.sorted { $0.key < $1.key }.filter { !$0.value.isEmpty }.map { key, value in
                    key == "tag_id" ? (tagNames[value] ?? value) : key == "channel_id" ? (channelNames[value] ?? value) : value
                }.joined(separator: " · ")
                return [
                    "at": context.calendar.minuteLabel(entry.at), "kind": t["event_" + entry.kind] ?? entry.kind,
                    "member": entry.userID.isEmpty ? false as Any : memberNames[entry.userID] ?? entry.userID,
                    "detail": detail.isEmpty ? false as Any : detail,
                ]
            },
        ]
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
