import Foundation
import Hummingbird
import SiyuCore

/// The console's languages: Simplified Chinese first, English on request (the `lang` cookie).
enum ConsoleLanguage: String, CaseIterable, Sendable {
    case zhCN = "zh-CN"
    case en

    static let cookieName = "lang"

    /// The language a request asks for through its cookie; Chinese otherwise.
    init(_ request: Request) {
        self = request.cookies[Self.cookieName].flatMap { ConsoleLanguage(rawValue: $0.value) } ?? .zhCN
    }
}

/// Every visible string of the console, one table per language (`console/i18n/<lang>.json`).
struct ConsoleStrings: Sendable {
    private let tables: [ConsoleLanguage: [String: String]]

    init(directory: URL) throws {
        var tables: [ConsoleLanguage: [String: String]] = [:]
        for language in ConsoleLanguage.allCases {
            let data = try Data(contentsOf: directory.appendingPathComponent("\(language.rawValue).json"))
            tables[language] = try JSONDecoder().decode([String: String].self, from: data)
        }
        self.tables = tables
    }

    /// The whole table of a language, with Chinese filling any gap.
    func table(_ language: ConsoleLanguage) -> [String: String] {
        (tables[.zhCN] ?? [:]).merging(tables[language] ?? [:]) { _, chosen in chosen }
    }

    /// One string; the key itself when no table has it (a missing translation shows up, it does not crash).
    func text(_ key: String, _ language: ConsoleLanguage) -> String {
        tables[language]?[key] ?? tables[.zhCN]?[key] ?? key
    }

    /// What a WeCom error means and what to do about it, in the reader's language: the
    /// `wecom_errcode_<code>` string when there is one, else a general explanation; the code
    /// and the platform's own message follow for whoever has to look it up.
    func platformError(errcode: Int, errmsg: String, _ language: ConsoleLanguage) -> String {
        let key = "wecom_errcode_\(errcode)"
        let known = text(key, language)
        let explanation = known == key ? text("wecom_errcode_other", language) : known
        let detail = text("wecom_errcode_detail", language).replacingOccurrences(of: "{code}", with: String(errcode))
            .replacingOccurrences(of: "{message}", with: String(errmsg.prefix(120)))
        return explanation + " " + detail
    }

    /// A segment expression's error wholly in the reader's language: where (line and column),
    /// what was wrong (`segment_error_<code>`) and the text at fault.
    func segmentError(_ error: SegmentError, _ language: ConsoleLanguage) -> String {
        var where_ = ""
        if let position = error.position {
            where_ = text(position.line == 1 ? "segment_at_column" : "segment_at_line", language)
                .replacingOccurrences(of: "{line}", with: String(position.line)).replacingOccurrences(of: "{column}", with: String(position.column))
        }
        let kind = error.kind.map { text("segment_kind_" + $0, language) } ?? ""
        let body = text("segment_error_" + error.code.rawValue, language)
            .replacingOccurrences(of: "{found}", with: error.found ?? "").replacingOccurrences(of: "{kind}", with: kind)
        return where_ + body
    }

    /// Keys present in one table and missing from another (a test keeps this empty).
    var missingKeys: [String] {
        let all = tables.values.reduce(into: Set<String>()) { $0.formUnion($1.keys) }
        return tables.flatMap { language, table in all.subtracting(table.keys).map { "\(language.rawValue): \($0)" } }.sorted()
    }
}
