import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SiyuCore

/// A CSV download: UTF-8 with a byte-order mark (spreadsheet programs then read Chinese text
/// right), every cell neutralised against formulas (`CSV.encode`). Exports write names beside
/// ids and times in the corp's time zone with its offset (`BusinessCalendar.isoLabel`).
enum CSVExport {
    static func response(filename: String, header: [String], rows: [[String]]) -> Response {
        let text = "\u{FEFF}" + CSV.encode([header] + rows)
        let ascii = filename.unicodeScalars.allSatisfy { $0.isASCII && $0 != "\"" } ? filename : "export.csv"
        return Response(
            status: .ok,
            headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(ascii)\"", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: text))
        )
    }
}
