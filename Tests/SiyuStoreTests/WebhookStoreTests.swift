import Foundation
import SQLKit
import SiyuCore
import SiyuTestSupport
import Testing

@testable import SiyuStore

@Suite("Outbound webhooks: storage")
struct WebhookStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    struct CustomerAdded: Encodable, Sendable {
        var externalUserID: String
        var userID: String
        enum CodingKeys: String, CodingKey { case externalUserID = "external_userid", userID = "userid" }
    }

    struct Body: Decodable {
        var id: String
        var type: String
        var corpID: String
        var createdAt: String
        var data: [String: String]
        enum CodingKeys: String, CodingKey { case id, type, corpID = "corp_id", createdAt = "created_at", data }
    }

    static func registerCorps(_ store: SiyuStore, _ ids: String...) async throws {
        for id in ids {
            _ = try await store.corps.register(
                CorpRegistration(corpID: id, name: "品牌 \(id)", secret: "s", callbackToken: "tok", encodingAESKey: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"),
                actor: "test", now: Date()
            )
        }
    }

    static func count(_ store: SiyuStore, _ query: SQLQueryString) async throws -> Int {
        try await store.database.read { sql in
            try await sql.raw(query).first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    @Test("register, list and delete, each audited; another corp's webhook is out of reach", arguments: TestDatabases.flavors)
    func registerListDelete(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            try await Self.registerCorps(store, "wwA1", "wwB2")
            let registered = try await store.webhooks.register(
                corpID: "wwA1", url: "https://example.com/hook", eventTypes: ["customer.lost", "customer.added", "customer.added"],
                actor: "key:wwA1/k1", now: t0
            )
            #expect(registered.secret.hasPrefix("whsec_"))
            #expect(registered.secret.count == 6 + 64)
            #expect(registered.webhook.eventTypes == [.customerAdded, .customerLost])
            #expect(registered.webhook.active)

            let listed = try await store.webhooks.list(corpID: "wwA1")
            #expect(listed == [registered.webhook])
            #expect(try await store.webhooks.list(corpID: "wwB2").isEmpty)

            #expect(try await store.webhooks.delete(corpID: "wwB2", webhookID: registered.webhook.webhookID, actor: "key:wwB2/k2", now: Date()) == false)
            #expect(try await store.webhooks.list(corpID: "wwA1").count == 1)
            #expect(try await store.webhooks.deliveries(corpID: "wwB2", webhookID: registered.webhook.webhookID) == nil)
            #expect(try await store.webhooks.deliveries(corpID: "wwA1", webhookID: registered.webhook.webhookID) == [])

            #expect(try await store.webhooks.delete(corpID: "wwA1", webhookID: registered.webhook.webhookID, actor: "key:wwA1/k1", now: t0))
            #expect(try await store.webhooks.delete(corpID: "wwA1", webhookID: registered.webhook.webhookID, actor: "key:wwA1/k1", now: Date()) == false)
            #expect(try await store.webhooks.list(corpID: "wwA1").isEmpty)

            let audit = try await store.audit.recent(corpID: "wwA1").filter { $0.action.hasPrefix("webhook.") }
            #expect(Set(audit.map(\.action)) == ["webhook.register", "webhook.delete"])
            #expect(audit.allSatisfy { $0.target == registered.webhook.webhookID && $0.detail["url"] == "https://example.com/hook" })
            #expect(try await store.audit.recent(corpID: "wwB2").filter { $0.action.hasPrefix("webhook.") }.isEmpty)
        }
    }

    @Test("a bad url, an unknown or missing event type, or an unknown corp is refused and stores nothing", arguments: TestDatabases.flavors)
    func validation(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            try await Self.registerCorps(store, "wwA1")
            for url in ["ftp://example.com/hook", "example.com/hook", "https://", "", "javascript:alert(1)", "https://example.com/" + String(repeating: "x", count: 2100)] {
                do {
                    _ = try await store.webhooks.register(corpID: "wwA1", url: url, eventTypes: ["customer.added"], actor: "t", now: Date())
                    Issue.record("url \(url.prefix(40)) was accepted")
                } catch let error as ValidationError {
                    #expect(error.field == "url")
                }
            }
            for types in [["customer.exploded"], [], ["customer.added", "Customer.Added"]] {
                do {
                    _ = try await store.webhooks.register(corpID: "wwA1", url: "http://127.0.0.1:9/x", eventTypes: types, actor: "t", now: Date())
                    Issue.record("event types \(types) were accepted")
                } catch let error as ValidationError {
                    #expect(error.field == "event_types")
                    #expect(!error.message.isEmpty)
                }
            }
            do {
                _ = try await store.webhooks.register(corpID: "wwZZ9", url: "https://example.com/hook", eventTypes: ["tag.created"], actor: "t", now: Date())
                Issue.record("an unknown corp was accepted")
            } catch let error as StoreError {
                #expect(error.code == .notFound)
            }
            #expect(try await store.webhooks.list(corpID: "wwA1").isEmpty)
            #expect(try await Self.count(store, "SELECT COUNT(*) AS n FROM webhooks") == 0)
        }
    }

    @Test("the signing secret is stored only sealed, bound to its webhook", arguments: TestDatabases.flavors)
    func secretSealed(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            try await Self.registerCorps(store, "wwA1")
            let registered = try await store.webhooks.register(corpID: "wwA1", url: "https://example.com/h", eventTypes: ["tag.created"], actor: "t", now: Date())
            let rawRows = try await store.database.read { sql in
                try await sql.raw("SELECT * FROM webhooks").all().map { row in
                    try row.allColumns.map { column -> String in
                        if let text = try? row.decode(column: column, as: String.self) { return text }
                        return String(try row.decode(column: column, as: Int64.self))
                    }.joined(separator: "|")
                }
            }
            #expect(rawRows.count == 1)
            let hexPart = String(registered.secret.dropFirst("whsec_".count))
            #expect(!rawRows[0].contains(registered.secret))
            #expect(!rawRows[0].contains(hexPart))
            #expect(rawRows[0].contains("v1:"))

            try await store.database.write { sql in
                try await WebhookStore.publish(on: sql, corpID: "wwA1", eventType: .tagCreated, data: ["tag_id": "t1"], now: t0)
            }
            let deliveryID = try await store.database.read { sql in
                try await sql.raw("SELECT delivery_id FROM webhook_deliveries").first()?.decode(column: "delivery_id", as: String.self)
            }
            let id = try #require(deliveryID)
            let outbound = try #require(try await store.webhooks.delivery(corpID: "wwA1", deliveryID: id))
            #expect(outbound.secret == registered.secret)
            #expect(outbound.url == "https://example.com/h")
            #expect(try await store.webhooks.delivery(corpID: "wwB2", deliveryID: id) == nil)

            // The sealed value moved to another webhook's row does not open there.
            let other = try await store.webhooks.register(corpID: "wwA1", url: "https://example.com/o", eventTypes: ["tag.created"], actor: "t", now: Date())
            try await store.database.write { sql in
                try await sql.raw("""
                    UPDATE webhooks SET secret_enc = (SELECT secret_enc FROM webhooks WHERE webhook_id = \(bind: registered.webhook.webhookID))
                    WHERE webhook_id = \(bind: other.webhook.webhookID)
                    """).run()
                try await WebhookStore.publish(on: sql, corpID: "wwA1", eventType: .tagCreated, data: ["tag_id": "t2"], now: t0)
            }
            let moved = try await store.database.read { sql in
                try await sql.raw("SELECT delivery_id FROM webhook_deliveries WHERE webhook_id = \(bind: other.webhook.webhookID)")
                    .first()?.decode(column: "delivery_id", as: String.self)
            }
            let movedID = try #require(moved)
            await #expect(throws: StoreError.self) {
                _ = try await store.webhooks.delivery(corpID: "wwA1", deliveryID: movedID)
            }
        }
    }

    @Test("publish writes one delivery and one job per subscribed active webhook of the corp, nothing else", arguments: TestDatabases.flavors)
    func publish(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            try await Self.registerCorps(store, "wwA1", "wwB2")
            let both = try await store.webhooks.register(corpID: "wwA1", url: "https://a.example/1", eventTypes: ["customer.added", "customer.lost"], actor: "t", now: Date())
            let added = try await store.webhooks.register(corpID: "wwA1", url: "https://a.example/2", eventTypes: ["customer.added"], actor: "t", now: Date())
            let tags = try await store.webhooks.register(corpID: "wwA1", url: "https://a.example/3", eventTypes: ["tag.created"], actor: "t", now: Date())
            let inactive = try await store.webhooks.register(corpID: "wwA1", url: "https://a.example/4", eventTypes: ["customer.added"], actor: "t", now: Date())
            let otherCorp = try await store.webhooks.register(corpID: "wwB2", url: "https://b.example/1", eventTypes: ["customer.added"], actor: "t", now: Date())
            try await store.database.write { sql in
                try await sql.raw("UPDATE webhooks SET active = 0 WHERE webhook_id = \(bind: inactive.webhook.webhookID)").run()
            }

            let data = CustomerAdded(externalUserID: "wmEXT1", userID: "zhangsan")
            try await store.database.write { sql in
                try await WebhookStore.publish(on: sql, corpID: "wwA1", eventType: .customerAdded, data: data, now: t0)
            }

            let toBoth = try #require(try await store.webhooks.deliveries(corpID: "wwA1", webhookID: both.webhook.webhookID))
            let toAdded = try #require(try await store.webhooks.deliveries(corpID: "wwA1", webhookID: added.webhook.webhookID))
            #expect(toBoth.count == 1)
            #expect(toAdded.count == 1)
            #expect(try await store.webhooks.deliveries(corpID: "wwA1", webhookID: tags.webhook.webhookID) == [])
            #expect(try await store.webhooks.deliveries(corpID: "wwA1", webhookID: inactive.webhook.webhookID) == [])
            #expect(try await store.webhooks.deliveries(corpID: "wwB2", webhookID: otherCorp.webhook.webhookID) == [])

            let delivery = toBoth[0]
            #expect(delivery.state == .pending)
            #expect(delivery.attempts == 0)
            #expect(delivery.eventType == "customer.added")
            #expect(delivery.createdAt == t0)
            #expect(delivery.deliveredAt == nil)
            let body = try JSONDecoder().decode(Body.self, from: Data(delivery.payload.utf8))
            #expect(body.id == delivery.deliveryID)
            #expect(body.type == "customer.added")
            #expect(body.corpID == "wwA1")
            #expect(body.createdAt == "2027-01-15T08:00:00Z")
            #expect(body.data == ["external_userid": "wmEXT1", "userid": "zhangsan"])
            #expect(delivery.payload.hasPrefix(#"{"corp_id":"wwA1","created_at":"#), "keys are sorted")
            #expect(toAdded[0].deliveryID != delivery.deliveryID)

            let jobs = try await store.database.read { sql in
                try await sql.raw("SELECT corp_id, payload, max_attempts, state FROM jobs WHERE kind = 'webhook.deliver' ORDER BY payload").all()
            }
            #expect(jobs.count == 2)
            #expect(try jobs.map { try $0.decode(column: "payload", as: String.self) } == [delivery.deliveryID, toAdded[0].deliveryID].sorted())
            #expect(try jobs.allSatisfy { try $0.decode(column: "corp_id", as: String.self) == "wwA1" })
            #expect(try jobs.allSatisfy { try $0.decode(column: "max_attempts", as: Int.self) == 8 })
            #expect(try jobs.allSatisfy { try $0.decode(column: "state", as: String.self) == "queued" })

            // No subscriber for the type, or a corp without webhooks: nothing written.
            try await store.database.write { sql in
                try await WebhookStore.publish(on: sql, corpID: "wwA1", eventType: .tagDeleted, data: ["tag_id": "t1"], now: t0)
                try await WebhookStore.publish(on: sql, corpID: "wwC3", eventType: .customerAdded, data: data, now: t0)
            }
            #expect(try await Self.count(store, "SELECT COUNT(*) AS n FROM webhook_deliveries") == 2)
            #expect(try await Self.count(store, "SELECT COUNT(*) AS n FROM jobs") == 2)
        }
    }

    @Test("the signature is HMAC-SHA256 over <timestamp>.<body>, as a receiver in any language computes it")
    func signatureVector() {
        // python3: hmac.new(b'whsec_test', b'1700000000.{"id":"d1"}', hashlib.sha256).hexdigest()
        #expect(
            WebhookSignature.sign(secret: "whsec_test", timestamp: 1_700_000_000, body: #"{"id":"d1"}"#)
                == "sha256=7aa818774b12d07b487b77188a423aa42da8d52da13f1fface316ecdf0a91f53"
        )
        #expect(WebhookSignature.sign(secret: "whsec_test", timestamp: 1_700_000_001, body: #"{"id":"d1"}"#).hasPrefix("sha256="))
        #expect(
            WebhookSignature.sign(secret: "whsec_test", timestamp: 1_700_000_001, body: #"{"id":"d1"}"#)
                != WebhookSignature.sign(secret: "whsec_test", timestamp: 1_700_000_000, body: #"{"id":"d1"}"#)
        )
    }

    @Test("publish rolls back with the transaction around it", arguments: TestDatabases.flavors)
    func publishRollsBack(flavor: SQLFlavor) async throws {
        struct ChangeFailed: Error {}
        try await TestDatabases.withStore(flavor) { store in
            try await Self.registerCorps(store, "wwA1")
            _ = try await store.webhooks.register(corpID: "wwA1", url: "https://a.example/1", eventTypes: ["customer.lost"], actor: "t", now: Date())
            await #expect(throws: ChangeFailed.self) {
                try await store.database.write { sql in
                    try await WebhookStore.publish(on: sql, corpID: "wwA1", eventType: .customerLost, data: ["external_userid": "wm1"], now: t0)
                    #expect(try await sql.raw("SELECT COUNT(*) AS n FROM webhook_deliveries").first()?.decode(column: "n", as: Int.self) == 1)
                    throw ChangeFailed()
                }
            }
            #expect(try await Self.count(store, "SELECT COUNT(*) AS n FROM webhook_deliveries") == 0)
            #expect(try await Self.count(store, "SELECT COUNT(*) AS n FROM jobs") == 0)
        }
    }

    @Test("attempts are recorded until the delivery is settled", arguments: TestDatabases.flavors)
    func recordAttempts(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            try await Self.registerCorps(store, "wwA1")
            let hook = try await store.webhooks.register(corpID: "wwA1", url: "https://a.example/1", eventTypes: ["channel.created"], actor: "t", now: Date())
            try await store.database.write { sql in
                try await WebhookStore.publish(on: sql, corpID: "wwA1", eventType: .channelCreated, data: ["channel_id": "c1"], now: t0)
                try await WebhookStore.publish(on: sql, corpID: "wwA1", eventType: .channelCreated, data: ["channel_id": "c2"], now: t0.addingTimeInterval(1))
            }
            let listed = try #require(try await store.webhooks.deliveries(corpID: "wwA1", webhookID: hook.webhook.webhookID))
            #expect(listed.map(\.createdAt) == [t0.addingTimeInterval(1), t0], "newest first")
            let (second, first) = (listed[0].deliveryID, listed[1].deliveryID)

            #expect(try await store.webhooks.recordAttempt(corpID: "wwA1", deliveryID: first, outcome: .retrying(status: 500, error: "HTTP 500"), now: t0))
            #expect(try await store.webhooks.recordAttempt(corpID: "wwA1", deliveryID: first, outcome: .retrying(status: nil, error: "refused"), now: t0))
            #expect(try await store.webhooks.recordAttempt(corpID: "wwA1", deliveryID: first, outcome: .delivered(status: 204), now: t0.addingTimeInterval(5)))
            #expect(try await store.webhooks.recordAttempt(corpID: "wwA1", deliveryID: first, outcome: .failed(status: 500, error: "late"), now: t0) == false)
            #expect(try await store.webhooks.recordAttempt(corpID: "wwA1", deliveryID: second, outcome: .failed(status: 410, error: "gone"), now: t0))

            let after = try #require(try await store.webhooks.deliveries(corpID: "wwA1", webhookID: hook.webhook.webhookID))
            let delivered = try #require(after.first { $0.deliveryID == first })
            #expect(delivered.state == .delivered)
            #expect(delivered.attempts == 3)
            #expect(delivered.lastStatus == 204)
            #expect(delivered.lastError == nil)
            #expect(delivered.deliveredAt == t0.addingTimeInterval(5))
            let failed = try #require(after.first { $0.deliveryID == second })
            #expect(failed.state == .failed)
            #expect(failed.attempts == 1)
            #expect(failed.lastStatus == 410)
            #expect(failed.lastError == "gone")
            #expect(failed.deliveredAt == nil)
            #expect(try await store.webhooks.deliveries(corpID: "wwA1", webhookID: hook.webhook.webhookID, limit: 1)?.count == 1)
        }
    }

    @Test("migration 12 drops the receiver's answers kept in old delivery logs and leaves other errors; errors are capped", arguments: TestDatabases.flavors)
    func logExcerptsDropped(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            try await Self.registerCorps(store, "wwA1")
            let hook = try await store.webhooks.register(corpID: "wwA1", url: "https://a.example/1", eventTypes: ["tag.created"], actor: "t", now: Date())
            let errors = [
                "the receiver answered HTTP 500: {\"internal\":\"secret\"}", "the receiver answered HTTP 404: ", "the receiver answered HTTP 502",
                "cannot reach the receiver: connection refused", "the receiver answered HTTP 307, a redirect; webhooks do not follow redirects",
            ]
            try await store.database.write { sql in
                for index in errors.indices {
                    try await WebhookStore.publish(on: sql, corpID: "wwA1", eventType: .tagCreated, data: ["tag_id": "t\(index)"], now: t0.addingTimeInterval(Double(index)))
                }
            }
            let oldestFirst = try #require(try await store.webhooks.deliveries(corpID: "wwA1", webhookID: hook.webhook.webhookID)).reversed().map(\.deliveryID)
            try await store.database.write { sql in
                for (id, error) in zip(oldestFirst, errors) {
                    try await sql.raw("UPDATE webhook_deliveries SET last_error = \(bind: error) WHERE delivery_id = \(bind: id)").run()
                }
                for statement in Migrations.webhookLogExcerpts.statements { try await sql.raw(SQLQueryString(statement)).run() }
            }
            let byID = Dictionary(uniqueKeysWithValues: try #require(try await store.webhooks.deliveries(corpID: "wwA1", webhookID: hook.webhook.webhookID)).map { ($0.deliveryID, $0.lastError) })
            #expect(oldestFirst.map { byID[$0] ?? nil } == [
                "the receiver answered HTTP 500", "the receiver answered HTTP 404", "the receiver answered HTTP 502",
                "cannot reach the receiver: connection refused", "the receiver answered HTTP 307, a redirect; webhooks do not follow redirects",
            ])
            #expect(Migrations.all.contains { $0.version == 12 })

            #expect(try await store.webhooks.recordAttempt(
                corpID: "wwA1", deliveryID: oldestFirst[0], outcome: .retrying(status: nil, error: String(repeating: "x", count: 5000)), now: t0
            ))
            let capped = try #require(try await store.webhooks.deliveries(corpID: "wwA1", webhookID: hook.webhook.webhookID)).first { $0.deliveryID == oldestFirst[0] }
            #expect(capped?.lastError?.count == WebhookStore.maxErrorLength)
        }
    }
}
