import Foundation
import Hummingbird
import SiyuCore

/// Helpers shared by the JSON controllers.
enum Query {
    /// A date query parameter, read in the corp's calendar: `YYYY-MM-DD` (the start of that
    /// day), a local `YYYY-MM-DDTHH:MM[:SS]`, or ISO 8601 with an offset.
    static func date(_ request: Request, _ name: String, in calendar: BusinessCalendar) throws -> Date? {
        guard let text = request.uri.queryParameters.get(name), !text.isEmpty else { return nil }
        guard let date = calendar.date(parsing: text) else {
            throw APIError(.badRequest, code: "bad_request", "\(name) must be a date (YYYY-MM-DD) or an ISO 8601 time", field: name)
        }
        return date
    }

    /// A CSV request body as rows of cells; a UTF-8 BOM (as spreadsheets write it) is skipped.
    static func csvBody(_ request: Request, limit: Int) async throws -> [[String]] {
        var request = request
        let buffer = try await request.collectBody(limit: limit)
        var text = String(decoding: buffer.readableBytesView, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        do {
            return try CSV.decode(text).map { $0.map(CSV.restored) }
        } catch {
            throw APIError(.badRequest, code: "bad_csv", "\(error)")
        }
    }

    static func list(_ request: Request, _ name: String) -> [String] {
        (request.uri.queryParameters.get(name) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
