import Foundation
import Hummingbird
import SiyuStore

/// `GET /api/v1/audit`: the whole installation's audit log, newest first (admin token only).
struct AuditController: Sendable {
    let audit: AuditLog

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.get("audit", use: list)
    }

    /// `?cursor=&limit=` (1–1000, default 100), `corp_id`, `actor`, `action` (exact), `since` and
    /// `until` (ISO 8601; since inclusive, until exclusive).
    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> Wire.Page<AuditLog.Entry> {
        try context.requireAdmin()
        let query = request.uri.queryParameters
        let limit = try Pagination.limit(request, default: 100)
        var cursor: AuditLog.Cursor?
        if let text = query.get("cursor") {
            guard let parsed = AuditLog.Cursor(text) else {
                throw APIError(.badRequest, code: "bad_request", "cursor must be a next_cursor this list gave out", field: "cursor")
            }
            cursor = parsed
        }
        let filter = AuditLog.Filter(
            corpID: query.get("corp_id"), actor: query.get("actor"), action: query.get("action"),
            since: try Self.time(query.get("since"), field: "since"), until: try Self.time(query.get("until"), field: "until")
        )
        let page = try await audit.page(filter, after: cursor, limit: limit)
        return Wire.Page(page.entries, nextCursor: page.nextCursor?.text)
    }

    static func time(_ text: String?, field: String) throws -> Date? {
        guard let text else { return nil }
        if let date = try? Date(text, strategy: .iso8601) { return date }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        throw APIError(.badRequest, code: "bad_request", "\(field) must be an ISO 8601 time such as 2026-01-31T16:00:00Z", field: field)
    }
}
