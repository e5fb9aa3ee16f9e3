import Foundation
import SiyuCore
import SiyuStore
import WeCom

/// Creating, editing and deleting channel codes: the contact way changes on WeCom first, then
/// the channel is stored. The REST API and the console both go through here.
struct ChannelCodes: Sendable {
    let store: SiyuStore
    let wecom: WeComConnections
    let time: TimeSource

    /// The corp's channel, or a 404.
    func find(corpID: String, channelID: String) async throws -> Channel {
        guard let channel = try await store.channels.find(corpID: corpID, channelID: channelID) else {
            throw APIError(.notFound, code: "not_found", "no channel \(channelID)")
        }
        return channel
    }

    /// Validates, creates the contact way, and stores the channel (removing the contact way again if storing fails).
    func create(corpID: String, name: String, settings: ChannelSettings, actor: String) async throws -> Channel {
        try Channel.validateName(name)
        try settings.validate()
        try await checkReferences(corpID: corpID, settings)
        let now = time()
        let active = settings.activeMembers(addsToday: [:], weekday: try await store.contacts.calendar(corpID: corpID).weekday(now))
        let state = "ch" + Self.randomToken(10)
        let client = try await wecom.client(for: corpID)
        let created = try await client.addContactWay(ContactWay(
            type: 2, scene: 2, remark: String(name.prefix(30)), skipVerify: settings.skipVerify, state: state, user: active
        ))
        let channel = Channel(
            channelID: "chn_" + Self.randomToken(12), name: name.trimmingCharacters(in: .whitespacesAndNewlines), state: state,
            configID: created.configID, qrCode: created.qrCode, settings: settings, activeMembers: active, createdAt: now, updatedAt: now
        )
        do {
            return try await store.channels.create(corpID: corpID, channel, actor: actor)
        } catch {
            // Nothing half-made: the contact way goes if the channel cannot be stored.
            try? await client.deleteContactWay(created.configID)
            throw error
        }
    }

    /// Gives a channel a new name and settings: validated, the contact way updated, then stored.
    func update(corpID: String, _ channel: Channel, name: String?, settings: ChannelSettings, actor: String) async throws -> Channel {
        var channel = channel
        if let name {
            try Channel.validateName(name)
            channel.name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        try settings.validate()
        try await checkReferences(corpID: corpID, settings)
        let now = time()
        let calendar = try await store.contacts.calendar(corpID: corpID)
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
        try await store.channels.save(corpID: corpID, channel, actor: actor, now: now)
        return channel
    }

    /// Deletes the contact way (already gone is fine) and marks the channel deleted.
    func delete(corpID: String, _ channel: Channel, actor: String) async throws {
        if let configID = channel.configID {
            do {
                try await wecom.client(for: corpID).deleteContactWay(configID)
            } catch let error as WeComAPIError where error.errcode == 41044 {
                // Already gone on the platform.
            }
        }
        _ = try await store.channels.delete(corpID: corpID, channelID: channel.channelID, actor: actor, now: time())
    }

    /// Members and tags must be the corp's before the platform is asked (the platform answers an
    /// unknown userid with errcode 60111, which says less).
    private func checkReferences(corpID: String, _ settings: ChannelSettings) async throws {
        try await store.references.require(.member, settings.members, corpID: corpID, field: "members")
        try await store.references.require(.member, settings.backupMembers, corpID: corpID, field: "backup_members")
        try await store.references.require(.tag, settings.autoTagIDs, corpID: corpID, field: "auto_tag_ids")
    }

    static func randomToken(_ length: Int) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
    }
}
