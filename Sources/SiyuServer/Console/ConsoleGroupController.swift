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
        group.get("groups.csv", use: list)
        group.get("groups/{chat_id}", use: show)
    }

    struct ListPage: Sendable {
        struct Row: Sendable {
            var chatID: String
            var name: String
            var owner: String
            var ownerID: String
            var members: Int
            var customers: Int
            var createdAt: String
        }

        var groups: [Row]
        var count: Int
        var ownerOptions: [ConsoleOption]
    }

    struct DetailPage: Sendable {
        struct Person: Sendable {
            var id: String
            var name: String
            var isCustomer: Bool
            var kind: String
            var joinedAt: String
        }

        var name: String
        var owner: String
        var size: Int
        var customers: Int
        var createdAt: String
        var notice: String?
        var dismissed: Bool
        var members: [Person]
    }

    @Sendable func list(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireOperator()
        let corpID = try context.corp()
        let t = layout.renderer.strings.table(ConsoleLanguage(request))
        let names = try await ConsoleNames(store: store, corpID: corpID)
        let owner = request.uri.queryParameters.get("owner").flatMap { $0.isEmpty ? nil : String($0) }
        let groups = try await store.groups.list(corpID: corpID, owner: owner)
        let model = ListPage(
            groups: groups.map { group in
                ListPage.Row(
                    chatID: group.chatID, name: group.name.isEmpty ? (t["group_unnamed"] ?? "") : group.name, owner: names.member(group.owner), ownerID: group.owner,
                    members: group.members, customers: group.customers, createdAt: context.calendar.label(group.createdAt)
                )
            },
            count: groups.count,
            ownerOptions: names.members.map { ConsoleOption(value: $0.userID, label: $0.name, selected: $0.userID == owner) }
        )
        if request.uri.path.hasSuffix(".csv") {
            return CSVExport.response(
                filename: "groups.csv", header: ["chat_id", "name", "owner_userid", "owner", "members", "customers", "created_at"],
                rows: zip(groups, model.groups).map { group, row in
                    [row.chatID, row.name, row.ownerID, row.owner, String(row.members), String(row.customers), context.calendar.isoLabel(group.createdAt)]
                }
            )
        }
        return try await layout.page(.groups, request, context, section: "groups", title: t["nav_groups"] ?? "", model: model)
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
        let name = group.name.isEmpty ? (t["group_unnamed"] ?? "") : group.name
        let model = DetailPage(
            name: name, owner: names.member(group.owner), size: group.members, customers: group.customers,
            createdAt: context.calendar.minuteLabel(group.createdAt), notice: group.notice.flatMap { $0.isEmpty ? nil : $0 }, dismissed: group.dismissedAt != nil,
            members: members.map { member in
                let isCustomer = member.type == 2
                return DetailPage.Person(
                    id: member.memberID, name: isCustomer ? (customers[member.memberID] ?? (t["customer_unknown"] ?? "")) : names.member(member.memberID),
                    isCustomer: isCustomer, kind: t[isCustomer ? "group_member_customer" : "group_member_staff"] ?? "", joinedAt: context.calendar.minuteLabel(member.joinedAt)
                )
            }
        )
        return try await layout.page(.group, request, context, section: "groups", title: name, model: model)
    }
}
