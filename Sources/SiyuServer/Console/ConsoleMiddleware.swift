import Foundation
import HTTPTypes
import Hummingbird
import Logging
import SiyuCore
import SiyuStore
import WeCom

/// The console's cookies: the session (HttpOnly, SameSite=Lax, Path=/, Secure when configured),
/// the sign-in form's CSRF token, and the language.
enum ConsoleCookies {
    static let session = "siyu_session"
    static let loginCSRF = "siyu_login_csrf"

    static func make(_ name: String, _ value: String, maxAge: Int, settings: ConsoleSettings) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/", secure: settings.secureCookies, httpOnly: true, sameSite: .lax)
    }
}

/// Resolves the `siyu_session` cookie to a signed-in user (or sends the browser to sign in),
/// slides the session's expiry, picks the corp the user acts on, and checks the CSRF token of
/// every state-changing request: the `_csrf` form field or the `X-CSRF-Token` header.
struct ConsoleSessionMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let store: SiyuStore
    let settings: ConsoleSettings
    let time: TimeSource

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let now = time()
        guard let token = request.cookies[ConsoleCookies.session]?.value,
              let session = try await store.consoleUsers.session(hash: ConsolePasswords.tokenHash(token), now: now) else {
            if request.method == .get || request.method == .head {
                let next = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
                return .redirect(to: "/console/login?next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
            }
            throw ConsoleRefusal(.unauthorized, "error_signin_needed")
        }
        var request = request
        if request.method != .get && request.method != .head {
            let presented: String?
            if let header = request.headers[.xCSRFToken] {
                presented = header
            } else {
                presented = try await ConsoleForm.read(&request)["_csrf"]
            }
            guard let presented, ConstantTime.equal(Array(presented.utf8), Array(session.csrfToken.utf8)) else {
                throw ConsoleRefusal(.forbidden, "error_csrf")
            }
        }
        var context = context
        let corpID = try await actingCorp(session)
        var calendar = BusinessCalendar.platform
        if let corpID { calendar = try await store.contacts.calendar(corpID: corpID) }
        context.consoleSignIn = ConsoleSignIn(session: session, corpID: corpID, calendar: calendar)
        context.logger[metadataKey: "console_user"] = .string(session.user.username)
        var response = try await next(request, context)
        if now.timeIntervalSince(session.lastSeenAt) >= settings.touchInterval {
            try await store.consoleUsers.touchSession(hash: session.sessionHash, lifetime: settings.sessionLifetime, now: now)
            response.setCookie(ConsoleCookies.make(ConsoleCookies.session, token, maxAge: Int(settings.sessionLifetime), settings: settings))
        }
        return response
    }

    /// Operators and employees work in their own corp; an admin in the one they chose, else the first.
    private func actingCorp(_ session: ConsoleSession) async throws -> String? {
        if session.user.role != .admin { return session.user.corpID }
        if let chosen = session.actingCorpID, try await store.corps.find(chosen) != nil { return chosen }
        return try await store.corps.list(limit: 1).first?.corpID
    }
}

/// Turns anything a console handler throws into an HTML page in the reader's language.
struct ConsoleErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let renderer: ConsoleRenderer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let language = ConsoleLanguage(request)
            var (status, key, detail) = Self.describe(error)
            if let platform = error as? WeComAPIError {
                (status, key, detail) = (.badGateway, "error_platform", renderer.strings.platformError(errcode: platform.errcode, errmsg: platform.errmsg, language))
            }
            if status.code >= 500 {
                context.logger.error("console request failed", metadata: ["error": .string(String(describing: error))])
            }
            return renderer.html(.error, [
                "t": renderer.strings.table(language), "lang": language.rawValue, "status": status.code,
                "message": renderer.strings.text(key, language), "detail": detail.map { $0 as Any } ?? false,
            ], status: status)
        }
    }

    /// Status, message key and (for errors of the platform or the request) a technical detail.
    static func describe(_ error: any Error) -> (HTTPResponse.Status, String, String?) {
        if let refusal = error as? ConsoleRefusal { return (refusal.status, refusal.messageKey, nil) }
        let api = APIError.from(error)
        switch api.status.code {
        case 404: return (api.status, "error_not_found", nil)
        case 403: return (api.status, "error_forbidden", nil)
        case 500...: return (api.status, "error_internal", api.code == "internal" ? nil : api.message)
        default: return (api.status, "error_bad_request", api.message)
        }
    }
}

extension HTTPField.Name {
    static let xCSRFToken = Self("X-CSRF-Token")!
}
