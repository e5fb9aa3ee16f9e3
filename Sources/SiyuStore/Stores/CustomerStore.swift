import Foundation
import SQLKit
import SiyuCore

/// Customers and their follow relations: reconciled from callbacks and syncs, listed, tagged.
public struct CustomerStore: Sendable {
    let database: SiyuDatabase

    /// Applies what a callback (or a sync) reported, checked against the platform's present view,
    /// in one transaction. Repeating, reordering or interleaving observations converges on the
    /// platform's state: relations the platform shows become active; the event's relation (and any
    /// other) the platform no longer shows ends as lost or deleted.
    public func reconcile(corpID: String, _ observation: ContactObservation, now: Date) async throws -> ReconcileOutcome {
        try await database.write { sql in
            let outcome = try await Self.reconcile(on: sql, corpID: corpID, observation, now: now)
            try await SegmentStore.bumpRevision(on: sql, corpID: corpID, customers: [observation.externalUserID])
            return outcome
        }
    }

    /// Reconciles many observations in one transaction (a sync's page of customers): the same
    /// outcome as one call each, with one commit instead of one per customer.
    public func reconcile(corpID: String, _ observations: [ContactObservation], now: Date) async throws -> [ReconcileOutcome] {
        guard !observations.isEmpty else { return [] }
        return try await database.write { sql in
            var outcomes: [ReconcileOutcome] = []
            outcomes.reserveCapacity(observations.count)
            for observation in observations {
                outcomes.append(try await Self.reconcile(on: sql, corpID: corpID, observation, now: now))
            }
            try await SegmentStore.bumpRevision(on: sql, corpID: corpID, customers: observations.map(\.externalUserID))
            return outcomes
        }
    }

