import Foundation
import HTTPTypes
import Hummingbird
import Logging
import SiyuCore
import SiyuStore

/// Gives every request an id (the caller's `X-Request-Id` when it is sane), puts it in the
/// request's log metadata and echoes it in the response.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let incoming = request.headers[.xRequestID].flatMap { value -> String? in
            guard (1...128).contains(value.utf8.count), value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
                return nil
            }
            return value
        }
        let id = incoming ?? UUID().uuidString.lowercased()
        context.requestID = id
        context.logger[metadataKey: "request_id"] = .string(id)
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            let apiError = APIError.from(error)
            if apiError.status.code >= 500 {
                context.logger.error("request failed", metadata: ["error": .string(String(describing: error))])
            }
            response = try apiError.response(from: request, context: context)
        }
        response.headers[.xRequestID] = id
        let elapsed = ContinuousClock.now - start
        context.logger.log(level: response.status.code >= 500 ? .warning : .debug, "request", metadata: [
            "method": .string(request.method.rawValue), "path": .string(request.uri.path),
            "status": .stringConvertible(response.status.code),
            "ms": .string(String(format: "%.2f", elapsed.timeInterval * 1000)),
        ])
        return response
    }
}

/// Resolves `Authorization: Bearer …` to a principal. A wrong credential is an error at once;
/// no credential leaves the principal empty (public routes still work, protected ones refuse).
struct AuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let admin: AdminCredential
    let keys: APIKeyStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            return try await next(request, context)
        }
        guard header.lowercased().hasPrefix("bearer ") else {
            throw APIError(.unauthorized, code: "unauthorized", "use 'Authorization: Bearer <token>'")
        }
        let token = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        var context = context
        if admin.matches(token) {
            context.principal = .admin
        } else if let key = try await keys.authenticate(token) {
            context.principal = .corp(corpID: key.corpID, keyID: key.keyID, scope: key.scope)
            context.logger[metadataKey: "corp_id"] = .string(key.corpID)
            if key.scope == .read, !Self.isRead(request) {
                throw APIError(.forbidden, code: "insufficient_scope", "this API key can only read; create a key with scope write to change data")
            }
        } else {
            throw APIError(.unauthorized, code: "unauthorized", "the bearer token is not a valid admin token or API key")
        }
        return try await next(request, context)
    }

    /// POSTs that only compute an answer from what is stored, and change nothing.
    static let computingPOSTs: Set<String> = ["/api/v1/segments/count", "/api/v1/campaigns/preview"]

    /// Whether a request only reads: what a key of scope `read` may send.
    static func isRead(_ request: Request) -> Bool {
        switch request.method {
        case .get, .head: true
        case .post: computingPOSTs.contains(request.uri.path)
        default: false
        }
    }
}

extension HTTPField.Name {
    static let xRequestID = Self("X-Request-Id")!
}
