import Foundation
import SiyuCore
import SiyuStore

/// One segment index per corp, built from the database and kept at the corp's data revision
/// (every write that changes customers, relations, tags, channels, members, groups, orders or
/// deliveries bumps it in its own transaction and logs which customers it touched). When the
/// revision moves, the customers changed since are re-read and updated in place; a change of
/// names (tags, channels, members, groups defined) or a large batch rebuilds the index. Counts
/// are therefore exact for the database as it is now. Days are the corp's (its contact policy's
/// calendar); a change of offset rebuilds the index.
actor SegmentIndexes {
    struct Built: Sendable {
        var revision: Int64
        var index: SegmentIndex
        /// Ordinal → external user id.
        var customers: [String]
        /// External user id → ordinal.
        var ordinals: [String: Int32]
        /// Ordinal → the customer's ledger ordinal (the contact budget's key).
        var ledgerOrdinals: [Int64?] = []
        /// Ordinal → the member who would send a mass message to the customer (``SenderChoice``);
        /// nil when no member is still their friend.
        var senders: [String?] = []

        /// The campaign targets of these index ordinals, with their senders and ledger ordinals,
        /// each made when it is read.
        func targets(_ members: [Int32]) -> CampaignTargets {
            let built = self
            return CampaignTargets(count: members.count) { position in
                let index = Int(members[position])
                return CampaignTarget(
                    recipient: ContactBudget.Recipient(externalUserID: built.customers[index], ordinal: built.ledgerOrdinals[index]), sender: built.senders[index]
                )
            }
        }
    }

    let store: SiyuStore
    let time: TimeSource
    private var cache: [String: Built] = [:]
    /// How the last catch-up went, for tests and metrics.
    private(set) var lastRefresh: [String: Refresh] = [:]

    enum Refresh: Sendable, Equatable {
        case rebuilt
        case updated(customers: Int)
    }

    init(store: SiyuStore, time: TimeSource) {
        self.time = time
        self.store = store
    }

    /// The corp's index at the current revision.
    func index(for corpID: String) async throws -> Built {
        let revision = try await store.segments.revision(corpID: corpID)
        let calendar = try await store.contacts.calendar(corpID: corpID)
        guard var built = cache[corpID], built.index.calendar == calendar else { return try await rebuild(corpID, calendar: calendar) }
        if built.revision == revision { return built }
        guard let changed = try await store.segments.changes(corpID: corpID, after: built.revision, upTo: revision),
              changed.count <= SegmentStore.inPlaceLimit else { return try await rebuild(corpID, calendar: calendar) }
        if !changed.isEmpty { Self.apply(try await store.segments.snapshot(corpID: corpID, only: changed, now: time()), changed: changed, to: &built) }
        // Facts read after `revision` may be newer still; the next call re-applies anything logged after it.
        built.revision = revision
        cache[corpID] = built
        lastRefresh[corpID] = .updated(customers: changed.count)
        return built
    }

    private func rebuild(_ corpID: String, calendar: BusinessCalendar) async throws -> Built {
        let built = Self.build(try await store.segments.snapshot(corpID: corpID, now: time()), calendar: calendar)
        cache[corpID] = built
        lastRefresh[corpID] = .rebuilt
        return built
    }

    static func build(_ snapshot: SegmentStore.Snapshot, calendar: BusinessCalendar) -> Built {
        var index = SegmentIndex(calendar: calendar)
        for (tagID, name) in snapshot.tagNames { _ = index.defineTag(id: tagID, name: name) }
        for (channelID, name) in snapshot.channelNames { _ = index.define(.channel, id: channelID, name: name) }
        for member in snapshot.members { _ = index.define(.member, id: member.userID, name: member.name) }
        for (chatID, name) in snapshot.groupNames { _ = index.define(.group, id: chatID, name: name) }
        var customers: [String] = []
        customers.reserveCapacity(snapshot.customers.count)
        for (ordinal, (id, facts)) in customerFacts(snapshot, in: index.calendar).enumerated() {
            index.setCustomer(Int32(ordinal), facts)
            customers.append(id)
        }
        let ordinals = Dictionary(uniqueKeysWithValues: customers.enumerated().map { ($0.element, Int32($0.offset)) })
        var built = Built(revision: snapshot.revision, index: index, customers: customers, ordinals: ordinals)
        let audience = audienceFacts(snapshot)
        built.ledgerOrdinals = customers.map { snapshot.ledgerOrdinals[$0] }
        built.senders = customers.map { audience[$0] ?? nil }
        return built
    }

    /// Replaces the facts of `changed` customers from a snapshot of just them; new customers get
    /// the next ordinal, customers no longer stored leave every set.
    static func apply(_ snapshot: SegmentStore.Snapshot, changed: Set<String>, to built: inout Built) {
        var seen = Set<String>()
        let audience = audienceFacts(snapshot)
        for (id, facts) in customerFacts(snapshot, in: built.index.calendar) {
            seen.insert(id)
            if let ordinal = built.ordinals[id] {
                built.index.setCustomer(ordinal, facts)
                built.ledgerOrdinals[Int(ordinal)] = snapshot.ledgerOrdinals[id]
                built.senders[Int(ordinal)] = audience[id] ?? nil
            } else {
                let ordinal = Int32(built.customers.count)
                built.index.setCustomer(ordinal, facts)
                built.customers.append(id)
                built.ordinals[id] = ordinal
                built.ledgerOrdinals.append(snapshot.ledgerOrdinals[id])
                built.senders.append(audience[id] ?? nil)
            }
        }
        for id in changed where !seen.contains(id) {
            if let ordinal = built.ordinals[id] {
                built.index.removeCustomer(ordinal)
                built.senders[Int(ordinal)] = nil
            }
        }
    }

    /// Each customer's sender by ``SenderChoice``: the member a mass message to them goes out from.
    static func audienceFacts(_ snapshot: SegmentStore.Snapshot) -> [String: String?] {
        var active: [String: [SenderChoice.Relation]] = [:]
        for relation in snapshot.relations where relation.status == .active {
            active[relation.externalUserID, default: []].append(SenderChoice.Relation(
                userID: relation.userID, addedAt: relation.addedAt, lastInteraction: snapshot.interactions[relation.externalUserID]?[relation.userID]
            ))
        }
        return active.mapValues { SenderChoice.sender(among: $0) }
    }

    /// Each customer of the snapshot with what the index keeps about them.
    static func customerFacts(_ snapshot: SegmentStore.Snapshot, in calendar: BusinessCalendar) -> [(String, SegmentCustomer)] {
        let departments = Dictionary(snapshot.members.map { ($0.userID, $0.departments) }, uniquingKeysWith: { first, _ in first })
        var relations: [String: [(String, String?, RelationStatus)]] = [:]
        for relation in snapshot.relations {
            relations[relation.externalUserID, default: []].append((relation.userID, relation.channelID, relation.status))
        }
        var tags: [String: [String]] = [:]
        for tag in snapshot.tags { tags[tag.externalUserID, default: []].append(tag.tagID) }
        var groups: [String: [String]] = [:]
        for membership in snapshot.groupMemberships { groups[membership.externalUserID, default: []].append(membership.chatID) }
        return snapshot.customers.map { customer in
            let own = relations[customer.externalUserID] ?? []
            let members = own.map(\.0)
            let orders = snapshot.orders[customer.externalUserID]
            return (customer.externalUserID, SegmentCustomer(
                addedOn: calendar.segmentDay(customer.firstAddedAt),
                status: own.contains { $0.2 == .active } ? .active : .lost,
                channels: Array(Set(own.compactMap(\.1))), members: members,
                departments: Array(Set(members.flatMap { departments[$0] ?? [] })), groups: groups[customer.externalUserID] ?? [],
                tags: tags[customer.externalUserID] ?? [], lastContact: snapshot.lastContact[customer.externalUserID].map(calendar.segmentDay),
                orderCount: orders?.count ?? 0, orderAmountFen: orders?.amountFen ?? 0,
                lastOrder: orders.map { calendar.segmentDay($0.lastOrderedAt) }
            ))
        }
    }
}