    static func reconcile(on sql: any SQLDatabase, corpID: String, _ observation: ContactObservation, now: Date) async throws -> ReconcileOutcome {
        var outcome = ReconcileOutcome()
        let ext = observation.externalUserID
        let nowMs = StoredTime.millis(now)
        let eventMs = StoredTime.millis(observation.at)
        let channelByState = try await ChannelStore.channels(on: sql, corpID: corpID, states: Set(observation.relations.compactMap(\.state) + [observation.state].compactMap { $0 }))

        let firstAdded = observation.relations.map { StoredTime.millis($0.addedAt) }.min() ?? eventMs
        if let customer = observation.customer {
            try await sql.raw("""
                INSERT INTO customers (corp_id, external_userid, name, avatar, customer_type, gender, unionid, corp_name, custom_fields, first_added_at, updated_at)
                VALUES (\(bind: corpID), \(bind: ext), \(bind: customer.name), \(bind: customer.avatar), \(bind: customer.type), \(bind: customer.gender),
                        \(bind: customer.unionID), \(bind: customer.corpName), '{}', \(bind: firstAdded), \(bind: nowMs))
                ON CONFLICT (corp_id, external_userid) DO UPDATE SET
                    name = excluded.name, avatar = excluded.avatar, customer_type = excluded.customer_type, gender = excluded.gender,
                    unionid = excluded.unionid, corp_name = excluded.corp_name, updated_at = excluded.updated_at,
                    first_added_at = CASE WHEN excluded.first_added_at < customers.first_added_at THEN excluded.first_added_at ELSE customers.first_added_at END
                """).run()
        } else {
            try await sql.raw("""
                INSERT INTO customers (corp_id, external_userid, first_added_at, updated_at)
                VALUES (\(bind: corpID), \(bind: ext), \(bind: eventMs), \(bind: nowMs))
                ON CONFLICT (corp_id, external_userid) DO NOTHING
                """).run()
        }

        for relation in observation.relations {
            let channelID = relation.state.flatMap { channelByState[$0] }
            let addedMs = StoredTime.millis(relation.addedAt)
            let reactivated = try await sql.raw("""
                UPDATE follow_relations SET status = 'active', ended_at = NULL, remark = \(bind: relation.remark), description = \(bind: relation.description),
                    state = \(bind: relation.state), channel_id = \(bind: channelID), add_way = \(bind: relation.addWay), added_at = \(bind: addedMs), updated_at = \(bind: nowMs)
                WHERE corp_id = \(bind: corpID) AND external_userid = \(bind: ext) AND userid = \(bind: relation.userID) AND status <> 'active'
                RETURNING userid
                """).all()
            var isNew = !reactivated.isEmpty
            if !isNew {
                let inserted = try await sql.raw("""
                    INSERT INTO follow_relations (corp_id, external_userid, userid, remark, description, state, channel_id, add_way, status, added_at, updated_at)
                    VALUES (\(bind: corpID), \(bind: ext), \(bind: relation.userID), \(bind: relation.remark), \(bind: relation.description),
                            \(bind: relation.state), \(bind: channelID), \(bind: relation.addWay), 'active', \(bind: addedMs), \(bind: nowMs))
                    ON CONFLICT (corp_id, external_userid, userid) DO NOTHING
                    RETURNING userid
                    """).all()
                isNew = !inserted.isEmpty
                if !isNew {
                    try await sql.raw("""
                        UPDATE follow_relations SET remark = \(bind: relation.remark), description = \(bind: relation.description), state = \(bind: relation.state),
                            channel_id = \(bind: channelID), add_way = \(bind: relation.addWay), updated_at = \(bind: nowMs)
                        WHERE corp_id = \(bind: corpID) AND external_userid = \(bind: ext) AND userid = \(bind: relation.userID)
                        """).run()
                }
            }
            if isNew {
                outcome.newlyActive.append(relation.userID)
                try await appendTimeline(on: sql, corpID: corpID, ext: ext, kind: "added", userID: relation.userID, at: relation.addedAt,
                                         detail: ["state": relation.state ?? "", "channel_id": channelID ?? ""], now: now)
            }
            if let channelID { outcome.channels[relation.userID] = channelID }
            try await replaceTags(on: sql, corpID: corpID, ext: ext, userID: relation.userID, tagIDs: relation.tagIDs, now: nowMs)
        }

        // Relations the platform no longer shows have ended.
        let shown = Set(observation.relations.map(\.userID))
        let activeRows = try await sql.raw("""
            SELECT userid FROM follow_relations WHERE corp_id = \(bind: corpID) AND external_userid = \(bind: ext) AND status = 'active'
            """).all()
        var gone = Set(try activeRows.map { try $0.decode(column: "userid", as: String.self) }).subtracting(shown)
        if let user = observation.userID, !shown.contains(user) { gone.insert(user) }
        for user in gone.sorted() {
            let status: RelationStatus = (user == observation.userID && observation.event == .memberDeletedCustomer) ? .deleted : .lost
            let ended = try await sql.raw("""
                UPDATE follow_relations SET status = \(bind: status.rawValue), ended_at = \(bind: eventMs), updated_at = \(bind: nowMs)
                WHERE corp_id = \(bind: corpID) AND external_userid = \(bind: ext) AND userid = \(bind: user) AND status = 'active'
                RETURNING userid
                """).all()
            var endedNow = !ended.isEmpty
            if !endedNow, user == observation.userID {
                // Never seen active (the add callback was lost or comes later): record the relation as ended.
                let channelID = observation.state.flatMap { channelByState[$0] }
                let inserted = try await sql.raw("""
                    INSERT INTO follow_relations (corp_id, external_userid, userid, state, channel_id, status, added_at, ended_at, updated_at)
                    VALUES (\(bind: corpID), \(bind: ext), \(bind: user), \(bind: observation.state), \(bind: channelID), \(bind: status.rawValue),
                            \(bind: eventMs), \(bind: eventMs), \(bind: nowMs))
                    ON CONFLICT (corp_id, external_userid, userid) DO NOTHING
                    RETURNING userid
                    """).all()
                endedNow = !inserted.isEmpty
                if endedNow, let channelID { outcome.channels[user] = channelID }
            }
            if endedNow {
                outcome.ended[user] = status
                try await appendTimeline(on: sql, corpID: corpID, ext: ext, kind: status.rawValue, userID: user, at: observation.at, detail: [:], now: now)
            }
        }
        return outcome
    }

    /// Makes the tags of one relation exactly `tagIDs`.
    static func replaceTags(on sql: any SQLDatabase, corpID: String, ext: String, userID: String, tagIDs: [String], now: Int64) async throws {
        let current = Set(try await sql.raw("""
            SELECT tag_id FROM customer_tags WHERE corp_id = \(bind: corpID) AND external_userid = \(bind: ext) AND userid = \(bind: userID)
            """).all().map { try $0.decode(column: "tag_id", as: String.self) })
        let wanted = Set(tagIDs)
        for tag in current.subtracting(wanted) {
            try await sql.raw("""
                DELETE FROM customer_tags WHERE corp_id = \(bind: corpID) AND external_userid = \(bind: ext) AND userid = \(bind: userID) AND tag_id = \(bind: tag)
                """).run()
        }
        for tag in wanted.subtracting(current) {
            try await sql.raw("""
                INSERT INTO customer_tags (corp_id, external_userid, userid, tag_id, tagged_at)
                VALUES (\(bind: corpID), \(bind: ext), \(bind: userID), \(bind: tag), \(bind: now))
                ON CONFLICT (corp_id, external_userid, userid, tag_id) DO NOTHING
                """).run()
        }
    }

