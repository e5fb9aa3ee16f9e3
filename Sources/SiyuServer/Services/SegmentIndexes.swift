import Foundation
import SiyuCore
import SiyuStore

/// One segment index per corp, built from the database and rebuilt when the corp's data
/// revision moves (every write that changes customers, relations, tags, channels, members or
/// orders bumps it in its own transaction). Counts are therefore exact for the database as it
/// is now; between changes they cost well under a millisecond.
actor SegmentIndexes {
    struct Built: Sendable {
        var revision: Int64
        var index: SegmentIndex
        /// Ordinal → external user id.
        var customers: [String]
    }

    let store: SiyuStore
    private var cache: [String: Built] = [:]

    init(store: SiyuStore) {
        self.store = store
    }

    /// The corp's index at the current revision.
    func index(for corpID: String) async throws -> Built {
        let revision = try await store.segments.revision(corpID: corpID)
        if let cached = cache[corpID], cached.revision == revision { return cached }
        let built = Self.build(try await store.segments.snapshot(corpID: corpID))
        cache[corpID] = built
        return built
    }

    static func build(_ snapshot: SegmentStore.Snapshot) -> Built {
        var index = SegmentIndex()
        for (tagID, name) in snapshot.tagNames { _ = index.defineTag(id: tagID, name: name) }
        for (channelID, name) in snapshot.channelNames { _ = index.define(.channel, id: channelID, name: name) }
        for member in snapshot.members { _ = index.define(.member, id: member.userID, name: member.name) }
        let departments = Dictionary(snapshot.members.map { ($0.userID, $0.departments) }, uniquingKeysWith: { first, _ in first })
        var relations: [String: [(String, String?, RelationStatus)]] = [:]
        for relation in snapshot.relations {
            relations[relation.externalUserID, default: []].append((relation.userID, relation.channelID, relation.status))
        }
        var tags: [String: [String]] = [:]
        for tag in snapshot.tags { tags[tag.externalUserID, default: []].append(tag.tagID) }
        for (chatID, name) in snapshot.groupNames { _ = index.define(.group, id: chatID, name: name) }
        var groups: [String: [String]] = [:]
        for membership in snapshot.groupMemberships { groups[membership.externalUserID, default: []].append(membership.chatID) }
        let zone = index.timeZone
        var customers: [String] = []
        customers.reserveCapacity(snapshot.customers.count)
        for (ordinal, customer) in snapshot.customers.enumerated() {
            let own = relations[customer.externalUserID] ?? []
            let members = own.map(\.0)
            let orders = snapshot.orders[customer.externalUserID]
            index.setCustomer(Int32(ordinal), SegmentCustomer(
                addedOn: SegmentDay(customer.firstAddedAt, in: zone),
                status: own.contains { $0.2 == .active } ? .active : .lost,
                channels: Array(Set(own.compactMap(\.1))), members: members,
                departments: Array(Set(members.flatMap { departments[$0] ?? [] })), groups: groups[customer.externalUserID] ?? [],
                tags: tags[customer.externalUserID] ?? [], lastContact: snapshot.lastContact[customer.externalUserID].map { SegmentDay($0, in: zone) },
                orderCount: orders?.count ?? 0, orderAmountFen: orders?.amountFen ?? 0,
                lastOrder: orders.map { SegmentDay($0.lastOrderedAt, in: zone) }
            ))
            customers.append(customer.externalUserID)
        }
        return Built(revision: snapshot.revision, index: index, customers: customers)
    }
}
