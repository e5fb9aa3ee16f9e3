import Foundation
import Hummingbird
import HummingbirdTesting
import SiyuCore
import SiyuStore
import Synchronization
import Testing

@testable import SiyuServer

/// Webhooks reach public addresses only, unless the installation allows a range; checked after
/// DNS at every attempt, with the connection pinned to the checked address.
@Suite("Outbound webhooks: the address policy")
struct WebhookAddressPolicyTests {
    typealias Receiver = WebhookTests.Receiver

    static let loopback = WebhookTests.loopback

    /// A resolver answering from a table, counting the questions.
    final class TableResolver: Sendable {
        let table: [String: [IPAddress]]
        let questions = Mutex<[String]>([])
        init(_ table: [String: [IPAddress]]) { self.table = table }
        var asked: [String] { questions.withLock { $0 } }
        var resolver: HostResolver {
            HostResolver { host in
                self.questions.withLock { $0.append(host) }
                guard let addresses = self.table[host] else { throw HostResolver.Failure(host: host, reason: "unknown name") }
                return addresses
            }
        }
    }

    static func sender(_ store: SiyuStore, policy: OutboundAddressPolicy, resolver: HostResolver = .system) -> WebhookSender {
        WebhookSender(webhooks: store.webhooks, policy: policy, resolver: resolver, retry: WebhookTests.fastRetry, timeout: .seconds(5), time: .system, logger: TestServer.logger)
    }

    /// A receiver, a webhook of wwA1 to `http://<host>:<port>/hook` (registered straight in the
    /// store, as a URL that resolved elsewhere at registration would be), one event queued and claimed.
    static func withClaimedDelivery(
        host: String, to receiver: Receiver,
        _ body: @Sendable (SiyuStore, WebhookStore.Registered, JobQueue.Job) async throws -> Void
    ) async throws {
        try await WebhookTests.withReceiver(receiver) { port in
            try await TestServer.withStore { store in
                _ = try await WebhookTests.twoCorps(store)
                let registered = try await WebhookTests.register(store, url: "http://\(host):\(port)/hook")
                try await WebhookTests.publish(store)
                let job = try #require(try await store.jobs.claim(owner: "t", kinds: [WebhookStore.deliverJobKind], now: Date()).first)
                try await body(store, registered, job)
            }
        }
    }

    @Test("by default a receiver on loopback is refused at delivery, however its address is spelled, and gets nothing", arguments: [
        "127.0.0.1", "localhost", "2130706433", "127.1", "0x7f.0.0.1", "0177.0.0.1", "[::ffff:127.0.0.1]", "[::1]",
    ])
    func loopbackRefusedAtDelivery(host: String) async throws {
        let receiver = Receiver()
        try await Self.withClaimedDelivery(host: host, to: receiver) { store, registered, job in
            await #expect(throws: WebhookSender.DeliveryFailure.self) { try await WebhookTests.defaultSender(store).deliver(job) }
            #expect(receiver.received.isEmpty)
            let delivery = try await WebhookTests.onlyDelivery(store, registered.webhook.webhookID)
            #expect(delivery.state == .pending)
            #expect(delivery.lastStatus == nil)
            #expect(delivery.lastError?.contains("loopback") == true)
        }
    }

    @Test("allowed loopback is reached through every spelling of 127.0.0.1", arguments: ["127.0.0.1", "2130706433", "127.1", "[::ffff:127.0.0.1]", "localhost"])
    func allowedLoopback(host: String) async throws {
        let receiver = Receiver()
        try await Self.withClaimedDelivery(host: host, to: receiver) { store, registered, job in
            try await Self.sender(store, policy: Self.loopback).deliver(job)
            #expect(receiver.received.count == 1)
            #expect(try await WebhookTests.onlyDelivery(store, registered.webhook.webhookID).state == .delivered)
        }
    }

