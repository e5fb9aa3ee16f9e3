import Foundation
import Hummingbird
import SiyuCore
import SiyuStore

/// `/api/v1/corps`: the tenant registry and each corp's API keys.
struct CorpController: Sendable {
    let corps: CorpStore
    let keys: APIKeyStore
    let audit: AuditLog
    let jobs: JobQueue
    let wecom: WeComConnections
    let time: TimeSource

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.post("corps", use: register)
        group.get("corps", use: list)
        group.get("corps/{corp_id}", use: show)
        group.patch("corps/{corp_id}", use: update)
        group.post("corps/{corp_id}/keys", use: createKey)
        group.get("corps/{corp_id}/keys", use: listKeys)
        group.delete("corps/{corp_id}/keys/{key_id}", use: revokeKey)
        group.get("corps/{corp_id}/audit", use: auditLog)
    }

    @Sendable func register(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<Wire.Corp> {
        try context.requireAdmin()
        let body = try await request.decode(as: Wire.CorpRegistration.self, context: context)
        let registration = CorpRegistration(
            corpID: body.corpID, name: body.name, secret: body.secret, callbackToken: body.token, encodingAESKey: body.aesKey
        )
        let corp = try await corps.register(registration, actor: context.principal.actor, now: time())
        context.logger.info("corp registered", metadata: ["corp_id": .string(corp.corpID)])
        // Its members, tags and customers are mirrored at once, not at the next daily sync.
        try await jobs.enqueue(kind: CorpSync.jobKind, payload: "registered", corpID: corp.corpID, maxAttempts: 3, now: time())
        return EditedResponse(status: .created, response: Wire.Corp(corp))
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> Wire.Page<Wire.Corp> {
        try context.requireAdmin()
        let limit = try Pagination.limit(request, default: 100)
        let page = try await corps.list(after: request.uri.queryParameters.get("cursor"), limit: limit + 1)
        let shown = Array(page.prefix(limit))
        return Wire.Page(shown.map(Wire.Corp.init), nextCursor: page.count > limit ? shown.last?.corpID : nil)
    }

    @Sendable func show(_ request: Request, context: AuthenticatedContext) async throws -> Wire.Corp {
        let corpID = try context.parameters.require("corp_id")
        try context.requireAccess(to: corpID)
        guard let corp = try await corps.find(corpID) else { throw Self.noSuchCorp(corpID) }
        return Wire.Corp(corp)
    }

    @Sendable func update(_ request: Request, context: AuthenticatedContext) async throws -> Wire.Corp {
        let corpID = try context.parameters.require("corp_id")
        try context.requireAccess(to: corpID)
        let body = try await request.decode(as: Wire.CorpUpdate.self, context: context)
        let settings = try CorpSettings.parseChange(body.settings ?? [:])
        let credentials = CorpCredentialChange(secret: body.secret, callbackToken: body.token, encodingAESKey: body.aesKey)
        if !credentials.isEmpty || settings.keys.contains(where: \.isCredential) {
            guard context.principal == .admin else {
                let named = credentials.names + settings.keys.filter(\.isCredential).map { "settings.\($0.rawValue)" }
                throw APIError(
                    .forbidden, code: "forbidden",
                    "\(named.joined(separator: ", ")) change only with the installation's admin token, never with a corp API key"
                )
            }
        }
        guard let corp = try await corps.update(
            corpID, name: body.name, settings: settings, credentials: credentials, actor: context.principal.actor, now: time()
        ) else {
            throw Self.noSuchCorp(corpID)
        }
        await wecom.invalidate(corpID)
        return Wire.Corp(corp)
    }

    @Sendable func createKey(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<Wire.APIKey> {
        try context.requireAdmin()
        let corpID = try context.parameters.require("corp_id")
        let body = try await Self.decodeOptional(Wire.APIKeyRequest.self, request, context) ?? Wire.APIKeyRequest()
        let created = try await keys.create(corpID: corpID, label: body.label ?? "", scope: body.scope ?? .write, actor: context.principal.actor, now: time())
        return EditedResponse(status: .created, response: Wire.APIKey(created.info, token: created.token))
    }

    @Sendable func listKeys(_ request: Request, context: AuthenticatedContext) async throws -> Wire.Page<Wire.APIKey> {
        let corpID = try context.parameters.require("corp_id")
        try context.requireAccess(to: corpID)
        guard try await corps.find(corpID) != nil else { throw Self.noSuchCorp(corpID) }
        return Wire.Page(try await keys.list(corpID: corpID).map { Wire.APIKey($0) })
    }

    @Sendable func revokeKey(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        try context.requireAdmin()
        let corpID = try context.parameters.require("corp_id")
        let keyID = try context.parameters.require("key_id")
        guard try await keys.revoke(corpID: corpID, keyID: keyID, actor: context.principal.actor, now: time()) else {
            throw APIError(.notFound, code: "not_found", "corp \(corpID) has no active key \(keyID)")
        }
        return Response(status: .noContent)
    }

    @Sendable func auditLog(_ request: Request, context: AuthenticatedContext) async throws -> Wire.Page<AuditLog.Entry> {
        let corpID = try context.parameters.require("corp_id")
        try context.requireAccess(to: corpID)
        var entries = try await audit.recent(corpID: corpID, limit: try Pagination.limit(request, default: 100))
        // A tenant sees what was done to its corp, not where the installation's admin works from.
        if context.principal != .admin {
            for index in entries.indices where !entries[index].actor.hasPrefix("key:\(corpID)/") { entries[index].address = nil }
        }
        return Wire.Page(entries)
    }

    static func noSuchCorp(_ corpID: String) -> APIError {
        APIError(.notFound, code: "not_found", "no corp \(corpID)")
    }

    /// Decodes a body that may be absent altogether.
    static func decodeOptional<T: Decodable>(_ type: T.Type, _ request: Request, _ context: AuthenticatedContext) async throws -> T? {
        var request = request
        let buffer = try await request.collectBody(limit: context.maxUploadSize)
        if buffer.readableBytes == 0 { return nil }
        return try context.requestDecoder.decode(T.self, from: Data(buffer.readableBytesView))
    }
}

