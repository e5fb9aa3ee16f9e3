import Foundation
import Logging
import ServiceLifecycle
import SiyuCore
import SiyuStore
import WeCom

/// Pulls members, departments, tags and every customer from WeCom and repairs whatever
/// callbacks missed. Run by `siyu sync`, `POST /api/v1/sync` and a daily job.
public struct CorpSync: Sendable {
    public static let jobKind = "corp.sync"
    /// Customers reconciled per transaction.
    static let reconcileBatch = 250

    let store: SiyuStore
    let wecom: WeComConnections
    let logger: Logger

    public init(store: SiyuStore, wecom: WeComConnections, logger: Logger) {
        self.store = store
        self.wecom = wecom
        self.logger = logger
    }

    /// What a sync changed.
    public struct Report: Codable, Sendable, Equatable {
        public var members: Int = 0
        public var membersChanged: Int = 0
        public var tagGroupsChanged: Int = 0
        public var customersSeen: Int = 0
        public var relationsAdded: Int = 0
        public var relationsEnded: Int = 0
        public var groups: Int = 0

        enum CodingKeys: String, CodingKey {
            case members, membersChanged = "members_changed", tagGroupsChanged = "tag_groups_changed", customersSeen = "customers_seen"
            case relationsAdded = "relations_added", relationsEnded = "relations_ended", groups
        }
    }

    public func run(corpID: String, now: Date) async throws -> Report {
        let client = try await wecom.client(for: corpID)
        var report = Report()

        let departments = try await client.departments()
        let members = try await client.members(departmentID: departments.map(\.id).min() ?? 1)
        report.members = members.count
        report.membersChanged = try await store.directory.replaceMembers(
            corpID: corpID,
            departments: departments.map { DepartmentRecord(departmentID: $0.id, name: $0.name, parentID: $0.parentID) },
            members: members.map { MemberRecord(userID: $0.userID, name: $0.name, departments: $0.department) }, now: now
        )
        report.tagGroupsChanged = try await store.directory.replaceTags(corpID: corpID, groups: try await client.corpTags().filter { $0.deleted != true }.map(TagGroup.init), now: now)

        let followers = try await client.followUsers()
        let items = try await client.allExternalContacts(of: followers)
        var byCustomer: [String: (CustomerFacts, [RelationFacts])] = [:]
        for item in items {
            let id = item.externalContact.externalUserID
            var entry = byCustomer[id] ?? (CustomerFacts(item.externalContact), [])
            entry.1.append(RelationFacts(item.followInfo))
            byCustomer[id] = entry
        }
        report.customersSeen = byCustomer.count
        let observations = byCustomer.keys.sorted().map { id in
            ContactObservation(externalUserID: id, event: .sync, userID: nil, state: nil, at: now, customer: byCustomer[id]!.0, relations: byCustomer[id]!.1)
        }
        // A transaction per page of customers: one commit each, not one per customer.
        for start in stride(from: 0, to: observations.count, by: Self.reconcileBatch) {
            let batch = Array(observations[start..<min(start + Self.reconcileBatch, observations.count)])
            for outcome in try await store.customers.reconcile(corpID: corpID, batch, now: now) {
                report.relationsAdded += outcome.newlyActive.count
                report.relationsEnded += outcome.ended.count
            }
        }
        // Customer groups: every live group with its members; the rest are dismissed.
        let live = try await client.allGroupChats(statusFilter: 0)
        for group in live { try await refreshGroup(corpID: corpID, chatID: group.chatID, client: client, store: store, now: now) }
        let liveIDs = Set(live.map(\.chatID))
        try await store.groups.dismiss(corpID: corpID, chatIDs: try await store.groups.list(corpID: corpID).map(\.chatID).filter { !liveIDs.contains($0) }, now: now)
        report.groups = live.count

        // Customers the store thinks are active but the platform no longer lists.
        var query = CustomerQuery()
        query.status = .active
        query.limit = 1000
        while true {
            let page = try await store.customers.list(corpID: corpID, query)
            for customer in page where byCustomer[customer.externalUserID] == nil {
                let observation = try await EventApplier.observe(client: client, externalUserID: customer.externalUserID, event: .sync, userID: nil, state: nil, at: now)
                let outcome = try await store.customers.reconcile(corpID: corpID, observation, now: now)
                report.relationsAdded += outcome.newlyActive.count
                report.relationsEnded += outcome.ended.count
            }
            guard page.count == query.limit, let last = page.last else { break }
            query.cursor = last.externalUserID
        }
        logger.info("sync finished", metadata: [
            "corp_id": .string(corpID), "customers": .stringConvertible(report.customersSeen),
            "relations_added": .stringConvertible(report.relationsAdded), "relations_ended": .stringConvertible(report.relationsEnded),
        ])
        return report
    }
}

/// Keeps one daily sync queued per corp (at 03:00 in the corp's day), so a missed callback is repaired within a day.
public struct DailySyncScheduler: Service {
    let store: SiyuStore
    let interval: Duration
    let time: TimeSource
    let logger: Logger

    public init(store: SiyuStore, interval: Duration = .seconds(3600), time: TimeSource, logger: Logger) {
        self.time = time
        self.store = store
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await scheduleMissing(now: time())
            } catch {
                logger.warning("cannot schedule syncs", metadata: ["error": .string(String(describing: error))])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    func scheduleMissing(now: Date) async throws {
        var after: String? = nil
        while true {
            let corps = try await store.corps.list(after: after, limit: 1000)
            for corp in corps where try await !store.jobs.hasPending(kind: CorpSync.jobKind, corpID: corp.corpID) {
                // A corp never synced (no member mirrored) syncs now: channels and campaigns name
                // members, and Siyu refuses members it has not mirrored.
                let next = try await store.directory.hasMembers(corpID: corp.corpID)
                    ? try await store.contacts.calendar(corpID: corp.corpID).startOfDay(now).addingTimeInterval(86400 + 3 * 3600) : now
                try await store.jobs.enqueue(kind: CorpSync.jobKind, payload: "daily", corpID: corp.corpID, runAfter: next, maxAttempts: 3, now: now)
            }
            guard corps.count == 1000 else { return }
            after = corps.last?.corpID
        }
    }
}