    @Test("the connection goes to the address that was checked: a name only our resolver knows is reached, resolved once")
    func pinned() async throws {
        let receiver = Receiver()
        let names = TableResolver(["hooks.brand.test": [.v4(0x7F00_0001)]])
        try await Self.withClaimedDelivery(host: "hooks.brand.test", to: receiver) { store, registered, job in
            try await Self.sender(store, policy: Self.loopback, resolver: names.resolver).deliver(job)
            #expect(receiver.received.count == 1)
            #expect(receiver.received.first?.header("Host")?.hasPrefix("hooks.brand.test:") == true, "the request still names the host")
            #expect(names.asked == ["hooks.brand.test"], "resolved once, by Siyu; the client connected without resolving")
            #expect(try await WebhookTests.onlyDelivery(store, registered.webhook.webhookID).state == .delivered)
        }
    }

    @Test("a name that resolves to an internal address (rebinding after registration) is refused; a mixed answer uses the allowed address")
    func resolvedAddressesChecked() async throws {
        let receiver = Receiver()
        let names = TableResolver([
            "rebound.brand.test": [.v4(0x7F00_0001)],
            "mixed.brand.test": [.v4(0x0A00_0001), .v4(0xA9FE_A9FE), .v4(0x7F00_0001)],
        ])
        try await Self.withClaimedDelivery(host: "rebound.brand.test", to: receiver) { store, registered, job in
            await #expect(throws: WebhookSender.DeliveryFailure.self) {
                try await Self.sender(store, policy: .publicOnly, resolver: names.resolver).deliver(job)
            }
            #expect(receiver.received.isEmpty)
            let error = try #require(try await WebhookTests.onlyDelivery(store, registered.webhook.webhookID).lastError)
            #expect(error.contains("rebound.brand.test resolves only to") && error.contains("127.0.0.1 (loopback)"))
        }
        try await Self.withClaimedDelivery(host: "mixed.brand.test", to: receiver) { store, registered, job in
            try await Self.sender(store, policy: Self.loopback, resolver: names.resolver).deliver(job)
            #expect(receiver.received.count == 1)
            #expect(try await WebhookTests.onlyDelivery(store, registered.webhook.webhookID).state == .delivered)
        }
    }

    @Test("a name that does not resolve fails the attempt saying so, and nothing is sent")
    func unresolvable() async throws {
        let receiver = Receiver()
        try await Self.withClaimedDelivery(host: "nowhere.brand.test", to: receiver) { store, registered, job in
            await #expect(throws: WebhookSender.DeliveryFailure.self) {
                try await Self.sender(store, policy: Self.loopback, resolver: TableResolver([:]).resolver).deliver(job)
            }
            #expect(receiver.received.isEmpty)
            let delivery = try await WebhookTests.onlyDelivery(store, registered.webhook.webhookID)
            #expect(delivery.lastError == "cannot resolve nowhere.brand.test: unknown name")
        }
    }

    @Test("the job handlers use the policy of ServerDependencies: refused by default, delivered when loopback is allowed")
    func jobHandlersUseThePolicy() async throws {
        for allowed in [false, true] {
            let receiver = Receiver()
            try await Self.withClaimedDelivery(host: "127.0.0.1", to: receiver) { store, registered, job in
                var dependencies = ServerDependencies(store: store, admin: AdminCredential(token: TestServer.adminToken), logger: TestServer.logger)
                if allowed { dependencies.outboundPolicy = Self.loopback }
                let handler = try #require(buildJobHandlers(dependencies, logger: TestServer.logger)[WebhookStore.deliverJobKind])
                if allowed {
                    try await handler.perform(job)
                } else {
                    await #expect(throws: WebhookSender.DeliveryFailure.self) { try await handler.perform(job) }
                }
                #expect(receiver.received.count == (allowed ? 1 : 0))
                #expect(try await WebhookTests.onlyDelivery(store, registered.webhook.webhookID).state == (allowed ? .delivered : .pending))
            }
        }
    }

    @Test("registering a webhook on an internal address, however spelled, is 422 naming url", arguments: [
        "http://127.0.0.1:9/x", "http://localhost/x", "http://app.localhost/x", "http://2130706433/x", "http://127.1/x",
        "http://0x7f000001/x", "http://[::1]/x", "http://[::ffff:127.0.0.1]/x", "http://[::ffff:7f00:1]/x", "https://10.1.2.3/x",
        "http://172.16.0.1/x", "http://192.168.1.1/x", "http://100.64.0.1/x", "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/latest", "http://100.100.100.200/latest", "http://[fe80::1]/x", "http://[fd12:3456::1]/x",
        "http://0.0.0.0:8080/x", "http://0/x", "http://224.0.0.1/x", "http://255.255.255.255/x",
    ])
    func internalAddressRefusedAtRegistration(url: String) async throws {
        try await TestServer.withClient { client, store, _ in
            let (keyA, _) = try await WebhookTests.twoCorps(store)
            let refused = try await client.call(.post, "/api/v1/webhooks", token: keyA, json: #"{"url":"\#(url)","event_types":["customer.added"]}"#)
            #expect(refused.status == .unprocessableContent)
            let error = try #require(try refused.json()["error"] as? [String: Any])
            #expect(error["field"] as? String == "url")
            #expect(error["code"] as? String == "address_not_allowed")
            #expect(try await store.webhooks.list(corpID: "wwA1").isEmpty)
        }
    }

    @Test("registration accepts a public address, a name that does not resolve yet, and an internal range the installation allows")
    func acceptedAtRegistration() async throws {
        try await TestServer.withStore { store in
            let (keyA, _) = try await WebhookTests.twoCorps(store)
            var dependencies = ServerDependencies(store: store, admin: AdminCredential(token: TestServer.adminToken), logger: TestServer.logger)
            dependencies.outboundPolicy = try OutboundAddressPolicy(allowList: "10.0.0.0/8")
            try await buildApplication(configuration: .init(), dependencies: dependencies, logger: TestServer.logger).test(.router) { client in
                for url in ["https://8.8.8.8/hook", "https://hooks.not-yet.example/x", "http://10.20.30.40:8080/hook", "http://[::ffff:10.0.0.9]/h"] {
                    let created = try await client.call(.post, "/api/v1/webhooks", token: keyA, json: #"{"url":"\#(url)","event_types":["tag.created"]}"#)
                    #expect(created.status == .created, "\(url)")
                }
                let refused = try await client.call(.post, "/api/v1/webhooks", token: keyA, json: #"{"url":"http://192.168.0.2/h","event_types":["tag.created"]}"#)
                #expect(refused.status == .unprocessableContent)
                #expect(refused.text.contains("192.168.0.2 (private)"))
                #expect(refused.text.contains("SIYU_OUTBOUND_ALLOW"))
            }
            #expect(try await store.webhooks.list(corpID: "wwA1").count == 4)
        }
    }

    @Test("SIYU_OUTBOUND_ALLOW: unset is public only, a list is read, a bad entry stops start-up naming it")
    func environment() throws {
        #expect(try OutboundAddressPolicy.fromEnvironment([:]) == .publicOnly)
        #expect(try OutboundAddressPolicy.fromEnvironment(["SIYU_OUTBOUND_ALLOW": "127.0.0.1/32,10.0.0.0/8"]).allowed.map(\.description)
            == ["127.0.0.1/32", "10.0.0.0/8"])
        do {
            _ = try OutboundAddressPolicy.fromEnvironment(["SIYU_OUTBOUND_ALLOW": "10.1.2.3/8"])
            Issue.record("a range with host bits was accepted")
        } catch {
            #expect(error.message.contains("SIYU_OUTBOUND_ALLOW") && error.message.contains("10.1.2.3/8"))
        }
    }
}