    /// Adds and removes tags on one relation after the platform accepted the change.
    public func changeTags(corpID: String, externalUserID: String, userID: String, add: [String], remove: [String], actor: String, now: Date) async throws {
        try await database.write { sql in
            let nowMs = StoredTime.millis(now)
            for tag in add {
                try await sql.raw("""
                    INSERT INTO customer_tags (corp_id, external_userid, userid, tag_id, tagged_at)
                    VALUES (\(bind: corpID), \(bind: externalUserID), \(bind: userID), \(bind: tag), \(bind: nowMs))
                    ON CONFLICT (corp_id, external_userid, userid, tag_id) DO NOTHING
                    """).run()
            }
            for tag in remove {
                try await sql.raw("""
                    DELETE FROM customer_tags WHERE corp_id = \(bind: corpID) AND external_userid = \(bind: externalUserID) AND userid = \(bind: userID) AND tag_id = \(bind: tag)
                    """).run()
            }
            try await SegmentStore.bumpRevision(on: sql, corpID: corpID, customers: [externalUserID])
            if !add.isEmpty {
                try await Self.appendTimeline(on: sql, corpID: corpID, ext: externalUserID, kind: "tagged", userID: userID, at: now, detail: ["tag_ids": add.joined(separator: ","), "by": actor], now: now)
            }
            if !remove.isEmpty {
                try await Self.appendTimeline(on: sql, corpID: corpID, ext: externalUserID, kind: "untagged", userID: userID, at: now, detail: ["tag_ids": remove.joined(separator: ","), "by": actor], now: now)
            }
        }
    }

    /// Records something that happened to a customer outside a reconcile (welcomed, messaged…).
    public func recordTimeline(corpID: String, externalUserID: String, kind: String, userID: String, at: Date, detail: [String: String], now: Date) async throws {
        try await database.write { sql in
            try await Self.appendTimeline(on: sql, corpID: corpID, ext: externalUserID, kind: kind, userID: userID, at: at, detail: detail, now: now)
        }
    }

    /// The webhook event each timeline kind announces.
    static let webhookEvents: [String: WebhookEventType] = [
        "added": .customerAdded, "lost": .customerLost, "deleted": .customerDeleted,
        "tagged": .customerTagged, "untagged": .customerUntagged, "welcomed": .customerWelcomed,
    ]

    /// The `data` of a customer webhook event.
    struct CustomerEventData: Encodable {
        var externalUserID: String
        var userID: String
        var at: Date
        var detail: [String: String]

        enum CodingKeys: String, CodingKey { case externalUserID = "external_userid", userID = "userid", at, detail }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(externalUserID, forKey: .externalUserID)
            try container.encode(userID, forKey: .userID)
            try container.encode(at.formatted(.iso8601), forKey: .at)
            try container.encode(detail, forKey: .detail)
        }
    }

    /// Appends to the customer's timeline and, in the same transaction, announces it to subscribed webhooks.
    static func appendTimeline(on sql: any SQLDatabase, corpID: String, ext: String, kind: String, userID: String, at: Date, detail: [String: String], now: Date) async throws {
        let encoded = String(decoding: try JSONEncoder.sorted.encode(detail), as: UTF8.self)
        try await sql.raw("""
            INSERT INTO customer_timeline (corp_id, entry_id, external_userid, at, kind, userid, detail)
            VALUES (\(bind: corpID), \(bind: UUID().uuidString.lowercased()), \(bind: ext), \(bind: StoredTime.millis(at)), \(bind: kind), \(bind: userID), \(bind: encoded))
            """).run()
        if let event = webhookEvents[kind] {
            try await WebhookStore.publish(
                on: sql, corpID: corpID, eventType: event,
                data: CustomerEventData(externalUserID: ext, userID: userID, at: at, detail: detail.filter { !$0.value.isEmpty }), now: now
            )
        }
    }

    /// The active relations of a customer (members who have them now).
    public func activeMembers(corpID: String, externalUserID: String) async throws -> [String] {
        try await database.read { sql in
            try await sql.raw("""
                SELECT userid FROM follow_relations WHERE corp_id = \(bind: corpID) AND external_userid = \(bind: externalUserID) AND status = 'active' ORDER BY added_at
                """).all().map { try $0.decode(column: "userid", as: String.self) }
        }
    }

    /// Sets custom fields (merged) on a customer; false when there is no such customer.
    public func setCustomFields(corpID: String, externalUserID: String, fields: [String: String], now: Date) async throws -> Bool {
        try await database.write { sql in
            guard let row = try await sql.raw("SELECT custom_fields FROM customers WHERE corp_id = \(bind: corpID) AND external_userid = \(bind: externalUserID)").first() else {
                return false
            }
            var current = (try? JSONDecoder().decode([String: String].self, from: Data(try row.decode(column: "custom_fields", as: String.self).utf8))) ?? [:]
            current.merge(fields) { $1 }
            current = current.filter { !$0.value.isEmpty }
            try await sql.raw("""
                UPDATE customers SET custom_fields = \(bind: String(decoding: try JSONEncoder.sorted.encode(current), as: UTF8.self)), updated_at = \(bind: StoredTime.millis(now))
                WHERE corp_id = \(bind: corpID) AND external_userid = \(bind: externalUserID)
                """).run()
            return true
        }
    }
}
