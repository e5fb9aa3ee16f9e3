import Foundation
import SQLKit
import SiyuCore

/// The contact ledger as stored: sets of subjects touched together — one campaign's
/// reservations at one instant on one channel, or a batch of touches recorded at once — each a
/// compact ``OrdinalSet`` of the subjects' ordinals (``SubjectOrdinals``).
///
/// A campaign holds at most one touch per subject, so a campaign's sets are disjoint: a
/// reservation moves between them (to the real send time) or leaves them (released). Every
/// change runs inside a transaction that holds the corp's budget lock, so two writers never
/// read and rewrite the same set at once.
enum LedgerSets {
    /// One stored set.
    struct Stored {
        var setID: String
        var campaignID: String?
        var channel: TouchChannel
        var at: Date
        var members: OrdinalSet
    }

    /// The id of a campaign's set on `channel` at `at` (one per campaign, channel and instant).
    static func campaignSetID(_ campaignID: String, channel: TouchChannel, at: Date) -> String {
        "\(campaignID)/\(channel.rawValue)/\(StoredTime.millis(at))"
    }

    /// Adds touches: a campaign's join its set for the instant (a subject's other touch for the
    /// same campaign moves here); touches without a campaign make a set of their own.
    static func add(on sql: any SQLDatabase, corpID: String, campaignID: String?, channel: TouchChannel, at: Date, members: OrdinalSet) async throws {
        guard !members.isEmpty else { return }
        guard let campaignID else {
            return try await write(on: sql, corpID: corpID, Stored(setID: Hex.random(bytes: 12), campaignID: nil, channel: channel, at: at, members: members))
        }
        let setID = campaignSetID(campaignID, channel: channel, at: at)
        var merged = members
        for var existing in try await sets(on: sql, corpID: corpID, campaignID: campaignID) {
            if existing.setID == setID {
                merged = merged.union(existing.members)
            } else {
                let kept = existing.members.subtracting(members)
                guard kept.count != existing.members.count else { continue }
                existing.members = kept
                try await write(on: sql, corpID: corpID, existing)
            }
        }
        try await write(on: sql, corpID: corpID, Stored(setID: setID, campaignID: campaignID, channel: channel, at: at, members: merged))
    }

    /// Removes a campaign's touches of `members` (released reservations); returns how many.
    @discardableResult
    static func remove(on sql: any SQLDatabase, corpID: String, campaignID: String, members: OrdinalSet) async throws -> Int {
        guard !members.isEmpty else { return 0 }
        var removed = 0
        for var existing in try await sets(on: sql, corpID: corpID, campaignID: campaignID) {
            let kept = existing.members.subtracting(members)
            guard kept.count != existing.members.count else { continue }
            removed += existing.members.count - kept.count
            existing.members = kept
            try await write(on: sql, corpID: corpID, existing)
        }
        return removed
    }

    /// Moves a campaign's touches to the instants in `moves` (deliveries at the platform's send
    /// times), reading the campaign's sets once and writing each changed one once. A member the
    /// campaign holds no touch of (released meanwhile) is not moved.
    static func move(on sql: any SQLDatabase, corpID: String, campaignID: String, _ moves: [Date: OrdinalSet]) async throws {
        let moving = moves.values.reduce(OrdinalSet()) { $0.union($1) }
        guard !moving.isEmpty else { return }
        let present = try await sets(on: sql, corpID: corpID, campaignID: campaignID)
        guard let channel = present.first?.channel else { return }
        let held = present.reduce(OrdinalSet()) { $0.union($1.members) }
        var byID = Dictionary(uniqueKeysWithValues: present.map { ($0.setID, $0) })
        var changed = Set<String>()
        for var set in present {
            let kept = set.members.subtracting(moving)
            guard kept.count != set.members.count else { continue }
            set.members = kept
            byID[set.setID] = set
            changed.insert(set.setID)
        }
        for (at, members) in moves {
            let arriving = OrdinalSet(sortedMembers: members.filter(held.contains))
            guard !arriving.isEmpty else { continue }
            let setID = campaignSetID(campaignID, channel: channel, at: at)
            var set = byID[setID] ?? Stored(setID: setID, campaignID: campaignID, channel: channel, at: at, members: OrdinalSet())
            set.members = set.members.union(arriving)
            byID[setID] = set
            changed.insert(setID)
        }
        for setID in changed.sorted() { try await write(on: sql, corpID: corpID, byID[setID]!) }
    }

    /// Every set of one campaign.
    static func sets(on sql: any SQLDatabase, corpID: String, campaignID: String) async throws -> [Stored] {
        try await sql.raw("""
            SELECT set_id, campaign_id, channel, at, members FROM ledger_sets WHERE corp_id = \(bind: corpID) AND campaign_id = \(bind: campaignID)
            """).all().map(stored)
    }

    /// Every set at or after `since` and (when given) at or before `until`, oldest first.
    static func sets(on sql: any SQLDatabase, corpID: String, since: Date, until: Date? = nil) async throws -> [Stored] {
        var query = SQLQueryString("SELECT set_id, campaign_id, channel, at, members FROM ledger_sets WHERE corp_id = \(bind: corpID) AND at >= \(bind: StoredTime.millis(since))")
        if let until { query = query + " AND at <= \(bind: StoredTime.millis(until))" }
        return try await sql.raw(query + " ORDER BY at, set_id").all().map(stored)
    }

    /// Writes a set (an empty one is deleted).
    static func write(on sql: any SQLDatabase, corpID: String, _ set: Stored) async throws {
        guard !set.members.isEmpty else {
            return try await sql.raw("DELETE FROM ledger_sets WHERE corp_id = \(bind: corpID) AND set_id = \(bind: set.setID)").run()
        }
        try await sql.raw("""
            INSERT INTO ledger_sets (corp_id, set_id, campaign_id, channel, at, members, size)
            VALUES (\(bind: corpID), \(bind: set.setID), \(bind: set.campaignID), \(bind: set.channel.rawValue), \(bind: StoredTime.millis(set.at)),
                    \(bind: set.members.encoded), \(bind: Int64(set.members.count)))
            ON CONFLICT (corp_id, set_id) DO UPDATE SET members = excluded.members, size = excluded.size
            """).run()
    }

    private static func stored(_ row: any SQLRow) throws -> Stored {
        let members: OrdinalSet
        do {
            members = try OrdinalSet(encoded: try row.decode(column: "members", as: Data.self))
        } catch {
            throw StoreError(.corruptRow, "ledger_sets.members does not decode: \(error)")
        }
        return Stored(
            setID: try row.decode(column: "set_id", as: String.self), campaignID: try row.decode(column: "campaign_id", as: String?.self),
            channel: try row.decodeStored(column: "channel", as: TouchChannel.self), at: StoredTime.date(try row.decode(column: "at", as: Int64.self)),
            members: members
        )
    }
}
