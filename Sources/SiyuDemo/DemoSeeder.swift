import Foundation
import Logging
import SiyuCore
import SiyuServer
import SiyuStore
import WeCom
import WeComSandbox

/// How big the demo brand is.
public struct DemoScale: Sendable {
    public var customers: Int
    /// Customers arrive over this many days before now.
    public var days: Int
    public var groups: Int
    /// Percent of customers who later deleted their member (lost customers).
    public var lostPercent: Int
    /// Percent of customers who ordered at least once.
    public var buyerPercent: Int

    public init(customers: Int = 5000, days: Int = 60, groups: Int = 30, lostPercent: Int = 6, buyerPercent: Int = 45) {
        self.customers = customers
        self.days = days
        self.groups = groups
        self.lostPercent = lostPercent
        self.buyerPercent = buyerPercent
    }
}

/// What a seeded demo brand holds, for the banner and for tests.
public struct DemoSummary: Sendable {
    public var channels: [Channel] = []
    public var customers = 0
    public var lost = 0
    public var orders = 0
    public var groups = 0
    public var campaigns: [String] = []
    public var firstAdded: Date?
}

/// Seeds the demo brand into a sandbox world and into Siyu so both agree, the way production
/// would fill Siyu: channel codes through Siyu's REST API (which creates the contact ways),
/// the customers' past (relations with their real `createtime`) pulled by ``CorpSync``, lost
/// customers as dated `del_follow_user` callbacks, orders through the order feed's store.
public struct DemoSeeder: Sendable {
    public let world: SandboxWorld
    public let deliverer: CallbackDeliverer
    public let store: SiyuStore
    public let wecom: WeComConnections
    public let api: SiyuAPI
    public let corp: SandboxCorpConfig
    public let logger: Logger

    public init(world: SandboxWorld, deliverer: CallbackDeliverer, store: SiyuStore, wecom: WeComConnections, api: SiyuAPI,
                corp: SandboxCorpConfig = DemoBrand.corp, logger: Logger) {
        self.world = world
        self.deliverer = deliverer
        self.store = store
        self.wecom = wecom
        self.api = api
        self.corp = corp
        self.logger = logger
    }

    /// Registers the brand's corp in Siyu, pointed at the sandbox, and returns an API key for it.
    /// Call before any job worker runs: Siyu must never reach the real platform for this corp.
    public static func registerCorp(store: SiyuStore, corp: SandboxCorpConfig = DemoBrand.corp, sandboxURL: String, now: Date) async throws -> String {
        _ = try await store.corps.register(
            CorpRegistration(corpID: corp.corpID, name: DemoBrand.name, secret: corp.secret, callbackToken: corp.token, encodingAESKey: corp.encodingAESKey),
            actor: "demo", now: now
        )
        _ = try await store.corps.update(corp.corpID, name: nil, settings: [.wecomAPIBaseURL: sandboxURL], actor: "demo", now: now)
        return try await store.apiKeys.create(corpID: corp.corpID, label: "demo", actor: "demo", now: now).token
    }

