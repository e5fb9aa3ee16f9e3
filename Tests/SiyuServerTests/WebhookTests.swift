import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import SQLKit
import ServiceLifecycle
import SiyuCore
import SiyuStore
import Synchronization
import Testing

@testable import SiyuServer

@Suite("Outbound webhooks: REST and delivery")
struct WebhookTests {
    /// What a live receiver got, and what it answers: `answers[i]` for the i-th request, then `otherwise`.
    final class Receiver: Sendable {
        struct Hit: Sendable {
            var path: String
            /// By lowercased name.
            var headers: [String: String]
            var body: String

            func header(_ name: String) -> String? { headers[name.lowercased()] }
        }

        let hits = Mutex<[Hit]>([])
        let answers: [HTTPResponse.Status]
        let otherwise: HTTPResponse.Status
        let redirect: String?

        init(answers: [HTTPResponse.Status] = [], otherwise: HTTPResponse.Status = .ok, redirect: String? = nil) {
            self.answers = answers
            self.otherwise = otherwise
            self.redirect = redirect
        }

        var received: [Hit] { hits.withLock { $0 } }

        func answer(_ hit: Hit) -> Response {
            let index = hits.withLock { hits -> Int in
                hits.append(hit)
                return hits.count - 1
            }
            let status = index < answers.count ? answers[index] : otherwise
            var headers: HTTPFields = [:]
            if let redirect, (300..<400).contains(status.code) { headers[.location] = redirect }
            return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "answer \(index)")))
        }
    }

    /// Runs `body` with a receiver listening on 127.0.0.1 at the port it is given.
    static func withReceiver(_ receiver: Receiver, _ body: @Sendable (Int) async throws -> Void) async throws {
        let router = Router()
        router.post("{path}") { request, context -> Response in
            var request = request
            let text = String(buffer: try await request.collectBody(upTo: 1 << 20))
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
            headers["host"] = request.head.authority  // HTTP types keep Host as the authority, not as a field
            return receiver.answer(.init(path: context.parameters.get("path") ?? "", headers: headers, body: text))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: TestServer.logger)
        try await app.test(.live) { client in try await body(try #require(client.port)) }
    }

    static let fastRetry = RetryPolicy(base: .milliseconds(1), maximum: .milliseconds(4), maxAttempts: WebhookStore.maxAttempts)

    /// The sender the delivery tests use: the receivers listen on 127.0.0.1, so loopback is
    /// allowed explicitly, as an installation admin would with `SIYU_OUTBOUND_ALLOW`.
    static func loopbackSender(_ store: SiyuStore, timeout: Duration = .seconds(5)) -> WebhookSender {
        WebhookSender(webhooks: store.webhooks, policy: loopback, retry: fastRetry, timeout: timeout, time: .system, logger: TestServer.logger)
    }

    static let loopback = OutboundAddressPolicy(allowing: [try! IPAddressRange("127.0.0.1/32")])

    /// The sender an installation runs by default.
    static func defaultSender(_ store: SiyuStore) -> WebhookSender {
        WebhookSender(webhooks: store.webhooks, retry: fastRetry, timeout: .seconds(5), time: .system, logger: TestServer.logger)
    }

    /// Runs a job worker with the webhook handler (fast retries) until `done` holds or 20 s pass.
    static func runWorker(_ store: SiyuStore, until done: @Sendable () async throws -> Bool) async throws {
        let sender = loopbackSender(store)
        let worker = JobWorker(
            jobs: store.jobs, handlers: [WebhookStore.deliverJobKind: sender.handler], owner: "webhook-test",
            pollInterval: .milliseconds(5), time: .system, logger: TestServer.logger
        )
        let group = ServiceGroup(configuration: .init(services: [worker], logger: TestServer.logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let deadline = ContinuousClock.now + .seconds(20)
            while ContinuousClock.now < deadline {
                if try await done() { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    /// Corps wwA1 and wwB2 with one API key each.
    static func twoCorps(_ store: SiyuStore) async throws -> (a: String, b: String) {
        _ = try await store.corps.register(TestServer.registration("wwA1"), actor: "t", now: Date())
        _ = try await store.corps.register(TestServer.registration("wwB2"), actor: "t", now: Date())
        let a = try await store.apiKeys.create(corpID: "wwA1", label: "a", actor: "t", now: Date()).token
        let b = try await store.apiKeys.create(corpID: "wwB2", label: "b", actor: "t", now: Date()).token
        return (a, b)
    }

    static func publish(_ store: SiyuStore, corpID: String = "wwA1", _ type: WebhookEventType = .customerAdded) async throws {
        try await store.database.write { sql in
            try await WebhookStore.publish(on: sql, corpID: corpID, eventType: type, data: ["external_userid": "wmEXT1", "userid": "zhangsan"], now: Date())
        }
    }

    static func onlyDelivery(_ store: SiyuStore, _ webhookID: String) async throws -> WebhookStore.Delivery {
        let deliveries = try #require(try await store.webhooks.deliveries(corpID: "wwA1", webhookID: webhookID))
        try #require(deliveries.count == 1)
        return deliveries[0]
    }

    static func register(_ store: SiyuStore, url: String) async throws -> WebhookStore.Registered {
        try await store.webhooks.register(corpID: "wwA1", url: url, eventTypes: ["customer.added"], actor: "t", now: Date())
    }

    @Test("a corp key registers, lists, reads deliveries of and deletes its webhooks; the secret is shown once")
    func rest() async throws {
        try await TestServer.withClient { client, store, _ in
            let (keyA, _) = try await Self.twoCorps(store)
            let created = try await client.call(
                .post, "/api/v1/webhooks", token: keyA, json: #"{"url":"https://crm.example.com/siyu","event_types":["customer.added","customer.lost"]}"#
            )
            #expect(created.status == .created)
            let webhook = try created.json()
            let webhookID = try #require(webhook["webhook_id"] as? String)
            let secret = try #require(webhook["secret"] as? String)
            #expect(secret.hasPrefix("whsec_"))
            #expect(webhook["url"] as? String == "https://crm.example.com/siyu")
            #expect(webhook["event_types"] as? [String] == ["customer.added", "customer.lost"])
            #expect(webhook["active"] as? Bool == true)

            let listed = try await client.call(.get, "/api/v1/webhooks", token: keyA)
            #expect(listed.status == .ok)
            let hooks = try #require(try listed.json()["webhooks"] as? [[String: Any]])
            #expect(hooks.map { $0["webhook_id"] as? String } == [webhookID])
            #expect(!listed.text.contains(secret))
            #expect(hooks[0]["secret"] == nil)

            let empty = try await client.call(.get, "/api/v1/webhooks/\(webhookID)/deliveries", token: keyA)
            #expect(empty.status == .ok)
            #expect((try empty.json()["deliveries"] as? [Any])?.isEmpty == true)

            try await Self.publish(store)
            let after = try await client.call(.get, "/api/v1/webhooks/\(webhookID)/deliveries?limit=10", token: keyA)
            let deliveries = try #require(try after.json()["deliveries"] as? [[String: Any]])
            #expect(deliveries.count == 1)
            #expect(deliveries[0]["state"] as? String == "pending")
            #expect(deliveries[0]["attempts"] as? Int == 0)
            #expect(deliveries[0]["event_type"] as? String == "customer.added")
            #expect(deliveries[0]["created_at"] is String)
            #expect(try await client.call(.get, "/api/v1/webhooks/\(webhookID)/deliveries?limit=0", token: keyA).status == .badRequest)

            #expect(try await client.call(.delete, "/api/v1/webhooks/\(webhookID)", token: keyA).status == .noContent)
            let again = try await client.call(.delete, "/api/v1/webhooks/\(webhookID)", token: keyA)
            #expect(again.status == .notFound)
            #expect(again.errorCode == "not_found")
            #expect(try await client.call(.get, "/api/v1/webhooks/\(webhookID)/deliveries", token: keyA).status == .notFound)
            #expect((try await client.call(.get, "/api/v1/webhooks", token: keyA).json()["webhooks"] as? [Any])?.isEmpty == true)
            #expect(Set(try await store.audit.recent(corpID: "wwA1").map(\.action).filter { $0.hasPrefix("webhook.") }) == ["webhook.delete", "webhook.register"])
        }
    }

    @Test("bad input is 422 naming the field, a malformed body 400, the admin 403, no key 401")
    func restErrors() async throws {
        try await TestServer.withClient { client, store, _ in
            let (keyA, _) = try await Self.twoCorps(store)
            let badURL = try await client.call(.post, "/api/v1/webhooks", token: keyA, json: #"{"url":"ftp://x.example","event_types":["customer.added"]}"#)
            #expect(badURL.status == .unprocessableContent)
            #expect(try (badURL.json()["error"] as? [String: Any])?["field"] as? String == "url")
            let badType = try await client.call(.post, "/api/v1/webhooks", token: keyA, json: #"{"url":"https://x.example","event_types":["customer.exploded"]}"#)
            #expect(badType.status == .unprocessableContent)
            #expect(try (badType.json()["error"] as? [String: Any])?["field"] as? String == "event_types")
            #expect(try await client.call(.post, "/api/v1/webhooks", token: keyA, json: #"{"url":"https://x.example"}"#).status == .badRequest)
            let admin = try await client.call(.post, "/api/v1/webhooks", json: #"{"url":"https://x.example","event_types":["tag.created"]}"#)
            #expect(admin.status == .forbidden)
            #expect(try await client.call(.get, "/api/v1/webhooks").status == .forbidden)
            #expect(try await client.call(.get, "/api/v1/webhooks", token: nil).status == .unauthorized)
            #expect(try await store.webhooks.list(corpID: "wwA1").isEmpty)
        }
    }

    @Test("corp B's key can neither see nor delete corp A's webhooks")
    func isolation() async throws {
        try await TestServer.withClient { client, store, _ in
            let (keyA, keyB) = try await Self.twoCorps(store)
            let created = try await client.call(.post, "/api/v1/webhooks", token: keyA, json: #"{"url":"https://a.example/h","event_types":["tag.created"]}"#)
            let webhookID = try #require(try created.json()["webhook_id"] as? String)

            let listedByB = try await client.call(.get, "/api/v1/webhooks", token: keyB)
            #expect((try listedByB.json()["webhooks"] as? [Any])?.isEmpty == true)
            #expect(!listedByB.text.contains(webhookID))
            #expect(try await client.call(.get, "/api/v1/webhooks/\(webhookID)/deliveries", token: keyB).status == .notFound)
            #expect(try await client.call(.delete, "/api/v1/webhooks/\(webhookID)", token: keyB).status == .notFound)

            #expect(try await store.webhooks.list(corpID: "wwA1").map(\.webhookID) == [webhookID])
            let listedByA = try await client.call(.get, "/api/v1/webhooks", token: keyA)
            #expect((try listedByA.json()["webhooks"] as? [[String: Any]])?.count == 1)
        }
    }

    @Test("a live receiver gets the POST with headers whose signature it can recompute")
    func signedDelivery() async throws {
        let receiver = Receiver()
        try await Self.withQueuedDelivery(to: receiver) { store, registered in
            let delivery = try await Self.deliverThroughWorker(store, registered)
            #expect(delivery.state == .delivered)
            #expect(delivery.attempts == 1)
            #expect(delivery.lastStatus == 200)
            #expect(delivery.deliveredAt != nil)

            let hit = try #require(receiver.received.first)
            #expect(receiver.received.count == 1)
            #expect(hit.path == "hook")
            #expect(hit.body == delivery.payload)
            #expect(hit.header("Content-Type") == "application/json")
            #expect(hit.header("X-Siyu-Event") == "customer.added")
            #expect(hit.header("X-Siyu-Delivery") == delivery.deliveryID)
            let timestamp = try #require(hit.header("X-Siyu-Timestamp").flatMap { Int($0) })
            #expect(abs(timestamp - Int(Date().timeIntervalSince1970)) < 60)

            // Recompute as a receiver would, independently of Siyu's signing code.
            let mac = HMAC<SHA256>.authenticationCode(
                for: Data("\(timestamp).\(hit.body)".utf8), using: SymmetricKey(data: Data(registered.secret.utf8))
            )
            let expected = "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
            #expect(hit.header("X-Siyu-Signature") == expected)

            let body = try #require(try JSONSerialization.jsonObject(with: Data(hit.body.utf8)) as? [String: Any])
            #expect(body["id"] as? String == delivery.deliveryID)
            #expect(body["type"] as? String == "customer.added")
            #expect(body["corp_id"] as? String == "wwA1")
            #expect((body["data"] as? [String: String])?["external_userid"] == "wmEXT1")
        }
    }

    @Test("a receiver answering 500 twice, then 200, gets the delivery on the third attempt")
    func retriesUntilDelivered() async throws {
        let receiver = Receiver(answers: [.internalServerError, .internalServerError], otherwise: .ok)
        try await Self.withQueuedDelivery(to: receiver) { store, registered in
            let delivery = try await Self.deliverThroughWorker(store, registered)
            #expect(delivery.state == .delivered)
            #expect(delivery.attempts == 3)
            #expect(delivery.lastStatus == 200)
            #expect(receiver.received.count == 3)
            #expect(Set(receiver.received.map { $0.header("X-Siyu-Delivery") }) == [delivery.deliveryID])
            let job = try #require(try await store.jobs.find(corpID: "wwA1", jobID: try Self.jobID(store)))
            #expect(job.state == "done")
            #expect(job.attempts == 3)
        }
    }

    @Test("a receiver that always fails leaves the delivery failed after the last attempt")
    func failsAfterLastAttempt() async throws {
        let receiver = Receiver(otherwise: .internalServerError)
        try await Self.withQueuedDelivery(to: receiver) { store, registered in
            let delivery = try await Self.deliverThroughWorker(store, registered)
            #expect(delivery.state == .failed)
            #expect(delivery.attempts == WebhookStore.maxAttempts)
            #expect(delivery.lastStatus == 500)
            #expect(delivery.lastError?.contains("HTTP 500") == true)
            #expect(delivery.deliveredAt == nil)
            #expect(receiver.received.count == WebhookStore.maxAttempts)
            let job = try #require(try await store.jobs.find(corpID: "wwA1", jobID: try Self.jobID(store)))
            #expect(job.state == "dead")
        }
    }

    @Test("an unreachable receiver records the error and throws so the job retries")
    func unreachable() async throws {
        try await TestServer.withStore { store in
            _ = try await Self.twoCorps(store)
            let registered = try await Self.register(store, url: "http://127.0.0.1:1/hook")
            try await Self.publish(store)
            let job = try #require(try await store.jobs.claim(owner: "t", kinds: [WebhookStore.deliverJobKind], now: Date()).first)
            let sender = Self.loopbackSender(store, timeout: .seconds(1))
            await #expect(throws: WebhookSender.DeliveryFailure.self) { try await sender.deliver(job) }
            let delivery = try await Self.onlyDelivery(store, registered.webhook.webhookID)
            #expect(delivery.state == .pending)
            #expect(delivery.attempts == 1)
            #expect(delivery.lastStatus == nil)
            #expect(delivery.lastError?.contains("cannot reach") == true)
        }
    }

    @Test("a redirect is not followed, even to the same host: the attempt fails saying so", arguments: [
        HTTPResponse.Status.temporaryRedirect, .permanentRedirect, .found, .movedPermanently, .seeOther,
    ])
    func redirectsNotFollowed(status: HTTPResponse.Status) async throws {
        let receiver = Receiver(answers: [status], otherwise: .ok, redirect: "/moved")
        try await Self.withQueuedDelivery(to: receiver) { store, registered in
            let job = try #require(try await store.jobs.claim(owner: "t", kinds: [WebhookStore.deliverJobKind], now: Date()).first)
            await #expect(throws: WebhookSender.DeliveryFailure.self) { try await Self.loopbackSender(store).deliver(job) }
            #expect(receiver.received.map(\.path) == ["hook"])
            let delivery = try await Self.onlyDelivery(store, registered.webhook.webhookID)
            #expect(delivery.state == .pending)
            #expect(delivery.lastStatus == Int(status.code))
            #expect(delivery.lastError?.contains("redirect") == true)
            #expect(delivery.lastError?.contains("/moved") == false)
        }
    }

    @Test("the delivery log keeps the status and a short error, never bytes of the receiver's answer")
    func noAnswerBytesInLog() async throws {
        let receiver = Receiver(otherwise: .internalServerError)
        try await Self.withQueuedDelivery(to: receiver) { store, registered in
            let job = try #require(try await store.jobs.claim(owner: "t", kinds: [WebhookStore.deliverJobKind], now: Date()).first)
            await #expect(throws: WebhookSender.DeliveryFailure.self) { try await Self.loopbackSender(store).deliver(job) }
            #expect(receiver.received.count == 1)
            let delivery = try await Self.onlyDelivery(store, registered.webhook.webhookID)
            #expect(delivery.lastStatus == 500)
            #expect(delivery.lastError == "the receiver answered HTTP 500")
        }
    }

    /// A receiver, a store with corps wwA1 and wwB2, a webhook of wwA1 pointing at the receiver's
    /// `/hook`, and one `customer.added` event queued for it.
    static func withQueuedDelivery(
        to receiver: Receiver, _ body: @Sendable (SiyuStore, WebhookStore.Registered) async throws -> Void
    ) async throws {
        try await withReceiver(receiver) { port in
            try await TestServer.withStore { store in
                _ = try await twoCorps(store)
                let registered = try await register(store, url: "http://127.0.0.1:\(port)/hook")
                try await publish(store)
                try await body(store, registered)
            }
        }
    }

    /// Lets a job worker with fast retries run until the queued delivery is settled; returns it.
    static func deliverThroughWorker(_ store: SiyuStore, _ registered: WebhookStore.Registered) async throws -> WebhookStore.Delivery {
        try await runWorker(store) { try await onlyDelivery(store, registered.webhook.webhookID).state != .pending }
        return try await onlyDelivery(store, registered.webhook.webhookID)
    }

    static func jobID(_ store: SiyuStore) async throws -> String {
        try await store.database.read { sql in
            try #require(try await sql.raw("SELECT job_id FROM jobs WHERE kind = 'webhook.deliver'").first()?.decode(column: "job_id", as: String.self))
        }
    }
}
