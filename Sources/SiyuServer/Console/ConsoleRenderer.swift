import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore

/// Every template the console renders. Loading checks each is there, so a missing or broken
/// template fails the start (and the tests), never a page that renders empty.
enum ConsoleTemplate: String, CaseIterable, Sendable {
    case layout, login, error, dashboard, channels, channel, customers, customer, tags, campaigns, campaign
    case campaignCompose = "campaign_compose"
    case campaignTasks = "campaign_tasks"
    case memberPicker = "member_picker"
    case campaignConfirm = "campaign_confirm"
    case segments, segment
    case contactPolicy = "contact_policy"
    case groups, group, lost, audit
    case segmentBuilder = "segment_builder"
    case accounts, followers, follower
    case accountReplies = "account_replies"
    case accountMenu = "account_menu"
    case accountTabs = "account_tabs"
    case accountMenuRow = "account_menu_row"
    case replyFields = "reply_fields"
}

/// The console's templates, string tables and static files, loaded once from the package's resources.
struct ConsoleRenderer: Sendable {
    let library: MustacheLibrary
    let strings: ConsoleStrings
    /// File name → contents and content type, served under `/console/static/`.
    let staticFiles: [String: StaticFile]

    struct StaticFile: Sendable {
        var body: ByteBuffer
        var contentType: String
    }

    /// The console's resources in this build.
    static var bundledRoot: URL? { Bundle.module.resourceURL?.appendingPathComponent("console") }

    /// Loads `console/templates/*.mustache`, `console/i18n/*.json` and `console/static/*` (from
    /// the bundle unless `root` is given); every ``ConsoleTemplate`` must be among them.
    static func load(from root: URL? = bundledRoot) throws -> ConsoleRenderer {
        guard let root else { throw ConfigurationError("the console's resources are missing from the build") }
        var library = MustacheLibrary()
        let templates = root.appendingPathComponent("templates")
        for name in try FileManager.default.contentsOfDirectory(atPath: templates.path) where name.hasSuffix(".mustache") {
            let text = try String(contentsOf: templates.appendingPathComponent(name), encoding: .utf8)
            try library.register(text, named: String(name.dropLast(".mustache".count)))
        }
        for template in ConsoleTemplate.allCases where library.getTemplate(named: template.rawValue) == nil {
            throw ConfigurationError("the console template \(template.rawValue).mustache is missing from \(templates.path)")
        }
        var files: [String: StaticFile] = [:]
        let assets = root.appendingPathComponent("static")
        for name in try FileManager.default.contentsOfDirectory(atPath: assets.path) {
            let data = try Data(contentsOf: assets.appendingPathComponent(name))
            let type = name.hasSuffix(".css") ? "text/css; charset=utf-8" : name.hasSuffix(".js") ? "text/javascript; charset=utf-8"
                : name.hasSuffix(".svg") ? "image/svg+xml" : "application/octet-stream"
            files[name] = StaticFile(body: ByteBuffer(bytes: data), contentType: type)
        }
        return ConsoleRenderer(library: library, strings: try ConsoleStrings(directory: root.appendingPathComponent("i18n")), staticFiles: files)
    }

    /// An HTML page from a template and its data.
    func html(_ template: ConsoleTemplate, _ data: Any, status: HTTPResponse.Status = .ok) -> Response {
        // Loading checked every template is registered, so rendering always finds it.
        let text = library.render(data, withTemplate: template.rawValue) ?? ""
        return Response(status: status, headers: Self.htmlHeaders, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A JSON answer for the console's own scripts (live counts and previews).
    static func json(_ object: [String: Any], status: HTTPResponse.Status) throws -> Response {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// No framing, no inline script, no third-party anything; images may come from WeCom (channel QR codes).
    static let htmlHeaders: HTTPFields = [
        .contentType: "text/html; charset=utf-8",
        .cacheControl: "no-store",
        HTTPField.Name("X-Frame-Options")!: "DENY",
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "same-origin",
        HTTPField.Name("Content-Security-Policy")!: "default-src 'self'; img-src 'self' http: https: data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'",
    ]
}

/// The fields of a submitted `application/x-www-form-urlencoded` form, in order.
struct ConsoleForm: Sendable {
    private var pairs: [(String, String)]

    init(pairs: [(String, String)]) {
        self.pairs = pairs
    }

    init(encoded: String) {
        pairs = encoded.split(separator: "&").map { part in
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (text: Substring) in String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            return (decode(pieces[0]), pieces.count > 1 ? decode(pieces[1]) : "")
        }
    }

    /// Reads a request's form body (up to 1 MiB); the body stays readable for later handlers.
    static func read(_ request: inout Request) async throws -> ConsoleForm {
        let body = try await request.collectBody(upTo: 1 << 20)
        return ConsoleForm(encoded: String(buffer: body))
    }

    /// Every field as sent, in order (to carry a form through a confirmation page).
    var fields: [(name: String, value: String)] { pairs.map { (name: $0.0, value: $0.1) } }

    /// The first value of a field, trimmed; nil when absent.
    subscript(_ name: String) -> String? {
        pairs.first { $0.0 == name }.map { $0.1.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// Every non-empty value of a repeated field (checkboxes).
    func values(_ name: String) -> [String] {
        pairs.filter { $0.0 == name && !$0.1.isEmpty }.map(\.1)
    }

    /// Every value of a field, each a comma-, space- or newline-separated list (`m1, m2`, or one
    /// checkbox per value), without blanks or repeats.
    func list(_ name: String) -> [String] {
        var seen: Set<String> = []
        return pairs.filter { $0.0 == name }.flatMap { $0.1.split(whereSeparator: { ",， \n\r\t".contains($0) }) }
            .map(String.init).filter { seen.insert($0).inserted }
    }
}
