import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import WeCom

@testable import WeComSandbox

/// A live sandbox on a free loopback port, with a ``WeComClient`` pointed at it.
enum SandboxHarness {
    static let corp = SandboxCorpConfig(
        corpID: "wwsandbox0001", secret: "sandbox-secret", token: "QDG6eK",
        encodingAESKey: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
    )
    static let members = ["zhangsan", "lisi", "wangwu"]

    static let logger: Logger = {
        var logger = Logger(label: "siyu.sandbox.test")
        logger.logLevel = .error
        return logger
    }()

    struct Context: Sendable {
        let sandbox: Sandbox
        let client: WeComClient
        let port: Int
        var world: SandboxWorld { sandbox.world }
    }

    static func run(
        seed: UInt64 = 7, clock: SandboxClock = SandboxClock(pinnedAt: Date(timeIntervalSince1970: 1_800_000_000)),
        rule: MassMessageRule = .daysInMonth, callbackURL: String? = nil,
        _ body: @Sendable (Context) async throws -> Void
    ) async throws {
        let world = SandboxWorld(seed: seed, clock: clock, massMessageRule: rule)
        var config = corp
        config.callbackURL = callbackURL
        await world.configure(config)
        for member in members { _ = try await world.addMember(corpID: corp.corpID, userID: member, name: member.capitalized) }
        let sandbox = Sandbox(world: world, deliverer: CallbackDeliverer(timeout: .seconds(2), retryDelay: .milliseconds(10), logger: logger))
        let app = sandbox.buildApplication(port: 0, logger: logger)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let wecom = WeComClient(
                configuration: WeComClientConfiguration(
                    baseURL: "http://127.0.0.1:\(port)", tokenSource: .wecom(corpID: corp.corpID, secret: corp.secret),
                    busyBackoff: .milliseconds(5)
                ),
                logger: logger
            )
            try await body(Context(sandbox: sandbox, client: wecom, port: port))
        }
    }
}
