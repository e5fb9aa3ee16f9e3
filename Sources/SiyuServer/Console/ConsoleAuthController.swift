import Foundation
import Hummingbird
import Logging
import SiyuCore
import SiyuStore

/// Sign-in and sign-out, the language switch, the admin's corp switch and the static files.
struct ConsoleAuthController: Sendable {
    let store: SiyuStore
    let renderer: ConsoleRenderer
    let settings: ConsoleSettings
    let time: TimeSource

    /// Routes anyone may reach.
    func addPublicRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("login", use: loginForm)
        group.post("login", use: login)
        group.get("lang/{lang}", use: switchLanguage)
        group.get("static/{file}", use: staticFile)
    }

    /// Routes of a signed-in user.
    func addRoutes(to group: RouterGroup<ConsoleContext>) {
        group.get("", use: home)
        group.post("logout", use: logout)
        group.post("corp", use: switchCorp)
    }

    @Sendable func loginForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        try renderLogin(request, error: nil, username: "", status: .ok)
    }

    /// Checks the form's token against its cookie, throttles by username and client address (see
    /// ``ConsoleSettings/signInLimits``), verifies the password with bcrypt, and starts a session.
    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let form = try await ConsoleForm.read(&request)
        guard let cookie = request.cookies[ConsoleCookies.loginCSRF]?.value, let presented = form["_csrf"],
              ConstantTime.equal(Array(cookie.utf8), Array(presented.utf8)) else {
            throw ConsoleRefusal(.forbidden, "error_csrf")
        }
        let username = form["username"] ?? ""
        let password = form["password"] ?? ""
        let address = context.clientAddress ?? "unknown"
        let now = time()
        let users = store.consoleUsers
        if let until = try await users.beginSignIn(username: username, address: address, limits: settings.signInLimits, now: now) {
            context.logger.warning("console sign-in throttled", metadata: ["username": .string(username), "address": .string(address)])
            return try renderLogin(request, error: "login_throttled", wait: until.timeIntervalSince(now), username: username, status: .tooManyRequests)
        }
        let user = try await users.find(username: username)
        // An unknown username costs the same bcrypt check, so timing does not tell which usernames exist.
        let matches = ConsolePasswords.verify(password, hash: user?.passwordHash ?? ConsolePasswords.decoy)
        guard let user, matches, user.disabledAt == nil else {
            // Counted already, by beginSignIn.
            context.logger.info("console sign-in failed", metadata: ["username": .string(username), "address": .string(address)])
            return try renderLogin(request, error: "login_failed", username: username, status: .unauthorized)
        }
        try await users.clearFailures(username: username, address: address, before: now.addingTimeInterval(-settings.longestThrottleWindow))
        let token = ConsolePasswords.newToken()
        try await AuditLog.$requestAddress.withValue(context.clientAddress) {
            try await users.startSession(
                sessionHash: ConsolePasswords.tokenHash(token), userID: user.userID, csrfToken: Hex.random(bytes: 24),
                actingCorpID: user.corpID, lifetime: settings.sessionLifetime, now: now
            )
        }
        context.logger.info("console sign-in", metadata: ["username": .string(username), "role": .string(user.role.rawValue)])
        var response = Response.redirect(to: Self.localTarget(request.uri.queryParameters.get("next") ?? form["next"]))
        response.setCookie(ConsoleCookies.make(ConsoleCookies.session, token, maxAge: Int(settings.sessionLifetime), settings: settings))
        response.setCookie(ConsoleCookies.make(ConsoleCookies.loginCSRF, "", maxAge: 0, settings: settings))
        return response
    }

    @Sendable func logout(_ request: Request, context: ConsoleContext) async throws -> Response {
        try await store.consoleUsers.endSession(hash: context.signIn.session.sessionHash)
        var response = Response.redirect(to: "/console/login")
        response.setCookie(ConsoleCookies.make(ConsoleCookies.session, "", maxAge: 0, settings: settings))
        return response
    }

    @Sendable func home(_ request: Request, context: ConsoleContext) async throws -> Response {
        .redirect(to: context.role == .employee ? "/console/customers" : "/console/dashboard")
    }

    /// An admin picks the corp to work on; the session remembers it.
    @Sendable func switchCorp(_ request: Request, context: ConsoleContext) async throws -> Response {
        guard context.role == .admin else { throw ConsoleRefusal(.forbidden, "error_forbidden") }
        var request = request
        let corpID = try await ConsoleForm.read(&request)["corp_id"] ?? ""
        guard try await store.corps.find(corpID) != nil else { throw ConsoleRefusal(.notFound, "error_not_found") }
        try await store.consoleUsers.setActingCorp(hash: context.signIn.session.sessionHash, corpID: corpID)
        return .redirect(to: "/console")
    }

    @Sendable func switchLanguage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let language = ConsoleLanguage(rawValue: try context.parameters.require("lang")) ?? .zhCN
        var response = Response.redirect(to: Self.localTarget(request.uri.queryParameters.get("back")))
        response.setCookie(ConsoleCookies.make(ConsoleLanguage.cookieName, language.rawValue, maxAge: 365 * 86400, settings: settings))
        return response
    }

    @Sendable func staticFile(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let file = renderer.staticFiles[try context.parameters.require("file")] else {
            throw ConsoleRefusal(.notFound, "error_not_found")
        }
        return Response(
            status: .ok, headers: [.contentType: file.contentType, .cacheControl: "public, max-age=3600"], body: .init(byteBuffer: file.body)
        )
    }

    /// The sign-in page; `wait` (seconds) fills the `{wait}` of a throttling message.
    private func renderLogin(
        _ request: Request, error: String?, wait: TimeInterval = 0, username: String, status: HTTPResponse.Status
    ) throws -> Response {
        let language = ConsoleLanguage(request)
        let t = renderer.strings.table(language)
        let token = Hex.random(bytes: 24)
        let other: ConsoleLanguage = language == .zhCN ? .en : .zhCN
        var page: [String: Any] = [
            "t": t, "lang": language.rawValue, "csrf": token, "username": username,
            "next": request.uri.queryParameters.get("next").map { String($0) } ?? "",
            "lang_switch": ["href": "/console/lang/\(other.rawValue)?back=%2Fconsole%2Flogin", "label": renderer.strings.text("lang_name", other)],
        ]
        if let error { page["error"] = (t[error] ?? error).replacingOccurrences(of: "{wait}", with: Self.waitText(wait, t)) }
        var response = renderer.html(.login, page, status: status)
        response.setCookie(ConsoleCookies.make(ConsoleCookies.loginCSRF, token, maxAge: 3600, settings: settings))
        return response
    }

    /// "1 分 40 秒" / "1 min 40 s" (or only seconds under a minute), rounded up to the second.
    static func waitText(_ seconds: TimeInterval, _ t: [String: String]) -> String {
        let total = max(1, Int(seconds.rounded(.up)))
        let (minutes, rest) = total.quotientAndRemainder(dividingBy: 60)
        let template = minutes > 0 ? t["wait_minutes_seconds"] ?? "{m} min {s} s" : t["wait_seconds"] ?? "{s} s"
        return template.replacingOccurrences(of: "{m}", with: String(minutes)).replacingOccurrences(of: "{s}", with: String(rest))
    }

    /// Only a path inside the console: never another site (`//evil`, `https://…`).
    static func localTarget(_ candidate: String?) -> String {
        guard let candidate, candidate.hasPrefix("/console"), !candidate.hasPrefix("//"), !candidate.contains("\\") else { return "/console" }
        return candidate
    }
}
