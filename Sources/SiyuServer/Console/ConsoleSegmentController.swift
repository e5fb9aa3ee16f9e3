import Foundation
import Hummingbird
import NIOCore
import SiyuCore
import SiyuStore

/// 人群: saved segments with their live counts, built with the visual builder (or typed as an
/// expression), edited, deleted and used in a campaign; and the builder's live count.
struct ConsoleSegmentController: Sendable {
    let store: SiyuStore
    let indexes: SegmentIndexes
    let layout: ConsoleLayout

    func addRoutes(to group: RouterGroup<ConsoleContext>) {
        group.get("segments", use: list)
        group.get("segments.csv", use: list)
        group.get("segments/new", use: newForm)
        group.post("segments", use: create)
        group.post("segments/count", use: count)
        group.get("segments/{segment_id}", use: show)
        group.post("segments/{segment_id}", use: update)
        group.post("segments/{segment_id}/delete", use: delete)
    }

    @Sendable func list(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireOperator()
        let corpID = try context.corp()
        let language = ConsoleLanguage(request)
        let t = layout.renderer.strings.table(language)
        var rows: [ListPage.Row] = []
        for segment in try await store.segments.list(corpID: corpID) {
            var row = ListPage.Row(
                segmentID: segment.segmentID, name: segment.name, expression: segment.expression, count: "–",
                updatedAt: context.calendar.minuteLabel(segment.updatedAt), audienceQuery: Self.query(segment.expression)
            )
            do {
                row.count = ConsoleFormat.count(try await indexes.count(segment.expression, corpID: corpID, now: layout.time()).count)
            } catch let refusal as SegmentRefusal {
                // A tag renamed or deleted since: say so instead of failing the list.
                row.error = layout.renderer.strings.segmentError(refusal.error, language)
            }
            rows.append(row)
        }
        if request.uri.path.hasSuffix(".csv") {
            return CSVExport.response(
                filename: "segments.csv", header: ["segment_id", "name", "expression", "customers_now", "updated_at"],
                rows: rows.map { [$0.segmentID, $0.name, $0.expression, $0.count.replacingOccurrences(of: ",", with: ""), $0.updatedAt] }
            )
        }
        return try await layout.page(.segments, request, context, section: "segments", title: t["nav_segments"] ?? "", model: ListPage(segments: rows, count: rows.count))
    }

    struct ListPage: Sendable {
        struct Row: Sendable {
            var segmentID: String
            var name: String
            var expression: String
            var count: String
            var updatedAt: String
            var audienceQuery: String
            var error: String?
        }

        var segments: [Row]
        var count: Int
    }

    @Sendable func newForm(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireOperator()
        var form = ConsoleSegmentForm()
        if let expression = request.uri.queryParameters.get("expression") { form = ConsoleSegmentForm(expression: String(expression)) }
        return try await render(request, context, segment: nil, name: "", form: form, errors: [:])
    }

    @Sendable func show(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireOperator()
        let segment = try await find(context)
        return try await render(request, context, segment: segment, name: segment.name, form: ConsoleSegmentForm(expression: segment.expression), errors: [:])
    }

    @Sendable func create(_ request: Request, context: ConsoleContext) async throws -> Response {
        try await submit(request, context, editing: nil)
    }

    @Sendable func update(_ request: Request, context: ConsoleContext) async throws -> Response {
        try await submit(request, context, editing: try await find(context))
    }

    @Sendable func delete(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireOperator()
        let segment = try await find(context)
        _ = try await store.segments.delete(corpID: try context.corp(), segmentID: segment.segmentID, actor: context.actor, now: layout.time())
        return .redirect(to: "/console/segments?done=segment_deleted")
    }

