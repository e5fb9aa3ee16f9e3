import Foundation
import Logging
import ServiceLifecycle
import SiyuCore
import SiyuStore
import WeComSandbox

/// Keeps the demo brand alive: every `interval` a few customers scan channel codes (through the
/// sandbox's simulation, so Siyu gets the callbacks and sends welcomes), now and then one leaves
/// and one orders, and members confirm mass-message tasks waiting for them, so campaigns finish.
public struct DemoActivity: Service {
    let world: SandboxWorld
    let deliverer: CallbackDeliverer
    let store: SiyuStore
    let corpID: String
    let configIDs: [String]
    let interval: Duration
    /// A member confirms a mass-message task this long after it was created.
    let confirmDelay: Int
    let seed: UInt64
    let logger: Logger

    public init(world: SandboxWorld, deliverer: CallbackDeliverer, store: SiyuStore, corpID: String, configIDs: [String],
                interval: Duration = .seconds(15), confirmDelay: Int = 20, seed: UInt64, logger: Logger) {
        self.world = world
        self.deliverer = deliverer
        self.store = store
        self.corpID = corpID
        self.configIDs = configIDs
        self.interval = interval
        self.confirmDelay = confirmDelay
        self.seed = seed
        self.logger = logger
    }

    public func run() async throws {
        var random = SeededGenerator(seed: seed &+ 0x5EED)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await tick(&random)
            } catch {
                logger.warning("demo activity step failed", metadata: ["error": .string(String(describing: error))])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    /// One round of activity.
    func tick(_ random: inout SeededGenerator) async throws {
        guard let config = await world.config(of: corpID) else { return }
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            guard let configID = configIDs.randomElement(using: &random) else { break }
            let (_, events) = try await world.customerAdds(corpID: corpID, configID: configID, name: DemoBrand.customerName(&random))
            for event in events { await deliverer.deliver(event, config: config) }
        }
        let active = await world.activeCustomerIDs(corpID: corpID)
        if Int.random(in: 0..<10, using: &random) < 3, let leaving = active.randomElement(using: &random),
           let member = await world.members(corpID: corpID, of: leaving).first {
            for event in try await world.customerDeletesMember(corpID: corpID, externalUserID: leaving, userID: member) {
                await deliverer.deliver(event, config: config)
            }
        }
        if Int.random(in: 0..<10, using: &random) < 7, let buyer = active.randomElement(using: &random) {
            let amount = [1800, 2500, 2800, 3200, 3600, 5600][Int.random(in: 0..<6, using: &random)]
            let placed = try await world.placeOrder(corpID: corpID, externalUserID: buyer, amountFen: amount)
            _ = try await store.orders.upsert(corpID: corpID, [Order(
                orderID: placed.orderID, externalUserID: buyer, amountFen: Int64(amount), orderedAt: Date(timeIntervalSince1970: TimeInterval(placed.at))
            )], now: world.clock.now)
        }
        let now = world.clock.unixNow
        for task in await world.unsentMassTasks(corpID: corpID) where now - task.createTime >= confirmDelay {
            _ = try? await world.confirmMassMessage(corpID: corpID, msgID: task.msgID, userID: task.userID)
        }
    }
}
