import Foundation
import SQLKit
import SiyuCore

/// The contact budget's data: each corp's policy and the ledger of touches.
public struct ContactStore: Sendable {
    let database: SiyuDatabase
    let corps: CorpStore

    /// Timeline entries that count as a member interacting with a customer, for choosing the sender.
    static let interactionKinds: [any Encodable & Sendable] = ["added", "welcomed", "tagged", "untagged", "message"]

    /// The settings name under which the policy lived before migration 9 gave it a column.
    static let policySetting = "contact_policy"

    /// The corp's policy; the defaults (the current platform rule, China time) until one is set.
    /// A stored policy that does not decode fails loudly: it was validated when it was stored.
    public func policy(corpID: String) async throws -> ContactPolicy {
        guard let stored = try await corps.contactPolicyText(of: corpID) else { throw StoreError(.notFound, "no corp \(corpID)") }
        guard let text = stored else { return ContactPolicy() }
        return try JSONDecoder().decode(ContactPolicy.self, from: Data(text.utf8))
    }

    /// The corp's calendar (the brand's day), from its policy's `utc_offset_seconds`.
    public func calendar(corpID: String) async throws -> BusinessCalendar {
        try await policy(corpID: corpID).calendar
    }

    /// Validates and stores the corp's policy.
    public func setPolicy(corpID: String, _ policy: ContactPolicy, actor: String, now: Date) async throws {
        try policy.validate()
        try await CorpReferences(database: database).require(.tag, policy.optOutTagIDs.sorted(), corpID: corpID, field: "opt_out_tag_ids")
        let text = String(decoding: try JSONEncoder.sorted.encode(policy), as: UTF8.self)
        guard try await corps.setContactPolicyText(text, of: corpID, actor: actor, now: now) else {
            throw StoreError(.notFound, "no corp \(corpID)")
        }
    }

    /// Records touches that happened (a mass message sent, a moment posted…). A campaign's touch
    /// is keyed by campaign, customer and time, so a campaign's rows sit together in the primary key.
    public func record(corpID: String, touches: [(externalUserID: String, channel: TouchChannel, at: Date, campaignID: String?)]) async throws {
        guard !touches.isEmpty else { return }
        try await database.write { sql in try await Self.record(on: sql, corpID: corpID, touches: touches) }
    }

    /// The same as ``record(corpID:touches:)`` inside a caller's transaction.
    static func record(on sql: any SQLDatabase, corpID: String, touches: [(externalUserID: String, channel: TouchChannel, at: Date, campaignID: String?)]) async throws {
        for chunk in sql.bindChunks(touches, bindsPerItem: 6) {
            let values = chunk.map { touch -> SQLQueryString in
                "(\(bind: corpID), \(bind: touch.campaignID.map { "\($0)/\(touch.externalUserID)/\(StoredTime.millis(touch.at))" } ?? Hex.random(bytes: 12)), \(bind: touch.externalUserID), \(bind: touch.channel.rawValue), \(bind: StoredTime.millis(touch.at)), \(bind: touch.campaignID))"
            }.joined(separator: ", ")
            try await sql.raw("INSERT INTO contact_touches (corp_id, touch_id, external_userid, channel, at, campaign_id) VALUES \(values)").run()
        }
    }

    /// The ledger of touches since `since` (enough history for the policy's longest window).
    public func ledger(corpID: String, since: Date) async throws -> ContactLedger {
        try await database.read { sql in try await Self.ledger(on: sql, corpID: corpID, since: since) }
    }

    /// The same as ``ledger(corpID:since:)`` on a caller's connection (inside its transaction).
    static func ledger(on sql: any SQLDatabase, corpID: String, since: Date) async throws -> ContactLedger {
        var ledger = ContactLedger()
        for row in try await sql.raw("""
            SELECT external_userid, channel, at, campaign_id FROM contact_touches
            WHERE corp_id = \(bind: corpID) AND at >= \(bind: StoredTime.millis(since)) ORDER BY at
            """).all() {
            let channel = try row.decodeStored(column: "channel", as: TouchChannel.self)
            ledger.record(
                customer: try row.decode(column: "external_userid", as: String.self), channel: channel,
                at: StoredTime.date(try row.decode(column: "at", as: Int64.self)), campaignID: try row.decode(column: "campaign_id", as: String?.self)
            )
        }
        return ledger
    }

    /// For each customer: its tag ids (for opt-outs) and the member who should send to it: of the
    /// members the customer is still a friend of, the one who last interacted with them (added,
    /// welcomed, tagged them, or — once archived messages are ingested — chatted), by the timeline.
    public func audience(corpID: String, externalUserIDs: [String]) async throws -> [(recipient: ContactBudget.Recipient, sender: String?)] {
        try await database.read { sql in try await Self.audience(on: sql, corpID: corpID, externalUserIDs: externalUserIDs) }
    }

    /// The same as ``audience(corpID:externalUserIDs:)`` on a caller's connection.
    static func audience(on sql: any SQLDatabase, corpID: String, externalUserIDs: [String]) async throws -> [(recipient: ContactBudget.Recipient, sender: String?)] {
        guard !externalUserIDs.isEmpty else { return [] }
        var tags: [String: [String]] = [:]
        var senders: [String: (String, Int64)] = [:]
        var relations: [(String, String, Int64)] = []
        for chunk in sql.bindChunks(externalUserIDs, reserved: Self.interactionKinds.count + 16) {
            let binds: [any Encodable & Sendable] = Array(chunk)
            for row in try await sql.raw("SELECT external_userid, tag_id FROM customer_tags WHERE corp_id = \(bind: corpID) AND external_userid IN (\(binds: binds))").all() {
                tags[try row.decode(column: "external_userid", as: String.self), default: []].append(try row.decode(column: "tag_id", as: String.self))
            }
            // Status is checked here, not in SQL: with `status = 'active'` the planner may pick an
            // index on status and scan every active relation of the corp once per chunk.
            for row in try await sql.raw("""
                SELECT external_userid, userid, added_at, status FROM follow_relations
                WHERE corp_id = \(bind: corpID) AND external_userid IN (\(binds: binds))
                """).all() where try row.decode(column: "status", as: String.self) == "active" {
                let ext = try row.decode(column: "external_userid", as: String.self)
                let user = try row.decode(column: "userid", as: String.self)
                let added = try row.decode(column: "added_at", as: Int64.self)
                relations.append((ext, user, added))
            }
            var lastInteraction: [String: Int64] = [:]
            for row in try await sql.raw("""
                SELECT external_userid, userid, MAX(at) AS last FROM customer_timeline
                WHERE corp_id = \(bind: corpID) AND external_userid IN (\(binds: binds)) AND kind IN (\(binds: Self.interactionKinds))
                GROUP BY external_userid, userid
                """).all() {
                let key = try row.decode(column: "external_userid", as: String.self) + "\u{1F}" + row.decode(column: "userid", as: String.self)
                lastInteraction[key] = try row.decode(column: "last", as: Int64.self)
            }
            for (ext, user, added) in relations {
                let last = max(added, lastInteraction[ext + "\u{1F}" + user] ?? added)
                if senders[ext].map({ $0.1 < last }) ?? true { senders[ext] = (user, last) }
            }
            relations.removeAll(keepingCapacity: true)
        }
        return externalUserIDs.map { (ContactBudget.Recipient(externalUserID: $0, tagIDs: tags[$0] ?? []), senders[$0]?.0) }
    }
}