    /// Seeds everything; `now` is the end of the history.
    public func seed(scale: DemoScale, seed: UInt64, now: Date) async throws -> DemoSummary {
        var random = SeededGenerator(seed: seed)
        var summary = DemoSummary()
        let corpID = corp.corpID
        var config = corp
        config.callbackURL = api.baseURL + "/callback/wecom/" + corpID
        await world.configure(config)

        // The organisation and its tags, then Siyu's directory from the platform.
        var departmentIDs: [Int] = []
        for name in DemoBrand.departments { departmentIDs.append(try await world.addDepartment(corpID: corpID, name: name).id) }
        for member in DemoBrand.members {
            _ = try await world.addMember(corpID: corpID, userID: member.userID, name: member.name, departments: [departmentIDs[member.department]], position: member.position)
        }
        var tagsByGroup: [[String]] = []
        for group in DemoBrand.tagGroups {
            tagsByGroup.append(try await world.addTags(corpID: corpID, groupName: group.name, names: group.tags).tag.map(\.id))
        }
        let sync = CorpSync(store: store, wecom: wecom, logger: logger)
        _ = try await sync.run(corpID: corpID, now: now)

        // Channel codes through Siyu's API: each is a contact way in the sandbox too.
        for plan in DemoBrand.channels {
            let channelID = try await api.createChannel(name: plan.name, members: plan.members.map { DemoBrand.members[$0].userID }, welcome: plan.welcome)
            guard let channel = try await store.channels.find(corpID: corpID, channelID: channelID) else { throw SiyuAPI.Failure(status: 404, body: channelID) }
            summary.channels.append(channel)
        }

        // The customers' past and their groups, then Siyu pulls it like a sync after installation would.
        let history = DemoHistory(scale: scale, now: now, channels: summary.channels, tagsByGroup: tagsByGroup)
        let customers = history.customers(&random)
        let ids = try await world.importCustomers(corpID: corpID, customers)
        summary.customers = ids.count
        summary.firstAdded = customers.flatMap(\.relations).map { Date(timeIntervalSince1970: TimeInterval($0.createTime)) }.min()
        for plan in history.groups(customers: customers, ids: ids, &random) {
            _ = try await world.importGroup(corpID: corpID, owner: plan.owner, name: plan.name, createTime: plan.createTime, joined: plan.joined)
        }
        summary.groups = min(scale.groups, DemoBrand.groupNames.count)
        _ = try await sync.run(corpID: corpID, now: now)

        // Lost customers: the platform's dated callbacks, applied by Siyu's workers.
        let losses = history.losses(customers: customers, ids: ids, &random)
        var events: [SandboxEvent] = []
        for loss in losses {
            events += try await world.customerDeletesMember(corpID: corpID, externalUserID: loss.externalUserID, userID: loss.userID, at: loss.at)
        }
        try await deliverAll(events)
        summary.lost = losses.count

        // Orders, in the sandbox's shop and in Siyu's order feed.
        var orders: [Order] = []
        for planned in history.orders(customers: customers, ids: ids, &random) {
            let placed = try await world.placeOrder(corpID: corpID, externalUserID: planned.externalUserID, amountFen: planned.amountFen, at: planned.at)
            orders.append(Order(orderID: placed.orderID, externalUserID: placed.externalUserID, amountFen: Int64(placed.amountFen),
                                orderedAt: Date(timeIntervalSince1970: TimeInterval(placed.at))))
        }
        for start in stride(from: 0, to: orders.count, by: 1000) {
            _ = try await store.orders.upsert(corpID: corpID, Array(orders[start..<min(start + 1000, orders.count)]), now: now)
        }
        summary.orders = orders.count

        try await api.setContactPolicy(DemoBrand.contactPolicy)
        summary.campaigns = try await seedCampaigns(now: now)
        return summary
    }

    /// Two campaigns of the past through Siyu's campaign API, sent by the members in the sandbox
    /// and finished. The sandbox's clock (which Siyu's campaign clock reads in the demo) is set
    /// back to each send time meanwhile, so tasks, receipts and results carry past dates.
    func seedCampaigns(now: Date) async throws -> [String] {
        let clock = world.clock
        let previous = clock.pinnedDate
        defer { if let previous { clock.pin(at: previous) } else { clock.unpin() } }
        let today = DemoBrand.calendar.startOfDay(now)
        var ids: [String] = []
        for plan in DemoBrand.campaigns {
            clock.pin(at: today.addingTimeInterval(Double(-plan.daysAgo * 86400 + plan.hour * 3600)))
            let id = try await api.createCampaign(name: plan.name, segment: plan.segment, text: plan.text)
            clock.advance(by: 1800)
            // Members confirm each task as Siyu submits it, until Siyu has collected every result.
            let deadline = ContinuousClock.now + .seconds(60)
            while try await api.campaignState(id) != .finished {
                guard ContinuousClock.now < deadline else { throw SiyuAPI.Failure(status: 0, body: "campaign \(id) did not finish within 60 s") }
                for task in await world.unsentMassTasks(corpID: corp.corpID) {
                    _ = try await world.confirmMassMessage(corpID: corp.corpID, msgID: task.msgID, userID: task.userID)
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            ids.append(id)
        }
        return ids
    }

    /// Delivers callbacks to Siyu, several at a time, as the platform would.
    func deliverAll(_ events: [SandboxEvent]) async throws {
        guard let config = await world.config(of: corp.corpID) else { return }
        let deliverer = self.deliverer
        try await withThrowingTaskGroup(of: Void.self) { group in
            var pending = events[...]
            for _ in 0..<8 {
                guard let event = pending.popFirst() else { break }
                group.addTask { await deliverer.deliver(event, config: config) }
            }
            while try await group.next() != nil {
                if let event = pending.popFirst() { group.addTask { await deliverer.deliver(event, config: config) } }
            }
        }
    }

    /// Waits until Siyu has applied every stored callback (or `timeout` passes); false on timeout.
    @discardableResult
    public func settle(timeout: Duration = .seconds(60)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await store.inbox.backlog()["pending", default: 0] == 0 { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }
}
