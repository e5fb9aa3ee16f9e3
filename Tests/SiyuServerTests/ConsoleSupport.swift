import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SiyuCore
import SiyuStore
import SiyuTestSupport
import WeComSandbox

@testable import SiyuServer

/// A browser for console tests: keeps cookies between requests and remembers the last page's CSRF token.
actor ConsoleBrowser {
    let client: any TestClientProtocol
    private(set) var cookies: [String: String] = [:]
    private(set) var csrf: String?
    /// The client address this browser presents (router tests have no TCP peer); nil is "unknown".
    private(set) var address: String?

    init(_ client: any TestClientProtocol) {
        self.client = client
    }

    @discardableResult
    func get(_ path: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        try await send(.get, path, headers: headers, body: nil)
    }

    /// Posts a form; the CSRF token of the last page goes with it unless the test sets `_csrf` itself.
    @discardableResult
    func post(_ path: String, _ fields: [(String, String)] = [], withToken: Bool = true) async throws -> TestResponse {
        var fields = fields
        if withToken, !fields.contains(where: { $0.0 == "_csrf" }), let csrf { fields.append(("_csrf", csrf)) }
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await send(.post, path, headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: body))
    }

    /// Posts JSON with the session's token in `X-CSRF-Token` (as the console's script does).
    func postJSON(_ path: String, _ json: String, token: String?) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.xCSRFToken] = token }
        return try await send(.post, path, headers: headers, body: ByteBuffer(string: json))
    }

    /// Opens the sign-in page (for its token) and signs in.
    @discardableResult
    func signIn(_ username: String, _ password: String) async throws -> TestResponse {
        try await get("/console/login")
        return try await post("/console/login", [("username", username), ("password", password)])
    }

    func forget(cookie name: String) { cookies[name] = nil }

    /// Sends the following requests as if from `address`.
    func move(to address: String?) { self.address = address }

    private func send(_ method: HTTPRequest.Method, _ path: String, headers: HTTPFields, body: ByteBuffer?) async throws -> TestResponse {
        var headers = headers
        if let address { headers[TestServer.addressHeader] = address }
        if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ") }
        let response = try await client.execute(uri: path, method: method, headers: headers, body: body)
        for header in response.headers[values: .setCookie] {
            let pair = header.split(separator: ";", maxSplits: 1)[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(pair[0])
            let value = pair.count > 1 ? String(pair[1]) : ""
            if value.isEmpty || header.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
        if let token = Self.csrfToken(in: response.text) { csrf = token }
        return response
    }

    static func csrfToken(in html: String) -> String? {
        guard let range = html.range(of: #"name="_csrf" value=""#) else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// A server with the console, over a fresh SQLite database; optionally a live WeCom sandbox that
/// corp `wwA1` talks to (tags and channel codes change on the platform first).
enum ConsoleTestServer {
    static let password = "correct horse battery"

    struct Fixture: Sendable {
        let store: SiyuStore
        let client: any TestClientProtocol
        /// The sandbox's world, when the test asked for one.
        var world: SandboxWorld?

        func browser() -> ConsoleBrowser { ConsoleBrowser(client) }

        /// A user with a fast bcrypt cost (4); the same password for everyone.
        @discardableResult
        func user(_ username: String, _ role: ConsoleRole, corp: String? = nil, member: String? = nil) async throws -> ConsoleUser {
            try await store.consoleUsers.createUser(username: username, password: ConsoleTestServer.password, role: role, corpID: corp, memberUserID: member, bcryptCost: 4, now: Date())
        }

        /// A customer added by one member, stored as a callback would store it.
        func addCustomer(_ corpID: String, _ externalUserID: String, name: String, member: String = "m1") async throws {
            _ = try await store.customers.reconcile(corpID: corpID, ContactObservation(
                externalUserID: externalUserID, event: .added, userID: member, state: nil, at: Date(),
                customer: CustomerFacts(externalUserID: externalUserID, name: name), relations: [RelationFacts(userID: member, state: nil, addedAt: Date(), tagIDs: [])]
            ), now: Date())
        }

        /// Corp `wwA1` registered (unless the sandbox did it) and a browser signed in as its admin.
        func adminWithCorp() async throws -> ConsoleBrowser {
            if world == nil, try await store.corps.find("wwA1") == nil {
                _ = try await store.corps.register(TestServer.registration("wwA1"), actor: "t", now: Date())
            }
            return try await signedIn("root", .admin)
        }

        /// A browser signed in as a new user.
        func signedIn(_ username: String, _ role: ConsoleRole, corp: String? = nil, member: String? = nil) async throws -> ConsoleBrowser {
            try await user(username, role, corp: corp, member: member)
            let browser = browser()
            try await browser.signIn(username, ConsoleTestServer.password)
            return browser
        }
    }

    static func run(
        settings: ConsoleSettings = ConsoleSettings(), sandbox: Bool = false, time: TimeSource = .system, _ body: @Sendable (Fixture) async throws -> Void
    ) async throws {
        try await TestServer.withStore { store in
            guard sandbox else {
                try await serve(store, settings: settings, time: time, body)
                return
            }
            let corp = TestServer.registration("wwA1")
            let world = SandboxWorld(seed: 3, clock: SandboxClock(pinnedAt: Date()))
            await world.configure(SandboxCorpConfig(corpID: corp.corpID, secret: corp.secret, token: corp.callbackToken, encodingAESKey: corp.encodingAESKey))
            for member in ["m1", "m2"] { _ = try await world.addMember(corpID: corp.corpID, userID: member, name: "成员" + member) }
            let platform = Sandbox(world: world, deliverer: CallbackDeliverer(timeout: .seconds(5), retryDelay: .milliseconds(20), logger: TestServer.logger))
            try await platform.buildApplication(port: 0, logger: TestServer.logger).test(.live) { sandboxClient in
                _ = try await store.corps.register(corp, actor: "t", now: Date())
                try await store.mirrorMembers(corpID: corp.corpID, ["m1", "m2"])
                let url = "http://127.0.0.1:\(sandboxClient.port ?? 0)"
                _ = try await store.corps.update(corp.corpID, name: nil, settings: [.wecomAPIBaseURL: url], actor: "t", now: Date())
                try await serve(store, settings: settings, world: world, time: time, body)
            }
        }
    }

    private static func serve(
        _ store: SiyuStore, settings: ConsoleSettings, world: SandboxWorld? = nil, time: TimeSource = .system, _ body: @Sendable (Fixture) async throws -> Void
    ) async throws {
        var dependencies = ServerDependencies(store: store, admin: AdminCredential(token: TestServer.adminToken), console: settings, time: time, logger: TestServer.logger)
        dependencies.presentedAddressHeader = TestServer.addressHeader
        let app = try buildApplication(configuration: .init(), dependencies: dependencies, logger: TestServer.logger)
        try await app.test(.router) { client in try await body(Fixture(store: store, client: client, world: world)) }
    }
}
