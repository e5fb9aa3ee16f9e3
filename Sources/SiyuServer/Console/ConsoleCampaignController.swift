import Foundation
import Hummingbird
import NIOCore
import SiyuCore
import SiyuStore

/// 群发: the compose page with a live audience count and the contact-budget preview.
///
/// TODO(campaigns): the campaign list, creation, scheduling and results pages wait for the
/// `campaigns` store and REST API being built in main; `/console/campaigns` is a marked stub until then.
struct ConsoleCampaignController: Sendable {
    let store: SiyuStore
    let indexes: SegmentIndexes
    let layout: ConsoleLayout

    func addRoutes(to group: RouterGroup<ConsoleContext>) {
        group.get("campaigns", use: list)
        group.get("campaigns/new", use: compose)
        group.post("campaigns/preview", use: preview)
    }

    @Sendable func list(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireOperator()
        let t = layout.renderer.strings.table(ConsoleLanguage(request))
        return try await layout.page("campaigns", request, context, section: "campaigns", title: t["nav_campaigns"] ?? "", [:])
    }

    @Sendable func compose(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireOperator()
        let corpID = try context.corp()
        let t = layout.renderer.strings.table(ConsoleLanguage(request))
        let tags = try await store.directory.tagGroups(corpID: corpID).flatMap { group in group.tags.map { ["name": $0.name, "group": group.name] } }
        let channels: [[String: String]] = try await store.channels.list(corpID: corpID).map { ["name": $0.name] }
        return try await layout.page("campaign_compose", request, context, section: "campaigns", title: t["campaign_compose"] ?? "", [
            "audience": request.uri.queryParameters.get("audience").map { String($0) } ?? "status = active",
            "tags": tags, "channels": channels,
        ])
    }

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
        let sendAt = try Self.chinaTime(body.sendAt) ?? Date()
        do {
            let preview = try await CampaignPreview.compute(store: store, indexes: indexes, corpID: corpID, audience: body.audience, sendAt: sendAt)
            func reasons(_ counts: [String: Int], _ prefix: String) -> [[String: Any]] {
                counts.sorted { $0.key < $1.key }.map { ["reason": $0.key, "label": strings.text(prefix + $0.key, language), "count": $0.value] }
            }
            return try Self.json([
                "audience": preview.audience, "send": preview.send, "hold": reasons(preview.hold, "hold_"), "skip": reasons(preview.skip, "skip_"),
                "senders": preview.senders.count, "calls": preview.calls, "expression": preview.expression,
                "send_at": ConsoleDates.minute(preview.sendAt),
            ], status: .ok)
        } catch let refusal as SegmentRefusal {
            var error: [String: Any] = ["message": refusal.error.message]
            if let position = refusal.error.position { error["line"] = position.line; error["column"] = position.column }
            return try Self.json(["error": error], status: .unprocessableContent)
        } catch let error as ValidationError {
            return try Self.json(["error": ["message": error.message]], status: .unprocessableContent)
        }
    }

    /// `2026-11-24T10:00` read as China time.
    static func chinaTime(_ text: String?) throws -> Date? {
        guard let text, !text.isEmpty else { return nil }
        guard let date = ISO8601DateFormatter().date(from: text + (text.count == 16 ? ":00" : "") + "+08:00") else {
            throw ValidationError(field: "send_at", message: "send_at is YYYY-MM-DDTHH:MM")
        }
        return date
    }

    private static func json(_ object: [String: Any], status: HTTPResponse.Status) throws -> Response {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
