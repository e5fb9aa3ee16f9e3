import Foundation
import Hummingbird
import SiyuCore

/// Helpers shared by the JSON controllers.
enum Query {
    /// A date query parameter: `YYYY-MM-DD` (start of that day in the business calendar) or ISO 8601.
    static func date(_ request: Request, _ name: String, calendarOffset: Int = 8 * 3600) throws -> Date? {
        guard let text = request.uri.queryParameters.get(name), !text.isEmpty else { return nil }
        if let date = try? Date(text, strategy: .iso8601) { return date }
        let parts = text.split(separator: "-").compactMap { Int($0) }
        if parts.count == 3 {
            var components = DateComponents()
            (components.year, components.month, components.day) = (parts[0], parts[1], parts[2])
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(secondsFromGMT: calendarOffset)!
            if let date = calendar.date(from: components) { return date }
        }
        throw APIError(.badRequest, code: "bad_request", "\(name) must be a date (YYYY-MM-DD) or an ISO 8601 time", field: name)
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
