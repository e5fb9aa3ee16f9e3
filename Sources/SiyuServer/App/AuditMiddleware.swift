import SiyuCore
import Foundation
import HTTPTypes
import Hummingbird
import SiyuStore

/// A request context whose state-changing requests ``AuditMiddleware`` records.
protocol AuditedContext: RequestContext {
    /// Who acts: `admin`, `key:<corp>/<key id>`, `console:<username>`.
    var auditActor: String { get }
    /// The corp the actor works in when the path names none (a key's corp, the console's acting corp).
    var auditCorpID: String? { get }
    var clientAddress: String? { get }
}

extension AuthenticatedContext: AuditedContext {
    var auditActor: String { principal.actor }
    var auditCorpID: String? {
        if case .corp(let corpID, _, _) = principal { return corpID }
        return nil
    }
}

extension ConsoleContext: AuditedContext {
    var auditActor: String { actor }
    var auditCorpID: String? { signIn.corpID }
}

/// Appends one audit entry after every successful state-changing request (POST, PUT, PATCH,
/// DELETE with a status below 400): actor, `http <METHOD> <route pattern>` as the action, the
/// last id in the path as the target, every path id and the status as detail, and the client's
/// address. Entries the stores write while serving the request get the address too
/// (``AuditLog/requestAddress``). Previews and counts, which change nothing, are left out.
struct AuditMiddleware<Context: AuditedContext>: RouterMiddleware {
    let audit: AuditLog
    let time: TimeSource

    static func isAudited(_ method: HTTPRequest.Method, route: String) -> Bool {
        [.post, .put, .patch, .delete].contains(method) && !route.hasSuffix("/preview") && !AuthMiddleware.computingPOSTs.contains(route)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let route = context.endpointPath ?? request.uri.path
        guard Self.isAudited(request.method, route: route) else { return try await next(request, context) }
        let response = try await AuditLog.$requestAddress.withValue(context.clientAddress) {
            try await next(request, context)
        }
        guard response.status.code < 400 else { return response }
        var detail = ["status": String(response.status.code)]
        for (name, value) in context.parameters { detail[String(name)] = String(value) }
        let target = Self.parameterNames(route).last.flatMap { context.parameters.get($0) } ?? ""
        do {
            try await audit.record(
                corpID: context.parameters.get("corp_id") ?? context.auditCorpID ?? "", actor: context.auditActor,
                action: "http \(request.method.rawValue) \(route)", target: target, detail: detail, address: context.clientAddress, now: time()
            )
        } catch {
            // The change is made; refusing the answer now would only make the caller retry it.
            context.logger.error("audit entry not written", metadata: ["route": .string(route), "error": .string(String(describing: error))])
        }
        return response
    }

    /// `{corp_id}`-style names in a route pattern, in order.
    static func parameterNames(_ route: String) -> [String] {
        route.split(separator: "/").compactMap { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? String(part.dropFirst().dropLast()) : nil
        }
    }
}

/// Tests only: takes the client's address from a request header, because router tests have no
/// TCP peer. Installed only when ``ServerDependencies/presentedAddressHeader`` is set, which the
/// shipped binary never does.
struct PresentedAddressMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let header: HTTPField.Name

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let address = request.headers[header] { context.clientAddress = address }
        return try await next(request, context)
    }
}