    /// The builder's live count, from its form fields (sent as the form is, with `X-CSRF-Token`):
    /// `{expression, count}`, or `{error: {message, field?, offset?}}` in the reader's language.
    @Sendable func count(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireOperator()
        let corpID = try context.corp()
        var request = request
        let segment = try await ConsoleSegmentForm.read(try await ConsoleForm.read(&request), store: store, corpID: corpID)
        let language = ConsoleLanguage(request)
        if let (field, key) = segment.problems.first {
            return try ConsoleRenderer.json(["error": ["message": layout.renderer.strings.text(key, language), "field": field]], status: .ok)
        }
        do {
            let (expression, count) = try await indexes.count(segment.text, corpID: corpID, now: layout.time())
            return try ConsoleRenderer.json(["expression": expression.description, "count": count, "count_label": ConsoleFormat.count(count)], status: .ok)
        } catch let refusal as SegmentRefusal {
            var error: [String: Any] = ["message": layout.renderer.strings.segmentError(refusal.error, language)]
            if let position = refusal.error.position { error["offset"] = position.offset }
            return try ConsoleRenderer.json(["error": error], status: .ok)
        } catch let error as ValidationError {
            return try ConsoleRenderer.json(["error": ["message": error.message]], status: .ok)
        }
    }

    /// Saves (or creates) from the form; every wrong field is shown beside it and nothing is saved.
    private func submit(_ request: Request, _ context: ConsoleContext, editing segment: SegmentStore.Saved?) async throws -> Response {
        try context.requireOperator()
        let corpID = try context.corp()
        var request = request
        let form = try await ConsoleForm.read(&request)
        let segmentForm = try await ConsoleSegmentForm.read(form, store: store, corpID: corpID)
        let language = ConsoleLanguage(request)
        let name = form["name"] ?? ""
        var errors: [String: String] = [:]
        if name.trimmingCharacters(in: .whitespaces).isEmpty || name.count > 60 { errors["name"] = layout.renderer.strings.text("invalid_segment_name", language) }
        var canonical: String?
        if segmentForm.problems.isEmpty {
            do {
                canonical = try await indexes.count(segmentForm.text, corpID: corpID, now: layout.time()).expression.description
            } catch let refusal as SegmentRefusal {
                errors["expression"] = layout.renderer.strings.segmentError(refusal.error, language)
            } catch let error as ValidationError {
                errors["expression"] = error.message
            }
        }
        guard errors.isEmpty, segmentForm.problems.isEmpty, let canonical else {
            return try await render(request, context, segment: segment, name: name, form: segmentForm, errors: errors, status: .unprocessableContent)
        }
        do {
            if let segment {
                _ = try await store.segments.update(corpID: corpID, segmentID: segment.segmentID, name: name, expression: canonical, actor: context.actor, now: layout.time())
                return .redirect(to: "/console/segments/\(segment.segmentID)?done=segment_saved")
            }
            let saved = try await store.segments.save(corpID: corpID, name: name, expression: canonical, actor: context.actor, now: layout.time())
            return .redirect(to: "/console/segments/\(saved.segmentID)?done=segment_saved")
        } catch let error as StoreError where error.code == .duplicate {
            errors["name"] = layout.renderer.strings.text("invalid_segment_name_taken", language)
        } catch let error as ValidationError {
            errors[error.field] = layout.renderer.strings.text("invalid_segment_" + error.field, language)
        }
        return try await render(request, context, segment: segment, name: name, form: segmentForm, errors: errors, status: .unprocessableContent)
    }

    private func render(
        _ request: Request, _ context: ConsoleContext, segment: SegmentStore.Saved?, name: String, form: ConsoleSegmentForm,
        errors: [String: String], status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let corpID = try context.corp()
        let t = layout.renderer.strings.table(ConsoleLanguage(request))
        let (names, groups) = try await directory(corpID)
        let title = segment?.name ?? (t["segments_new"] ?? "")
        var page: [String: Any] = [
            "name": name, "errors": errors, "builder": form.fields(names: names, groups: groups, t: t, expressionError: errors["expression"]),
            "action": segment.map { "/console/segments/\($0.segmentID)" } ?? "/console/segments",
        ]
        if let segment {
            page["segment_id"] = segment.segmentID
            page["audience_query"] = Self.query(segment.expression)
        }
        return try await layout.page(.segment, request, context, section: "segments", title: title, page, status: status)
    }

    private func directory(_ corpID: String) async throws -> (ConsoleNames, [GroupStore.Group]) {
        (try await ConsoleNames(store: store, corpID: corpID), try await store.groups.list(corpID: corpID))
    }

    private func find(_ context: ConsoleContext) async throws -> SegmentStore.Saved {
        guard let segment = try await store.segments.find(corpID: try context.corp(), segmentID: try context.parameters.require("segment_id")) else {
            throw ConsoleRefusal(.notFound, "error_not_found")
        }
        return segment
    }

    static func query(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }
}
