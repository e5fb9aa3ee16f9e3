import Foundation
import Hummingbird
import SiyuCore
import SiyuStore

/// `/api/v1/segments`: the audience language, exact live counts, and saved segments.
struct SegmentController: Sendable {
    let segments: SegmentStore
    let indexes: SegmentIndexes
    let time: TimeSource

    func addRoutes(to group: RouterGroup<CorpContext>) {
        group.post("segments/count", use: count)
        group.get("segments", use: list)
        group.post("segments", use: save)
        group.get("segments/{segment_id}", use: show)
        group.patch("segments/{segment_id}", use: update)
        group.delete("segments/{segment_id}", use: delete)
    }

    @Sendable func count(_ request: Request, context: CorpContext) async throws -> Wire.SegmentCount {
        let corpID = context.corpID
        let body = try await request.decode(as: Wire.SegmentCountRequest.self, context: context)
        let (expression, built) = try await evaluate(body.expression, corpID: corpID)
        let members = try Self.checked { try built.index.members(expression, now: time()) }
        return Wire.SegmentCount(count: members.count, expression: expression.description, sample: members.prefix(20).map { built.customers[Int($0)] })
    }

    @Sendable func list(_ request: Request, context: CorpContext) async throws -> Wire.Page<SegmentStore.Saved> {
        Wire.Page(try await segments.list(corpID: context.corpID))
    }

    @Sendable func save(_ request: Request, context: CorpContext) async throws -> EditedResponse<Wire.Segment> {
        let corpID = context.corpID
        let body = try await request.decode(as: Wire.SegmentSave.self, context: context)
        let (expression, built) = try await evaluate(body.expression, corpID: corpID)
        let count = try Self.checked { try built.index.count(expression, now: time()) }
        let saved = try await segments.save(corpID: corpID, name: body.name, expression: expression.description, actor: context.principal.actor, now: time())
        return EditedResponse(status: .created, response: Wire.Segment(segment: saved, count: count))
    }

    @Sendable func show(_ request: Request, context: CorpContext) async throws -> Wire.Segment {
        let corpID = context.corpID
        let saved = try await find(context)
        let (expression, built) = try await evaluate(saved.expression, corpID: corpID)
        return Wire.Segment(segment: saved, count: try Self.checked { try built.index.count(expression, now: time()) })
    }

    @Sendable func update(_ request: Request, context: CorpContext) async throws -> Wire.Segment {
        let corpID = context.corpID
        let segmentID = try context.parameters.require("segment_id")
        let body = try await request.decode(as: Wire.SegmentUpdate.self, context: context)
        var canonical: String?
        if let text = body.expression {
            let (expression, built) = try await evaluate(text, corpID: corpID)
            _ = try Self.checked { try built.index.count(expression, now: time()) }
            canonical = expression.description
        }
        guard let saved = try await segments.update(corpID: corpID, segmentID: segmentID, name: body.name, expression: canonical, actor: context.principal.actor, now: time()) else {
            throw APIError(.notFound, code: "not_found", "no segment \(segmentID)")
        }
        let (expression, built) = try await evaluate(saved.expression, corpID: corpID)
        return Wire.Segment(segment: saved, count: try Self.checked { try built.index.count(expression, now: time()) })
    }

    @Sendable func delete(_ request: Request, context: CorpContext) async throws -> Response {
        let corpID = context.corpID
        let segmentID = try context.parameters.require("segment_id")
        guard try await segments.delete(corpID: corpID, segmentID: segmentID, actor: context.principal.actor, now: time()) else {
            throw APIError(.notFound, code: "not_found", "no segment \(segmentID)")
        }
        return Response(status: .noContent)
    }

    private func find(_ context: CorpContext) async throws -> SegmentStore.Saved {
        let segmentID = try context.parameters.require("segment_id")
        guard let saved = try await segments.find(corpID: context.corpID, segmentID: segmentID) else {
            throw APIError(.notFound, code: "not_found", "no segment \(segmentID)")
        }
        return saved
    }

    private func evaluate(_ text: String, corpID: String) async throws -> (SegmentExpression, SegmentIndexes.Built) {
        try await indexes.evaluate(text, corpID: corpID)
    }

    /// Segment errors become 422 with the position in the expression.
    static func checked<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SegmentError {
            throw SegmentRefusal(error: error)
        }
    }
}

extension SegmentIndexes {
    /// An expression's text parsed (at most 10,000 bytes), with the corp's index to evaluate it on.
    nonisolated func evaluate(_ text: String, corpID: String) async throws -> (SegmentExpression, Built) {
        guard text.utf8.count <= 10_000 else { throw ValidationError(field: "expression", message: "an expression is at most 10,000 bytes") }
        let expression = try SegmentController.checked { try SegmentParser.parse(text) }
        return (expression, try await index(for: corpID))
    }

    /// How many customers an expression's text matches now, with its canonical text.
    nonisolated func count(_ text: String, corpID: String, now: Date) async throws -> (expression: SegmentExpression, count: Int) {
        let (expression, built) = try await evaluate(text, corpID: corpID)
        return (expression, try SegmentController.checked { try built.index.count(expression, now: now) })
    }
}

/// A segment expression that cannot be evaluated: 422 with the code, the message and the
/// position (mapped in ``APIError/from(_:)``).
struct SegmentRefusal: Error {
    let error: SegmentError
}
