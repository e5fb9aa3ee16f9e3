import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SiyuCore
import SiyuServer
import SiyuStore
import SiyuTestSupport
import Testing
import WeCom
import WeComSandbox

/// Siyu and the WeCom sandbox in one process, each on its own loopback port, talking over real
/// HTTP: the sandbox delivers encrypted callbacks to Siyu; Siyu calls the sandbox's API.
struct EndToEnd: Sendable {
    static let corp = SandboxCorpConfig(
        corpID: "wwe2e0000001", secret: "e2e-secret", token: "QDG6eK", encodingAESKey: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
    )
    static let adminToken = "adm.e2e-admin-token-000000"
    static let logger: Logger = {
        var logger = Logger(label: "siyu.e2e")
        logger.logLevel = .error
        return logger
    }()

    let store: SiyuStore
    let world: SandboxWorld
    let deliverer: CallbackDeliverer
    let siyu: any TestClientProtocol
    let apiKey: String
    /// The sandbox's pinned clock; Siyu's campaign clock reads the same one.
    let clock: SandboxClock

    var corpID: String { Self.corp.corpID }

    static func run(members: [String] = ["m1", "m2", "m3", "m4", "m5", "m6"], _ body: @Sendable (EndToEnd) async throws -> Void) async throws {
        try await TestDatabases.withStore(.sqlite) { store in
            // A pinned clock: welcome codes (20 s) and tokens cannot expire because a busy CI machine is slow.
            // SIYU_E2E_START (seconds since 1970) replays a run that failed at a given time of day.
            let start = ProcessInfo.processInfo.environment["SIYU_E2E_START"].flatMap(TimeInterval.init).map(Date.init(timeIntervalSince1970:)) ?? Date()
            let clock = SandboxClock(pinnedAt: start)
            let world = SandboxWorld(seed: 11, clock: clock)
            await world.configure(corp)
            for member in members { _ = try await world.addMember(corpID: corp.corpID, userID: member, name: "成员" + member) }
            let sandbox = Sandbox(world: world, deliverer: CallbackDeliverer(timeout: .seconds(5), retryDelay: .milliseconds(20), logger: logger))
            try await sandbox.buildApplication(port: 0, logger: logger).test(.live) { sandboxClient in
                let sandboxURL = "http://127.0.0.1:\(try #require(sandboxClient.port))"
                // Siyu runs on the sandbox's time; its own pacing (polls, retries) keeps moving while
                // the sandbox's clock is pinned, and every advance moves both.
                var dependencies = ServerDependencies(
                    store: store, admin: AdminCredential(token: adminToken), time: TimeSource { clock.running }, logger: logger
                )
                dependencies.campaignPollInterval = .milliseconds(50)
                // The webhook receivers of these tests listen on 127.0.0.1: allowed explicitly, as an admin would.
                dependencies.outboundPolicy = OutboundAddressPolicy(allowing: [try IPAddressRange("127.0.0.1/32")])
                let app = try buildApplication(
                    // The live test client opens one connection at the start, may leave it unused while a test
                    // seeds for longer than the header timeout on a busy machine, and never reconnects: neither
                    // the header nor the idle timeout may close it here.
                    configuration: .init(
                        host: "127.0.0.1", port: 0, limits: ConnectionLimits(headerTimeout: .seconds(3600), idleTimeout: .seconds(3600))
                    ), dependencies: dependencies,
                    services: dependencies.backgroundServices(workers: 2, jobPollInterval: .milliseconds(10)), logger: logger
                )
                try await app.test(.live) { siyu in
                    let siyuPort = try #require(siyu.port)
                    var config = corp
                    config.callbackURL = "http://127.0.0.1:\(siyuPort)/callback/wecom/\(corp.corpID)"
                    await world.configure(config)
                    _ = try await store.corps.register(
                        CorpRegistration(corpID: corp.corpID, name: "端到端咖啡", secret: corp.secret, callbackToken: corp.token, encodingAESKey: corp.encodingAESKey),
                        actor: "e2e", now: Date()
                    )
                    _ = try await store.corps.update(corp.corpID, name: nil, settings: [.wecomAPIBaseURL: sandboxURL], actor: "e2e", now: Date())
                    try await store.mirrorMembers(corpID: corp.corpID, members)
                    let key = try await store.apiKeys.create(corpID: corp.corpID, label: "e2e", actor: "e2e", now: Date())
                    try await body(EndToEnd(store: store, world: world, deliverer: sandbox.deliverer, siyu: siyu, apiKey: key.token, clock: clock))
                }
            }
        }
    }

    /// Calls Siyu's REST API with the corp's key; returns the status and the JSON body.
    @discardableResult
    func api(_ method: HTTPRequest.Method, _ path: String, _ body: [String: Any]? = nil) async throws -> (HTTPResponse.Status, [String: Any]) {
        var headers: HTTPFields = [.authorization: "Bearer \(apiKey)"]
        var buffer: ByteBuffer?
        if let body {
            headers[.contentType] = "application/json"
            buffer = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body))
        }
        let response = try await siyu.execute(uri: path, method: method, headers: headers, body: buffer)
        let json = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
        return (response.status, json)
    }

    /// `POST /api/v1/campaigns`; when it is accepted, the campaign as `GET` shows it once its
    /// planning job has recorded the plan (the status stays the POST's).
    func createCampaign(_ body: [String: Any]) async throws -> (HTTPResponse.Status, [String: Any]) {
        let (status, accepted) = try await api(.post, "/api/v1/campaigns", body)
        guard status == .accepted, let id = accepted["campaign_id"] as? String else { return (status, accepted) }
        var planned = accepted
        try await Eventually.wait("campaign \(id) planned", done: {
            planned = try await self.api(.get, "/api/v1/campaigns/\(id)").1
            return planned["state"] as? String != "planning"
        }) { try await self.pendingWork() }
        return (status, planned)
    }

    /// Delivers a world event to Siyu the way the platform does.
    func deliver(_ event: SandboxEvent) async throws {
        let config = try #require(await world.config(of: corpID))
        let record = await deliverer.deliver(event, config: config)
        #expect(record.outcome == "delivered", "\(record.lastError ?? "")")
    }

    /// Waits until every stored callback has been applied and the job queue is idle, for as long
    /// as that work keeps moving (see ``Eventually``).
    func settle() async throws {
        try await Eventually.wait("callbacks applied and jobs done") {
            let jobs = try await store.jobs.depth()
            let inbox = try await store.inbox.backlog()
            return jobs["queued", default: 0] == 0 && jobs["running", default: 0] == 0 && inbox["pending", default: 0] == 0
        } progress: {
            try await pendingWork()
        }
    }

    /// What Siyu still has to do, in counts that change whenever any of it moves.
    func pendingWork() async throws -> String {
        let jobs = try await store.jobs.depth()
        let inbox = try await store.inbox.backlog()
        let customers = try await store.customers.counts(corpID: corpID).sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return "jobs queued \(jobs["queued", default: 0]), running \(jobs["running", default: 0]), done \(jobs["done", default: 0]), dead \(jobs["dead", default: 0]); "
            + "callbacks pending \(inbox["pending", default: 0]), applied \(inbox["applied", default: 0]); customers \(customers); "
            + "platform calls answered \(await world.callsServed)"
    }
}

extension Data {
    init(buffer: ByteBuffer) { self.init(buffer.readableBytesView) }
}
