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

    /// One customer's touches since `since`, newest first: the campaign (when it was one), the
    /// channel and the instant (a reservation until the platform reports the send).
    public func touches(corpID: String, externalUserID: String, since: Date) async throws -> [(campaignID: String?, channel: TouchChannel, at: Date)] {
        try await database.read { sql in
            guard let ordinal = try await sql.raw("""
                SELECT ordinal FROM customers WHERE corp_id = \(bind: corpID) AND external_userid = \(bind: externalUserID)
                """).first()?.decode(column: "ordinal", as: Int64?.self) else { return [] }
            return try await LedgerSets.sets(on: sql, corpID: corpID, since: since).filter { $0.members.contains(ordinal) }
                .map { (campaignID: $0.campaignID, channel: $0.channel, at: $0.at) }.reversed()
        }
    }

    /// The ledger keyed by ordinals on a caller's connection (inside its transaction).
    static func ledger(on sql: any SQLDatabase, corpID: String, since: Date) async throws -> ContactLedger {
        let sets = try await LedgerSets.sets(on: sql, corpID: corpID, since: since)
        // Room for every customer up front: growing by doubling would briefly hold both copies.
        var ledger = ContactLedger(expectedCustomers: sets.reduce(OrdinalSet()) { $0.union($1.members) }.count)
        for set in sets {
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

    /// The same as ``audience(corpID:externalUserIDs:)`` on a caller's connection. With
    /// `onlyTags`, only those tags are read (planning needs the opt-out tags alone).
    static func audience(
        on sql: any SQLDatabase, corpID: String, externalUserIDs: [String], onlyTags: Set<String>? = nil
    ) async throws -> [(recipient: ContactBudget.Recipient, sender: String?)] {
        guard !externalUserIDs.isEmpty else { return [] }
        let facts = AudienceFacts()
        for chunk in sql.bindChunks(externalUserIDs, reserved: Self.interactionKinds.count + (onlyTags?.count ?? 0) + 16) {
            let ids: [any Encodable & Sendable] = Array(chunk)
            try await facts.readRelations(on: sql, corpID: corpID, ids: ids)
            if onlyTags?.isEmpty != true { try await facts.readTags(on: sql, corpID: corpID, ids: ids, only: onlyTags) }
        }
        // The timeline decides only between two or more members; most customers have one.
        for chunk in sql.bindChunks(facts.undecided(), reserved: Self.interactionKinds.count + 16) {
            try await facts.readInteractions(on: sql, corpID: corpID, ids: Array(chunk))
        }
        return facts.audience(externalUserIDs)
    }

    /// The customers carrying any of `tagIDs`, with which of them (a corp's opt-out tags are few).
    static func tagged(on sql: any SQLDatabase, corpID: String, tagIDs: Set<String>) async throws -> [String: [String]] {
        let facts = AudienceFacts()
        try await facts.readTags(on: sql, corpID: corpID, ids: nil, only: tagIDs)
        return facts.tags
    }

    /// What choosing senders reads, gathered row by row (large scans stream, never held as rows).
    private final class AudienceFacts: @unchecked Sendable {
        var tags: [String: [String]] = [:]
        var ordinals: [String: Int64] = [:]
        /// Each customer's active relations: member and when it was added.
        var relations: [String: [(userID: String, added: Int64)]] = [:]
        var lastInteraction: [String: Int64] = [:]

        static func scope(_ column: String, _ ids: [any Encodable & Sendable]?) -> SQLQueryString {
            ids.map { " AND \(unsafeRaw: column) IN (\(binds: $0))" } ?? ""
        }

        func readRelations(on sql: any SQLDatabase, corpID: String, ids: [any Encodable & Sendable]?) async throws {
            // Status is checked here, not in SQL: with `status = 'active'` the planner may pick an
            // index on status and scan every active relation of the corp once per chunk.
            try await sql.raw("""
                SELECT r.external_userid, r.userid, r.added_at, r.status, c.ordinal FROM follow_relations r
                JOIN customers c ON c.corp_id = r.corp_id AND c.external_userid = r.external_userid
                WHERE r.corp_id = \(bind: corpID)
                """ + Self.scope("r.external_userid", ids)).run { row in
                guard let ext = try? row.decode(column: "external_userid", as: String.self) else { return }
                if let ordinal = try? row.decode(column: "ordinal", as: Int64.self) { self.ordinals[ext] = ordinal }
                guard (try? row.decode(column: "status", as: String.self)) == "active",
                      let user = try? row.decode(column: "userid", as: String.self), let added = try? row.decode(column: "added_at", as: Int64.self) else { return }
                self.relations[ext, default: []].append((user, added))
            }
        }

        func readTags(on sql: any SQLDatabase, corpID: String, ids: [any Encodable & Sendable]?, only: Set<String>?) async throws {
            let filter: SQLQueryString = only.map { tags in
                let binds: [any Encodable & Sendable] = tags.sorted()
                return " AND tag_id IN (\(binds: binds))"
            } ?? ""
            try await sql.raw("SELECT external_userid, tag_id FROM customer_tags WHERE corp_id = \(bind: corpID)" + Self.scope("external_userid", ids) + filter).run { row in
                guard let ext = try? row.decode(column: "external_userid", as: String.self), let tag = try? row.decode(column: "tag_id", as: String.self) else { return }
                self.tags[ext, default: []].append(tag)
            }
        }

        /// Customers with more than one member to choose from.
        func undecided() -> [String] {
            relations.compactMap { $0.value.count > 1 ? $0.key : nil }
        }

        func readInteractions(on sql: any SQLDatabase, corpID: String, ids: [any Encodable & Sendable]?) async throws {
            try await sql.raw("""
                SELECT external_userid, userid, MAX(at) AS last FROM customer_timeline
                WHERE corp_id = \(bind: corpID)\(Self.scope("external_userid", ids)) AND kind IN (\(binds: ContactStore.interactionKinds)) GROUP BY external_userid, userid
                """).run { row in
                guard let ext = try? row.decode(column: "external_userid", as: String.self),
                      let user = try? row.decode(column: "userid", as: String.self), let last = try? row.decode(column: "last", as: Int64.self) else { return }
                self.lastInteraction[ext + "\u{1F}" + user] = last
            }
        }

        /// The sender among the active relations (``SenderChoice``).
        func sender(of ext: String) -> String? {
            guard let options = relations[ext] else { return nil }
            if options.count == 1 { return options[0].userID }
            return SenderChoice.sender(among: options.map {
                SenderChoice.Relation(userID: $0.userID, addedAt: $0.added, lastInteraction: lastInteraction[ext + "\u{1F}" + $0.userID])
            })
        }

        func audience(_ ids: [String]) -> [(recipient: ContactBudget.Recipient, sender: String?)] {
            ids.map { (ContactBudget.Recipient(externalUserID: $0, tagIDs: tags[$0] ?? [], ordinal: ordinals[$0]), sender(of: $0)) }
        }
    }
}
