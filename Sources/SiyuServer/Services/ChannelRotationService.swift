import Foundation
import SiyuCore
import SiyuStore
import WeCom

/// Keeps a channel's contact way listing the members its strategy, caps and schedule call for.
struct ChannelRotationService: Sendable {
    let store: SiyuStore

    /// Recomputes the channel's members for now (daily caps and the schedule in the corp's
    /// day) and updates the contact way when they changed.
    func rotate(corpID: String, channel: Channel, client: WeComClient, now: Date) async throws {
        let calendar = try await store.contacts.calendar(corpID: corpID)
        let adds = try await store.channels.adds(corpID: corpID, channelID: channel.channelID, since: calendar.startOfDay(now))
        let wanted = channel.settings.activeMembers(addsToday: adds, weekday: calendar.weekday(now))
        guard wanted != channel.activeMembers, let configID = channel.configID else { return }
        try await client.updateContactWay(ContactWay(configID: configID, type: 2, scene: 2, user: wanted))
        var updated = channel
        updated.activeMembers = wanted
        try await store.channels.save(corpID: corpID, updated, actor: nil, now: now)
    }
}
