import Foundation
import Hummingbird
import SiyuCore
import SiyuStore

/// `/api/v1/corps`: the tenant registry and each corp's API keys.
struct CorpController: Sendable {
    let corps: CorpStore
    let keys: APIKeyStore
    let audit: AuditLog
    let wecom: WeComConnections
    let time: TimeSource

    struct CorpBody: ResponseEncodable {
        var corpID: String
        var name: String
        var settings: [String: String]
        var createdAt: Date
        var updatedAt: Date

        enum CodingKeys: String, CodingKey {
            case corpID = "corp_id", name, settings, createdAt = "created_at", updatedAt = "updated_at"
        }

        init(_ corp: CorpSummary) {
            corpID = corp.corpID
            name = corp.name
            settings = corp.settings.values
            createdAt = corp.createdAt
            updatedAt = corp.updatedAt
        }
    }

    struct CorpPage: ResponseEncodable {
        var corps: [CorpBody]
        var nextCursor: String?
        enum CodingKeys: String, CodingKey { case corps, nextCursor = "next_cursor" }
    }

    struct RegisterRequest: Decodable {
        var corpID: String
        var name: String
        var secret: String
        var token: String
        var aesKey: String
        enum CodingKeys: String, CodingKey { case corpID = "corp_id", name, secret, token, aesKey = "aes_key" }
    }

    /// A change to a corp. Settings follow JSON merge patch: a value sets one, `null` removes it.
    /// The credentials (`secret`, `token`, `aes_key`) and credential settings are admin only.
    struct UpdateRequest: Decodable {
        var name: String?
        var settings: [String: String?]?
        var secret: String?
        var token: String?
        var aesKey: String?
        enum CodingKeys: String, CodingKey { case name, settings, secret, token, aesKey = "aes_key" }
    }

    struct KeyBody: ResponseEncodable {
        var keyID: String
        var corpID: String
        var label: String
        var scope: APIKeyScope
        var createdAt: Date
        var revokedAt: Date?
        /// Present only in the response that creates the key.
        var key: String?

        enum CodingKeys: String, CodingKey {
            case keyID = "key_id", corpID = "corp_id", label, scope, createdAt = "created_at", revokedAt = "revoked_at", key
        }

        init(_ info: APIKeyStore.Info, token: String? = nil) {
            keyID = info.keyID
            corpID = info.corpID
            label = info.label
            scope = info.scope
            createdAt = info.createdAt
            revokedAt = info.revokedAt
            key = token
        }
    }

    struct KeyList: ResponseEncodable { var keys: [KeyBody] }

    struct CreateKeyRequest: Decodable {
        var label: String?
        /// `read` or `write` (the default).
        var scope: APIKeyScope?
    }

    struct AuditList: ResponseEncodable { var entries: [AuditLog.Entry] }

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

    @Sendable func register(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<CorpBody> {
        try context.requireAdmin()
        let body = try await request.decode(as: RegisterRequest.self, context: context)
        let registration = CorpRegistration(
            corpID: body.corpID, name: body.name, secret: body.secret, callbackToken: body.token, encodingAESKey: body.aesKey
        )
        let corp = try await corps.register(registration, actor: context.principal.actor, now: time())
        context.logger.info("corp registered", metadata: ["corp_id": .string(corp.corpID)])
        return EditedResponse(status: .created, response: CorpBody(corp))
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> CorpPage {
        try context.requireAdmin()
        let limit = try Pagination.limit(request, default: 100)
        let page = try await corps.list(after: request.uri.queryParameters.get("cursor"), limit: limit + 1)
        let shown = Array(page.prefix(limit))
        return CorpPage(corps: shown.map(CorpBody.init), nextCursor: page.count > limit ? shown.last?.corpID : nil)
    }

    @Sendable func show(_ request: Request, context: AuthenticatedContext) async throws -> CorpBody {
        let corpID = try context.parameters.require("corp_id")
        try context.requireAccess(to: corpID)
        guard let corp = try await corps.find(corpID) else { throw Self.noSuchCorp(corpID) }
        return CorpBody(corp)
    }

    @Sendable func update(_ request: Request, context: AuthenticatedContext) async throws -> CorpBody {
        let corpID = try context.parameters.require("corp_id")
        try context.requireAccess(to: corpID)
        let body = try await request.decode(as: UpdateRequest.self, context: context)
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
        return CorpBody(corp)
    }

    @Sendable func createKey(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<KeyBody> {
        try context.requireAdmin()
        let corpID = try context.parameters.require("corp_id")
        let body = try await Self.decodeOptional(CreateKeyRequest.self, request, context) ?? CreateKeyRequest()
        let created = try await keys.create(corpID: corpID, label: body.label ?? "", scope: body.scope ?? .write, actor: context.principal.actor, now: time())
        return EditedResponse(status: .created, response: KeyBody(created.info, token: created.token))
    }

    @Sendable func listKeys(_ request: Request, context: AuthenticatedContext) async throws -> KeyList {
        let corpID = try context.parameters.require("corp_id")
        try context.requireAccess(to: corpID)
        guard try await corps.find(corpID) != nil else { throw Self.noSuchCorp(corpID) }
        return KeyList(keys: try await keys.list(corpID: corpID).map { KeyBody($0) })
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

    @Sendable func auditLog(_ request: Request, context: AuthenticatedContext) async throws -> AuditList {
        let corpID = try context.parameters.require("corp_id")
        try context.requireAccess(to: corpID)
        var entries = try await audit.recent(corpID: corpID, limit: try Pagination.limit(request, default: 100))
        // A tenant sees what was done to its corp, not where the installation's admin works from.
        if context.principal != .admin {
            for index in entries.indices where !entries[index].actor.hasPrefix("key:\(corpID)/") { entries[index].address = nil }
        }
        return AuditList(entries: entries)
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

/// `?cursor=&limit=` handling shared by list routes.
enum Pagination {
    static func limit(_ request: Request, default value: Int, maximum: Int = 1000) throws -> Int {
        guard let text = request.uri.queryParameters.get("limit") else { return value }
        guard let limit = Int(text), (1...maximum).contains(limit) else {
            throw APIError(.badRequest, code: "bad_request", "limit must be a whole number from 1 to \(maximum)", field: "limit")
        }
        return limit
    }
}
