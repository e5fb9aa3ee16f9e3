import Foundation
import Hummingbird
import SiyuCore
import SiyuStore
import WeCom

/// `/api/v1/corps/{corp_id}/accounts`: connecting service accounts and changing their
/// credentials, which only the installation's admin does (as for corps).
struct ServiceAccountAdminController: Sendable {
    let store: SiyuStore
    let accounts: ServiceAccountConnections
    let time: TimeSource

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.post("corps/{corp_id}/accounts", use: register)
        group.get("corps/{corp_id}/accounts", use: list)
        group.patch("corps/{corp_id}/accounts/{app_id}", use: update)
        group.post("corps/{corp_id}/accounts/{app_id}/rotate_key", use: rotateKey)
    }

    @Sendable func register(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<ServiceAccountSummary> {
        try context.requireAdmin()
        let corpID = try context.parameters.require("corp_id")
        let body = try await request.decode(as: Wire.ServiceAccountRegistration.self, context: context)
        let registration = ServiceAccountRegistration(
            corpID: corpID, appID: body.appID, name: body.name ?? body.appID, secret: body.secret, token: body.token,
            encodingAESKey: body.aesKey, mode: body.mode ?? .secure
        )
        let account = try await store.serviceAccounts.register(registration, apiBaseURL: body.apiBaseURL, actor: context.principal.actor, now: time())
        try await store.jobs.enqueue(kind: FollowerSync.jobKind, payload: account.appID, corpID: corpID, maxAttempts: 3, now: time())
        return EditedResponse(status: .created, response: account)
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> Wire.Page<ServiceAccountSummary> {
        let corpID = try context.parameters.require("corp_id")
        try context.requireAccess(to: corpID)
        guard try await store.corps.find(corpID) != nil else { throw CorpController.noSuchCorp(corpID) }
        return Wire.Page(try await store.serviceAccounts.list(corpID: corpID))
    }

    @Sendable func update(_ request: Request, context: AuthenticatedContext) async throws -> ServiceAccountSummary {
        try context.requireAdmin()
        let appID = try await account(context).appID
        let body = try await request.decode(as: Wire.ServiceAccountUpdate.self, context: context)
        let change = ServiceAccountStore.Change(name: body.name, mode: body.mode, secret: body.secret, token: body.token, apiBaseURL: body.apiBaseURL)
        guard let updated = try await store.serviceAccounts.update(appID: appID, change, actor: context.principal.actor, now: time()) else {
            throw Self.noSuchAccount(appID)
        }
        await accounts.invalidate(appID)
        return updated
    }

    @Sendable func rotateKey(_ request: Request, context: AuthenticatedContext) async throws -> ServiceAccountSummary {
        try context.requireAdmin()
        let appID = try await account(context).appID
        let body = try await request.decode(as: Wire.KeyRotation.self, context: context)
        guard let rotated = try await store.serviceAccounts.rotateKey(appID: appID, to: body.aesKey, actor: context.principal.actor, now: time()) else {
            throw Self.noSuchAccount(appID)
        }
        await accounts.invalidate(appID)
        return rotated
    }

    /// The account the path names, when it belongs to the corp the path names.
    private func account(_ context: AuthenticatedContext) async throws -> ServiceAccountSummary {
        let corpID = try context.parameters.require("corp_id")
        let appID = try context.parameters.require("app_id")
        guard let account = try await store.serviceAccounts.find(appID: appID), account.corpID == corpID else { throw Self.noSuchAccount(appID) }
        return account
    }

    static func noSuchAccount(_ appID: String) -> APIError {
        APIError(.notFound, code: "not_found", "no service account \(appID)")
    }
}

/// `/api/v1/accounts`: a corp's service accounts, their followers, reply rules and menu.
struct ServiceAccountController: Sendable {
    let store: SiyuStore
    let accounts: ServiceAccountConnections
    let time: TimeSource
    var editing: ServiceAccountEditing { ServiceAccountEditing(store: store, accounts: accounts, time: time) }

    func addRoutes(to group: RouterGroup<CorpContext>) {
        group.get("accounts", use: list)
        group.get("accounts/{app_id}", use: show)
        group.get("accounts/{app_id}/replies", use: replies)
        group.put("accounts/{app_id}/replies", use: setReplies)
        group.get("accounts/{app_id}/menu", use: menu)
        group.put("accounts/{app_id}/menu", use: publishMenu)
        group.get("accounts/{app_id}/followers", use: followers)
        group.get("accounts/{app_id}/followers/{openid}", use: follower)
        group.get("accounts/{app_id}/growth", use: growth)
        group.post("accounts/{app_id}/sync", use: sync)
        group.post("channels/{channel_id}/qrcode", use: createQRCode)
        group.get("accounts/{app_id}/tags", use: tags)
        group.post("accounts/{app_id}/tags", use: createTag)
        group.post("accounts/{app_id}/tags/{follower_tag_id}/followers", use: tagFollowers)
        group.post("accounts/{app_id}/media", use: uploadMedia)
    }

    /// The account's follower tags as the platform has them (`tags/get`).
    @Sendable func tags(_ request: Request, context: CorpContext) async throws -> Wire.Page<FollowerTag> {
        Wire.Page(try await client(context).followerTags())
    }

    /// A new follower tag (`tags/create`): at most 30 bytes, 100 tags an account.
    @Sendable func createTag(_ request: Request, context: CorpContext) async throws -> EditedResponse<FollowerTag> {
        let client = try await client(context)
        let body = try await request.decode(as: Wire.FollowerTagCreate.self, context: context)
        let name = body.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.utf8.count <= 30 else {
            throw ValidationError(field: "name", message: "a follower tag name is 1 to 30 bytes (a Chinese character is 3)")
        }
        return EditedResponse(status: .created, response: try await client.createFollowerTag(name: name))
    }

    /// Puts a tag on (or takes it off) followers through the platform, 50 a call, and records it.
    @Sendable func tagFollowers(_ request: Request, context: CorpContext) async throws -> Wire.FollowerTagged {
        let appID = try await account(context).appID
        let client = try await client(context)
        let tagText = try context.parameters.require("follower_tag_id")
        guard let tagID = Int(tagText) else { throw APIError(.notFound, code: "not_found", "no follower tag \(tagText)") }
        let body = try await request.decode(as: Wire.FollowerTagging.self, context: context)
        guard (1...1000).contains(body.openIDs.count) else {
            throw ValidationError(field: "openids", message: "1 to 1000 openids a request")
        }
        let tagged = body.tagged ?? true
        for start in stride(from: 0, to: body.openIDs.count, by: 50) {
            let chunk = Array(body.openIDs[start..<min(start + 50, body.openIDs.count)])
            try await client.setFollowerTag(tagID, on: chunk, tagged: tagged)
            try await store.followers.setTag(corpID: context.corpID, appID: appID, tagID: tagID, openIDs: chunk, tagged: tagged)
        }
        return Wire.FollowerTagged(tagID: tagID, openIDs: body.openIDs, tagged: tagged)
    }

    /// Temporary media for replies (`media/upload`, kept 3 days by the platform): the body is the
    /// file itself; `type` is image (default), voice, video or thumb.
    @Sendable func uploadMedia(_ request: Request, context: CorpContext) async throws -> EditedResponse<UploadedMedia> {
        let client = try await client(context)
        let type = request.uri.queryParameters.get("type") ?? "image"
        guard ["image", "voice", "video", "thumb"].contains(type) else {
            throw APIError(.badRequest, code: "bad_request", "type is image, voice, video or thumb", field: "type")
        }
        var request = request
        let body = try await request.collectBody(limit: Self.maxMedia)
        guard body.readableBytes > 0 else { throw ValidationError(field: "body", message: "the body is the file to upload") }
        let contentType = request.headers[.contentType] ?? "application/octet-stream"
        let name: String = request.uri.queryParameters.get("filename") ?? "upload.\(type == "image" ? "jpg" : "bin")"
        let media = try await client.uploadMedia(type: type, filename: name, contentType: contentType, data: Data(body.readableBytesView))
        return EditedResponse(status: .created, response: media)
    }

    /// The platform's largest temporary media (a 10 MB video).
    static let maxMedia = 10 << 20

    private func client(_ context: CorpContext) async throws -> WeComClient {
        let appID = try await account(context).appID
        guard let connection = try await accounts.connection(appID: appID) else { throw ServiceAccountAdminController.noSuchAccount(appID) }
        return connection.client
    }

    /// Gives a channel a parametric QR code of one of the corp's accounts (`qrcode/create`, the
    /// channel's state as the scene): permanent, or temporary for `expire_seconds` (≤ 30 days).
    @Sendable func createQRCode(_ request: Request, context: CorpContext) async throws -> SiyuCore.Channel {
        let channelID = try context.parameters.require("channel_id")
        guard let channel = try await store.channels.find(corpID: context.corpID, channelID: channelID) else {
            throw APIError(.notFound, code: "not_found", "no channel \(channelID)")
        }
        let body = try await request.decode(as: Wire.ChannelQRCodeRequest.self, context: context)
        try ChannelQRCode.validateLifetime(body.expireSeconds)
        guard let account = try await store.serviceAccounts.find(appID: body.appID), account.corpID == context.corpID,
              let connection = try await accounts.connection(appID: body.appID)
        else {
            throw ValidationError(field: "app_id", message: "no service account \(body.appID) in this corp", unknownID: body.appID)
        }
        let code = try await connection.client.createQRCode(scene: channel.state, expireSeconds: body.expireSeconds)
        let expiresAt = code.expireSeconds.map { time().addingTimeInterval(TimeInterval($0)) }
        let qr = ChannelQRCode(appID: body.appID, scene: channel.state, ticket: code.ticket, url: code.url, expiresAt: body.expireSeconds == nil ? nil : expiresAt)
        guard let updated = try await store.channels.setOfficialAccountQR(
            corpID: context.corpID, channelID: channelID, qr, actor: context.principal.actor, now: time()
        ) else {
            throw APIError(.notFound, code: "not_found", "no channel \(channelID)")
        }
        await accounts.invalidate(body.appID)
        return updated
    }

    @Sendable func list(_ request: Request, context: CorpContext) async throws -> Wire.Page<ServiceAccountSummary> {
        Wire.Page(try await store.serviceAccounts.list(corpID: context.corpID))
    }

    @Sendable func show(_ request: Request, context: CorpContext) async throws -> ServiceAccountSummary {
        try await account(context)
    }

    @Sendable func replies(_ request: Request, context: CorpContext) async throws -> ReplyRulesDocument {
        let appID = try await account(context).appID
        return try await store.serviceAccounts.replies(appID: appID) ?? ReplyRulesDocument()
    }

    @Sendable func setReplies(_ request: Request, context: CorpContext) async throws -> ReplyRulesDocument {
        let appID = try await account(context).appID
        let document = try await request.decode(as: ReplyRulesDocument.self, context: context)
        try await editing.setReplies(appID: appID, document, actor: context.principal.actor)
        return document
    }

    @Sendable func menu(_ request: Request, context: CorpContext) async throws -> Wire.AccountMenuState {
        let appID = try await account(context).appID
        let saved = try await store.serviceAccounts.menu(appID: appID)
        return Wire.AccountMenuState(menu: saved?.menu, publishedAt: saved?.publishedAt)
    }

    /// Checks the menu against the platform's limits, publishes it with `menu/create`, and keeps
    /// it once the platform accepted it.
    @Sendable func publishMenu(_ request: Request, context: CorpContext) async throws -> Wire.AccountMenuState {
        let appID = try await account(context).appID
        let menu = try await request.decode(as: AccountMenu.self, context: context)
        guard let publishedAt = try await editing.publishMenu(appID: appID, menu, actor: context.principal.actor) else {
            throw ServiceAccountAdminController.noSuchAccount(appID)
        }
        return Wire.AccountMenuState(menu: menu, publishedAt: publishedAt)
    }

    @Sendable func followers(_ request: Request, context: CorpContext) async throws -> Wire.Page<Follower> {
        let appID = try await account(context).appID
        let limit = try Pagination.limit(request, default: 50, maximum: 500)
        let query = request.uri.queryParameters
        let page = try await store.followers.list(
            corpID: context.corpID, appID: appID, channelID: query.get("channel_id"), after: query.get("cursor"), limit: limit + 1
        )
        let shown = Array(page.prefix(limit))
        return Wire.Page(shown, nextCursor: page.count > limit ? shown.last?.openID : nil)
    }

    @Sendable func follower(_ request: Request, context: CorpContext) async throws -> Wire.FollowerProfile {
        let appID = try await account(context).appID
        let openID = try context.parameters.require("openid")
        guard let follower = try await store.followers.find(corpID: context.corpID, appID: appID, openID: openID) else {
            throw APIError(.notFound, code: "not_found", "no follower \(openID)")
        }
        let timeline = try await store.followers.timeline(corpID: context.corpID, appID: appID, openID: openID)
        return Wire.FollowerProfile(follower: follower, timeline: timeline.map { .init(at: $0.at, kind: $0.kind, detail: $0.detail) })
    }

    /// New, lost, net and total followers per day (`from`/`to` as `YYYY-MM-DD` in the corp's
    /// zone, the last 30 days by default), of the account or of one channel (`channel_id`).
    @Sendable func growth(_ request: Request, context: CorpContext) async throws -> Wire.FollowerGrowth {
        let appID = try await account(context).appID
        let calendar = try await store.contacts.calendar(corpID: context.corpID)
        let query = request.uri.queryParameters
        let today = calendar.dayNumber(time())
        func day(_ name: String, default value: Int) throws -> Int {
            guard let text = query.get(name) else { return value }
            guard let day = BusinessCalendar.dayNumber(parsing: text) else {
                throw APIError(.badRequest, code: "bad_request", "\(name) must be a date as YYYY-MM-DD", field: name)
            }
            return day
        }
        let last = try day("to", default: today)
        let first = try day("from", default: last - 29)
        guard first <= last, last - first < 366 else {
            throw APIError(.badRequest, code: "bad_request", "from must be on or before to, at most 366 days apart", field: "from")
        }
        let days = try await store.followers.growth(
            corpID: context.corpID, appID: appID, channelID: query.get("channel_id"),
            from: calendar.startOfDay(dayNumber: first), to: calendar.startOfDay(dayNumber: last), calendar: calendar
        )
        return Wire.FollowerGrowth(days)
    }

    @Sendable func sync(_ request: Request, context: CorpContext) async throws -> EditedResponse<Wire.Status> {
        let appID = try await account(context).appID
        try await store.jobs.enqueue(kind: FollowerSync.jobKind, payload: appID, corpID: context.corpID, maxAttempts: 3, now: time())
        return EditedResponse(status: .accepted, response: Wire.Status(status: "queued"))
    }

    private func account(_ context: CorpContext) async throws -> ServiceAccountSummary {
        let appID = try context.parameters.require("app_id")
        guard let account = try await store.serviceAccounts.find(appID: appID), account.corpID == context.corpID else {
            throw ServiceAccountAdminController.noSuchAccount(appID)
        }
        return account
    }
}
