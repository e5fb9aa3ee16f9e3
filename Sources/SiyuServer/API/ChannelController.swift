import Foundation
import Hummingbird
import SiyuCore
import SiyuStore
import WeCom

/// `/api/v1/channels`: channel codes, each backed by a WeCom contact way.
struct ChannelController: Sendable {
    let store: SiyuStore
    let wecom: WeComConnections
    var calendar = BusinessCalendar()

    struct CreateRequest: Decodable {
        var name: String
        var members: [String]
        var backupMembers: [String]?
        var strategy: RotationStrategy?
        var dailyCap: Int?
        var schedule: [String: [String]]?
        var autoTagIDs: [String]?
        var skipVerify: Bool?
        var welcome: WelcomeMessage?

        enum CodingKeys: String, CodingKey {
            case name, members, backupMembers = "backup_members", strategy, dailyCap = "daily_cap", schedule
            case autoTagIDs = "auto_tag_ids", skipVerify = "skip_verify", welcome
        }
    }

    struct UpdateRequest: Decodable {
        var name: String?
        var members: [String]?
        var backupMembers: [String]?
        var strategy: RotationStrategy?
        var dailyCap: Int?
        var clearDailyCap: Bool?
        var schedule: [String: [String]]?
        var autoTagIDs: [String]?
        var skipVerify: Bool?
        var welcome: WelcomeMessage?
        var clearWelcome: Bool?

        enum CodingKeys: String, CodingKey {
            case name, members, backupMembers = "backup_members", strategy, dailyCap = "daily_cap", clearDailyCap = "clear_daily_cap", schedule
            case autoTagIDs = "auto_tag_ids", skipVerify = "skip_verify", welcome, clearWelcome = "clear_welcome"
        }
    }

    struct ChannelList: ResponseEncodable { var channels: [Channel] }

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.post("channels", use: create)
        group.get("channels", use: list)
        group.get("channels/{channel_id}", use: show)
        group.patch("channels/{channel_id}", use: update)
        group.delete("channels/{channel_id}", use: delete)
        group.get("channels/{channel_id}/stats", use: stats)
    }

    @Sendable func create(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<Channel> {
        let corpID = try context.actingCorp()
        let body = try await request.decode(as: CreateRequest.self, context: context)
        try Channel.validateName(body.name)
        let settings = ChannelSettings(
            members: body.members, backupMembers: body.backupMembers ?? [], strategy: body.strategy ?? .roundRobin, dailyCap: body.dailyCap,
            schedule: body.schedule, autoTagIDs: body.autoTagIDs ?? [], skipVerify: body.skipVerify ?? true, welcome: body.welcome
        )
        try settings.validate()
        try await checkTags(corpID: corpID, settings.autoTagIDs)
        let now = Date()
        let active = settings.activeMembers(addsToday: [:], weekday: calendar.weekday(now))
        let state = "ch" + Self.randomToken(10)
        let client = try await wecom.client(for: corpID)
        let created = try await client.addContactWay(ContactWay(
            type: 2, scene: 2, remark: String(body.name.prefix(30)), skipVerify: settings.skipVerify, state: state, user: active
        ))
        let channel = Channel(
            channelID: "chn_" + Self.randomToken(12), name: body.name.trimmingCharacters(in: .whitespacesAndNewlines), state: state,
            configID: created.configID, qrCode: created.qrCode, settings: settings, activeMembers: active, createdAt: now, updatedAt: now
        )
        do {
            return EditedResponse(status: .created, response: try await store.channels.create(corpID: corpID, channel, actor: context.principal.actor))
        } catch {
            // Nothing half-made: the contact way goes if the channel cannot be stored.
            try? await client.deleteContactWay(created.configID)
            throw error
        }
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> ChannelList {
        ChannelList(channels: try await store.channels.list(corpID: try context.actingCorp()))
    }

    @Sendable func show(_ request: Request, context: AuthenticatedContext) async throws -> Channel {
        try await find(context)
    }

    @Sendable func update(_ request: Request, context: AuthenticatedContext) async throws -> Channel {
        let corpID = try context.actingCorp()
        var channel = try await find(context)
        let body = try await request.decode(as: UpdateRequest.self, context: context)
        if let name = body.name {
            try Channel.validateName(name)
            channel.name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        }
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
        try settings.validate()
        try await checkTags(corpID: corpID, settings.autoTagIDs)
        let now = Date()
        let adds = try await store.channels.adds(corpID: corpID, channelID: channel.channelID, since: calendar.startOfDay(now))
        let active = settings.activeMembers(addsToday: adds, weekday: calendar.weekday(now))
        if let configID = channel.configID {
            try await wecom.client(for: corpID).updateContactWay(ContactWay(
                configID: configID, type: 2, scene: 2, remark: String(channel.name.prefix(30)), skipVerify: settings.skipVerify, user: active
            ))
        }
        channel.settings = settings
        channel.activeMembers = active
        channel.updatedAt = now
        try await store.channels.save(corpID: corpID, channel, actor: context.principal.actor, now: now)
        return channel
    }

    @Sendable func delete(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let corpID = try context.actingCorp()
        let channel = try await find(context)
        if let configID = channel.configID {
            do {
                try await wecom.client(for: corpID).deleteContactWay(configID)
            } catch let error as WeComAPIError where error.errcode == 41044 {
                // Already gone on the platform.
            }
        }
        _ = try await store.channels.delete(corpID: corpID, channelID: channel.channelID, actor: context.principal.actor)
        return Response(status: .noContent)
    }

    @Sendable func stats(_ request: Request, context: AuthenticatedContext) async throws -> ChannelStore.Statistics {
        let corpID = try context.actingCorp()
        let channel = try await find(context)
        let to = try Query.date(request, "to") ?? Date()
        let from = try Query.date(request, "from") ?? to.addingTimeInterval(-29 * 86400)
        guard from <= to, to.timeIntervalSince(from) <= 366 * 86400 else {
            throw APIError(.badRequest, code: "bad_request", "from must not be after to, and the span is at most a year")
        }
        return try await store.channels.statistics(corpID: corpID, channelID: channel.channelID, from: from, to: to, calendar: calendar)
    }

    private func find(_ context: AuthenticatedContext) async throws -> Channel {
        let corpID = try context.actingCorp()
        let channelID = try context.parameters.require("channel_id")
        guard let channel = try await store.channels.find(corpID: corpID, channelID: channelID) else {
            throw APIError(.notFound, code: "not_found", "no channel \(channelID)")
        }
        return channel
    }

    private func checkTags(corpID: String, _ tagIDs: [String]) async throws {
        guard !tagIDs.isEmpty else { return }
        let known = Set(try await store.directory.tagGroups(corpID: corpID).flatMap { $0.tags.map(\.tagID) })
        for tag in tagIDs where !known.contains(tag) {
            throw ValidationError(field: "auto_tag_ids", message: "unknown tag \(tag); create it under /api/v1/tag_groups first")
        }
    }

    static func randomToken(_ length: Int) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
    }
}
