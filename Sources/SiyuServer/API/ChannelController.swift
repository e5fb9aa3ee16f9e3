import Foundation
import Hummingbird
import SiyuCore
import SiyuStore
import WeCom

/// `/api/v1/channels`: channel codes, each backed by a WeCom contact way.
struct ChannelController: Sendable {
    let channels: ChannelStore
    let contacts: ContactStore
    let codes: ChannelCodes

    func addRoutes(to group: RouterGroup<CorpContext>) {
        group.post("channels", use: create)
        group.get("channels", use: list)
        group.get("channels/{channel_id}", use: show)
        group.patch("channels/{channel_id}", use: update)
        group.delete("channels/{channel_id}", use: delete)
        group.get("channels/{channel_id}/stats", use: stats)
    }

    @Sendable func create(_ request: Request, context: CorpContext) async throws -> EditedResponse<Channel> {
        let corpID = context.corpID
        let body = try await request.decode(as: Wire.ChannelCreate.self, context: context)
        var settings = ChannelSettings(
            members: body.members, backupMembers: body.backupMembers ?? [], strategy: body.strategy ?? .roundRobin, dailyCap: body.dailyCap,
            schedule: body.schedule, autoTagIDs: body.autoTagIDs ?? [], skipVerify: body.skipVerify ?? true, welcome: body.welcome
        )
        settings.followerTagIDs = body.followerTagIDs
        settings.followerWelcome = body.followerWelcome
        let channel = try await codes.create(corpID: corpID, name: body.name, settings: settings, actor: context.principal.actor)
        return EditedResponse(status: .created, response: channel)
    }

    @Sendable func list(_ request: Request, context: CorpContext) async throws -> Wire.Page<Channel> {
        Wire.Page(try await channels.list(corpID: context.corpID))
    }

    @Sendable func show(_ request: Request, context: CorpContext) async throws -> Channel {
        try await find(context)
    }

    @Sendable func update(_ request: Request, context: CorpContext) async throws -> Channel {
        let corpID = context.corpID
        let channel = try await find(context)
        let body = try await request.decode(as: Wire.ChannelUpdate.self, context: context)
        var settings = channel.settings
        if let members = body.members { settings.members = members }
        if let backups = body.backupMembers { settings.backupMembers = backups }
        if let strategy = body.strategy { settings.strategy = strategy }
        if let cap = body.dailyCap { settings.dailyCap = cap }
        if body.clearDailyCap == true { settings.dailyCap = nil }
        if let schedule = body.schedule { settings.schedule = schedule }
        if let tags = body.autoTagIDs { settings.autoTagIDs = tags }
        if let skip = body.skipVerify { settings.skipVerify = skip }
        if let welcome = body.welcome { settings.welcome = welcome }
        if body.clearWelcome == true { settings.welcome = nil }
        if let tags = body.followerTagIDs { settings.followerTagIDs = tags }
        if let welcome = body.followerWelcome { settings.followerWelcome = welcome }
        if body.clearFollowerWelcome == true { settings.followerWelcome = nil }
        return try await codes.update(corpID: corpID, channel, name: body.name, settings: settings, actor: context.principal.actor)
    }

    @Sendable func delete(_ request: Request, context: CorpContext) async throws -> Response {
        let corpID = context.corpID
        try await codes.delete(corpID: corpID, try await find(context), actor: context.principal.actor)
        return Response(status: .noContent)
    }

    @Sendable func stats(_ request: Request, context: CorpContext) async throws -> ChannelStore.Statistics {
        let corpID = context.corpID
        let channel = try await find(context)
        let calendar = try await contacts.calendar(corpID: corpID)
        let to = try Query.date(request, "to", in: calendar) ?? codes.time()
        let from = try Query.date(request, "from", in: calendar) ?? to.addingTimeInterval(-29 * 86400)
        guard from <= to, to.timeIntervalSince(from) <= 366 * 86400 else {
            throw APIError(.badRequest, code: "bad_request", "from must not be after to, and the span is at most a year")
        }
        return try await channels.statistics(corpID: corpID, channelID: channel.channelID, from: from, to: to, calendar: calendar)
    }

    private func find(_ context: CorpContext) async throws -> Channel {
        try await codes.find(corpID: context.corpID, channelID: try context.parameters.require("channel_id"))
    }
}
