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

    /// Records touches that happened (a mass message sent, a moment posted…). A campaign's
    /// touches join its set for their instant; touches without one make sets of their own.
    public func record(corpID: String, touches: [(externalUserID: String, channel: TouchChannel, at: Date, campaignID: String?)]) async throws {
        guard !touches.isEmpty else { return }
        try await database.write { sql in try await Self.record(on: sql, corpID: corpID, touches: touches) }
    }

    /// The same as ``record(corpID:touches:)`` inside a caller's transaction.
    static func record(on sql: any SQLDatabase, corpID: String, touches: [(externalUserID: String, channel: TouchChannel, at: Date, campaignID: String?)]) async throws {
        if let lock = sql.flavor.contactBudgetLock(corpID: corpID) { try await sql.raw(lock).run() }
        let ordinals = try await SubjectOrdinals.resolve(on: sql, corpID: corpID, ids: touches.map(\.externalUserID))
        struct Key: Hashable { var campaignID: String?; var channel: TouchChannel; var at: Int64 }
        let groups = Dictionary(grouping: touches) { Key(campaignID: $0.campaignID, channel: $0.channel, at: StoredTime.millis($0.at)) }
        for key in groups.keys.sorted(by: { ($0.at, $0.campaignID ?? "", $0.channel.rawValue) < ($1.at, $1.campaignID ?? "", $1.channel.rawValue) }) {
            try await LedgerSets.add(
                on: sql, corpID: corpID, campaignID: key.campaignID, channel: key.channel, at: StoredTime.date(key.at),
                members: OrdinalSet(groups[key]!.compactMap { ordinals[$0.externalUserID] })
            )
        }
    }

    /// The ledger of touches since `since` (enough history for the policy's longest window),
    /// with its customers named.
    public func ledger(corpID: String, since: Date) async throws -> ContactLedger {
        try await database.read { sql in
            var ledger = try await Self.ledger(on: sql, corpID: corpID, since: since)
            for (ordinal, name) in try await SubjectOrdinals.names(on: sql, corpID: corpID, ordinals: ledger.subjectIDs) { ledger.name(ordinal, name) }
            return ledger
        }
    }

    /// The ledger keyed by ordinals on a caller's connection (inside its transaction).
    static func ledger(on sql: any SQLDatabase, corpID: String, since: Date) async throws -> ContactLedger {
        var ledger = ContactLedger()
        for set in try await LedgerSets.sets(on: sql, corpID: corpID, since: since) {
            for ordinal in set.members {
                ledger.record(subject: ordinal, channel: set.channel, at: set.at, campaignID: set.campaignID)
            }
        }
        return ledger
    }

    /// For each customer: its tag ids (for opt-outs), its ordinal, and the member who should
    /// send to it: of the members the customer is still a friend of, the one who last interacted
    /// with them (added, welcomed, tagged them, or — once archived messages are ingested —
    /// chatted), by the timeline.
    public func audience(corpID: String, externalUserIDs: [String]) async throws -> [(recipient: ContactBudget.Recipient, sender: String?)] {
        try await database.read { sql in try await Self.audience(on: sql, corpID: corpID, externalUserIDs: externalUserIDs) }
    }

    /// Above this many customers the audience is read with one pass over the corp's rows
    /// instead of lookups by id.
    static let corpScanThreshold = 20_000

    /// The same as ``audience(corpID:externalUserIDs:)`` on a caller's connection. With
    /// `onlyTags`, only those tags are read (planning needs the opt-out tags alone).
    static func audience(
        on sql: any SQLDatabase, corpID: String, externalUserIDs: [String], onlyTags: Set<String>? = nil
    ) async throws -> [(recipient: ContactBudget.Recipient, sender: String?)] {
        guard !externalUserIDs.isEmpty else { return [] }
        let facts = AudienceFacts()
        let tagFilter: SQLQueryString = onlyTags.map { tags in
            let binds: [any Encodable & Sendable] = tags.sorted()
            return tags.isEmpty ? " AND 1 = 0" : " AND tag_id IN (\(binds: binds))"
        } ?? ""
        if externalUserIDs.count > corpScanThreshold {
            try await facts.read(on: sql, corpID: corpID, scope: "", tagFilter: tagFilter)
        } else {
            for chunk in sql.bindChunks(externalUserIDs, reserved: Self.interactionKinds.count + (onlyTags?.count ?? 0) + 16) {
                let binds: [any Encodable & Sendable] = Array(chunk)
                try await facts.read(on: sql, corpID: corpID, scope: " AND external_userid IN (\(binds: binds))", tagFilter: tagFilter)
            }
        }
        return facts.audience(externalUserIDs)
    }

    /// What choosing senders reads, gathered row by row (large scans stream, never held as rows).
    private final class AudienceFacts: @unchecked Sendable {
        var tags: [String: [String]] = [:]
        var ordinals: [String: Int64] = [:]
        var senders: [String: (userID: String, last: Int64)] = [:]
        var relations: [(ext: String, user: String, added: Int64)] = []
        var lastInteraction: [String: Int64] = [:]

        func read(on sql: any SQLDatabase, corpID: String, scope: SQLQueryString, tagFilter: SQLQueryString) async throws {
            try await sql.raw("SELECT external_userid, tag_id FROM customer_tags WHERE corp_id = \(bind: corpID)" + scope + tagFilter).run { row in
                guard let ext = try? row.decode(column: "external_userid", as: String.self), let tag = try? row.decode(column: "tag_id", as: String.self) else { return }
                self.tags[ext, default: []].append(tag)
            }
            try await sql.raw("SELECT external_userid, ordinal FROM customers WHERE corp_id = \(bind: corpID)" + scope).run { row in
                guard let ext = try? row.decode(column: "external_userid", as: String.self), let ordinal = try? row.decode(column: "ordinal", as: Int64?.self) else { return }
                self.ordinals[ext] = ordinal
            }
            // Status is checked here, not in SQL: with `status = 'active'` the planner may pick an
            // index on status and scan every active relation of the corp once per chunk.
            try await sql.raw("SELECT external_userid, userid, added_at, status FROM follow_relations WHERE corp_id = \(bind: corpID)" + scope).run { row in
                guard (try? row.decode(column: "status", as: String.self)) == "active",
                      let ext = try? row.decode(column: "external_userid", as: String.self), let user = try? row.decode(column: "userid", as: String.self),
                      let added = try? row.decode(column: "added_at", as: Int64.self) else { return }
                self.relations.append((ext, user, added))
            }
            try await sql.raw("""
                SELECT external_userid, userid, MAX(at) AS last FROM customer_timeline
                WHERE corp_id = \(bind: corpID)\(scope) AND kind IN (\(binds: ContactStore.interactionKinds)) GROUP BY external_userid, userid
                """).run { row in
                guard let ext = try? row.decode(column: "external_userid", as: String.self), let user = try? row.decode(column: "userid", as: String?.self),
                      let last = try? row.decode(column: "last", as: Int64.self) else { return }
                self.lastInteraction[ext + "\u{1F}" + user] = last
            }
            for (ext, user, added) in relations {
                let last = max(added, lastInteraction[ext + "\u{1F}" + user] ?? added)
                if senders[ext].map({ $0.last < last }) ?? true { senders[ext] = (user, last) }
            }
            relations.removeAll(keepingCapacity: true)
            lastInteraction.removeAll(keepingCapacity: true)
        }

        func audience(_ ids: [String]) -> [(recipient: ContactBudget.Recipient, sender: String?)] {
            ids.map { (ContactBudget.Recipient(externalUserID: $0, tagIDs: tags[$0] ?? [], ordinal: ordinals[$0]), senders[$0]?.userID) }
        }
    }
}
