import Foundation
import Hummingbird
import SiyuCore
import SiyuStore

/// 客户群: the corp's customer groups as mirrored (owner, size, customers) and a group's members
/// by name. (Join and quit history, quit rates and group codes are the groups issue's.)
struct ConsoleGroupController: Sendable {
    let store: SiyuStore
    let layout: ConsoleLayout

    func addRoutes(to group: RouterGroup<ConsoleContext>) {
        group.get("groups", use: list)
        group.get("groups/{chat_id}", use: show)
    }

    @Sendable func list(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireOperator()
        let corpID = try context.corp()
        let t = layout.renderer.strings.table(ConsoleLanguage(request))
        let names = try await ConsoleNames(store: store, corpID: corpID)
        let owner = request.uri.queryParameters.get("owner").flatMap { $0.isEmpty ? nil : String($0) }
        let groups = try await store.groups.list(corpID: corpID, owner: owner)
        let page: [String: Any] = [
            "groups": groups.map { group -> [String: Any] in
                ["chat_id": group.chatID, "name": group.name.isEmpty ? (t["group_unnamed"] ?? "") : group.name, "owner": names.member(group.owner), "owner_id": group.owner,
                 "members": group.members, "customers": group.customers, "created_at": context.calendar.label(group.createdAt)]
            },
            "count": groups.count,
            "owner_options": names.members.map { ["value": $0.userID, "label": $0.name, "selected": $0.userID == owner] as [String: Any] },
        ]
        return try await layout.page(.groups, request, context, section: "groups", title: t["nav_groups"] ?? "", page)
    }

    @Sendable func show(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireOperator()
        let corpID = try context.corp()
        let t = layout.renderer.strings.table(ConsoleLanguage(request))
        guard let group = try await store.groups.find(corpID: corpID, chatID: try context.parameters.require("chat_id")) else {
            throw ConsoleRefusal(.notFound, "error_not_found")
        }
        let names = try await ConsoleNames(store: store, corpID: corpID)
        let members = try await store.groups.members(corpID: corpID, chatID: group.chatID)
        let customers = try await store.customers.names(corpID: corpID, externalUserIDs: members.filter { $0.type == 2 }.map(\.memberID))
        let page: [String: Any] = [
            "group": ["chat_id": group.chatID, "name": group.name.isEmpty ? (t["group_unnamed"] ?? "") : group.name, "owner": names.member(group.owner),
                      "members": group.members, "customers": group.customers, "created_at": context.calendar.minuteLabel(group.createdAt),
                      "notice": group.notice ?? "", "dismissed": group.dismissedAt != nil] as [String: Any],
            "members": members.map { member -> [String: Any] in
                let isCustomer = member.type == 2
                return ["id": member.memberID, "name": isCustomer ? (customers[member.memberID] ?? (t["customer_unknown"] ?? "")) : names.member(member.memberID),
                        "is_customer": isCustomer, "kind": t[isCustomer ? "group_member_customer" : "group_member_staff"] ?? "", "joined_at": context.calendar.minuteLabel(member.joinedAt)]
            },
        ]
        return try await layout.page(.group, request, context, section: "groups", title: group.name.isEmpty ? (t["group_unnamed"] ?? "") : group.name, page)
    }
}
