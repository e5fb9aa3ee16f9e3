import Foundation
import Hummingbird
import SiyuCore
import SiyuStore

/// 操作日志 (admins): who did what, when and from where, in the chosen corp, newest first, by
/// person and by action, 50 a page. The page model is a struct.
struct ConsoleAuditController: Sendable {
    let store: SiyuStore
    let layout: ConsoleLayout
    static let pageSize = 50

    func addRoutes(to group: RouterGroup<ConsoleContext>) {
        group.get("audit", use: list)
    }

    struct Page: Sendable {
        struct Entry: Sendable {
            var at: String
            var actor: String
            var actorID: String
            var action: String
            var actionCode: String
            /// The thing acted on, by name where Siyu knows one (its id on hover).
            var target: String?
            var targetID: String
            var detail: String?
            var address: String?
        }

        var entries: [Entry]
        var actionOptions: [ConsoleOption]
        var actorFilter: String
        var next: String?
        var paged: Bool
        var empty: Bool
    }

    @Sendable func list(_ request: Request, context: ConsoleContext) async throws -> Response {
        guard context.role == .admin else { throw ConsoleRefusal(.forbidden, "error_forbidden") }
        let corpID = try context.corp()
        let t = layout.renderer.strings.table(ConsoleLanguage(request))
        let names = try await ConsoleNames(store: store, corpID: corpID)
        let parameters = request.uri.queryParameters
        let action = parameters.get("action").flatMap { $0.isEmpty ? nil : String($0) }
        let actor = parameters.get("actor").flatMap { $0.isEmpty ? nil : String($0) }
        let cursor = parameters.get("cursor").flatMap { AuditLog.Cursor(String($0)) }
        let result = try await store.audit.page(AuditLog.Filter(corpID: corpID, actor: actor, action: action), after: cursor, limit: Self.pageSize)
        let actions = ["console.sign_in", "campaign.create", "campaign.cancel", "channel.create", "channel.update", "channel.delete", "segment.save", "segment.update",
                     "segment.delete", "tag_group.save", "tag.delete", "contact_policy.update", "corp.register", "corp.update", "api_key.create", "api_key.revoke",
                     "webhook.register", "webhook.delete", "console_user.create"]
        func label(_ action: String) -> String {
            // Requests the middleware logs: "http POST /console/channels".
            if action.hasPrefix("http ") { return (t["audit_http"] ?? "") + " " + action.dropFirst(5) }
            return t["audit_" + action.replacingOccurrences(of: ".", with: "_")] ?? action
        }
        // Names for the ids entries carry: channels, segments, campaigns, tags, members, the corp.
        var known: [String: String] = names.channels.merging(names.tags) { first, _ in first }
        for member in names.members { known[member.userID] = member.name }
        for segment in try await store.segments.list(corpID: corpID) { known[segment.segmentID] = segment.name }
        if let corp = try await store.corps.find(corpID) { known[corp.corpID] = corp.name }
        for id in Set(result.entries.flatMap { [$0.target] + $0.detail.values }) where id.hasPrefix("cmp_") && known[id] == nil {
            if let campaign = try await store.campaigns.find(corpID: corpID, campaignID: id) { known[id] = campaign.name }
        }
        let model = Page(
            entries: result.entries.map { entry in
                let detail = entry.detail.sorted { $0.key < $1.key }.map { "\(t["audit_field_" + $0.key] ?? $0.key)=\(known[$0.value] ?? $0.value)" }.joined(separator: " · ")
                return Page.Entry(
                    at: context.calendar.minuteLabel(entry.at) + ":" + String(format: "%02d", Int(entry.at.timeIntervalSince1970) % 60),
                    actor: names.actor(entry.actor, t), actorID: entry.actor,
                    action: label(entry.action), actionCode: entry.action,
                    target: entry.target.isEmpty ? nil : (known[entry.target] ?? entry.target), targetID: entry.target,
                    detail: detail.isEmpty ? nil : detail, address: entry.address
                )
            },
            actionOptions: [ConsoleOption(value: "", label: t["filter_all"] ?? "", selected: action == nil)]
                + actions.map { ConsoleOption(value: $0, label: label($0), selected: $0 == action) },
            actorFilter: actor ?? "",
            next: result.nextCursor.map { next in
                "/console/audit?cursor=\(next.text)" + (action.map { "&action=\($0)" } ?? "") + (actor.map { "&actor=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") } ?? "")
            },
            paged: cursor != nil, empty: result.entries.isEmpty
        )
        return try await layout.page(.audit, request, context, section: "audit", title: t["nav_audit"] ?? "", model: model)
    }
}
