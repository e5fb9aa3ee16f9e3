import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import SiyuCore
import SiyuStore
import Testing
import WeCom

@testable import SiyuServer

/// `GET|POST /callback/wecom/{corp_id}` with WeCom's official vector A-1.
@Suite("Callback endpoint")
struct CallbackEndpointTests {
    static let corpID = "wx5823bf96d3bd56c7"
    static let token = "QDG6eK"
    static let aesKey = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
    static let path = "/callback/wecom/\(corpID)"

    static let getQuery = "msg_signature=5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3&timestamp=1409659589&nonce=263014780"
        + "&echostr=P9nAzCzyDtyTWESHep1vC5X9xho%2FqYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp%2B4RPcs8TgAE7OaBO%2BFZXvnaqQ%3D%3D"
    static let postQuery = "msg_signature=477715d11cdb4164915debcba66cb864d751f3e6&timestamp=1409659813&nonce=1372623149"
    static let postEncrypt = "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
    /// The event inside the POST vector.
    static let postMessage = WeComCallbackSamples.a1TextMessage

    static func xmlEnvelope(_ encrypt: String) -> String {
        "<xml><ToUserName><![CDATA[\(corpID)]]></ToUserName><Encrypt><![CDATA[\(encrypt)]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>"
    }

    /// A server with the callback ingestor running, over a SQLite file at `path` opened with `masterKey`.
    static func withServer(
        path: String, masterKey: MasterKey, _ body: @Sendable (any TestClientProtocol, SiyuStore) async throws -> Void
    ) async throws {
        try await SiyuDatabase.withDatabase(.sqlite(path: path), logger: TestServer.logger) { db in
            try await Migrator(database: db).migrate()
            let store = try await SiyuStore.open(database: db, masterKey: masterKey)
            _ = try await store.corps.register(
                CorpRegistration(corpID: corpID, name: "官方示例", secret: "secret-a1", callbackToken: token, encodingAESKey: aesKey), actor: "test", now: Date()
            )
            let dependencies = ServerDependencies(store: store, admin: AdminCredential(token: TestServer.adminToken), logger: TestServer.logger)
            let app = try buildApplication(configuration: .init(), dependencies: dependencies, services: [dependencies.ingestor], logger: TestServer.logger)
            try await app.test(.router) { client in try await body(client, store) }
        }
    }

    static func withServer(_ body: @Sendable (any TestClientProtocol, SiyuStore) async throws -> Void) async throws {
        try await withTemporaryFile { path in try await withServer(path: path, masterKey: .generate(), body) }
    }

    static func withTemporaryFile(_ body: (String) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("siyu-callback-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try await body(dir.appendingPathComponent("siyu.db").path)
    }

    /// POSTs a callback body. The ingestor starts with the app; until it runs the endpoint answers
    /// 503 (the platform retries), so a first delivery is retried here the same way for a moment.
    @discardableResult
    static func post(_ client: any TestClientProtocol, query: String? = postQuery, body: String, path: String = path) async throws -> TestResponse {
        let uri = query.map { "\(path)?\($0)" } ?? path
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let response = try await client.execute(uri: uri, method: .post, headers: [.contentType: "text/xml"], body: ByteBuffer(string: body))
            if response.status != .serviceUnavailable || ContinuousClock.now > deadline { return response }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    static func inboxRows(_ store: SiyuStore) async throws -> Int {
        try await store.inbox.backlog().values.reduce(0, +)
    }

    @Test("URL verification with the official GET vector answers the plain echo string")
    func verification() async throws {
        try await Self.withServer { client, _ in
            let response = try await client.call(.get, "\(Self.path)?\(Self.getQuery)", token: nil)
            #expect(response.status == .ok)
            #expect(response.text == "1616140317555161061")

            let forged = try await client.call(.get, "\(Self.path)?\(Self.getQuery.replacingOccurrences(of: "5c45ff", with: "5c45fe"))", token: nil)
            #expect(forged.status == .forbidden)
            #expect(!forged.text.contains("1616140317555161061"))
        }
    }

    @Test("the official POST vector is stored once and answered 200 with an empty body; a redelivery is absorbed")
    func postStoredOnce() async throws {
        try await Self.withServer { client, store in
            let response = try await Self.post(client, body: Self.xmlEnvelope(Self.postEncrypt))
            #expect(response.status == .ok)
            #expect(response.body.readableBytes == 0)
            let pending = try await store.inbox.pending()
            #expect(pending.count == 1)
            #expect(pending.first?.corpID == Self.corpID)
            #expect(pending.first?.payload == Self.postMessage)
            #expect(pending.first?.dedupeKey == CallbackInbox.dedupeKey(for: Self.postMessage))
            #expect(try await store.jobs.depth()["queued"] == 1, "one apply job")

            let again = try await Self.post(client, body: Self.xmlEnvelope(Self.postEncrypt))
            #expect(again.status == .ok)
            #expect(again.body.readableBytes == 0)
            #expect(try await Self.inboxRows(store) == 1)
            #expect(try await store.jobs.depth()["queued"] == 1, "no second apply job")
        }
    }

    @Test("the JSON envelope variant is accepted like the XML one")
    func jsonEnvelope() async throws {
        try await Self.withServer { client, store in
            let body = #"{"tousername":"\#(Self.corpID)","encrypt":"\#(Self.postEncrypt)","agentid":218}"#
            let response = try await Self.post(client, body: body)
            #expect(response.status == .ok)
            #expect(try await store.inbox.pending().map(\.payload) == [Self.postMessage])
        }
    }

    @Test("refusals: bad signature 403, unknown corp 404, malformed envelope or non-XML event 400, missing parameters 400, oversized body 413; nothing is stored")
    func refusals() async throws {
        try await Self.withServer { client, store in
            let envelope = Self.xmlEnvelope(Self.postEncrypt)
            let badSignature = try await Self.post(client, query: Self.postQuery.replacingOccurrences(of: "477715d1", with: "477715d2"), body: envelope)
            #expect(badSignature.status == .forbidden)
            #expect(badSignature.errorCode == "bad_signature")
            let wrongNonce = try await Self.post(client, query: Self.postQuery.replacingOccurrences(of: "1372623149", with: "1372623148"), body: envelope)
            #expect(wrongNonce.status == .forbidden)

            #expect(try await Self.post(client, body: envelope, path: "/callback/wecom/wwNobody").status == .notFound)
            #expect(try await client.call(.get, "/callback/wecom/wwNobody?\(Self.getQuery)", token: nil).status == .notFound)

            for malformed in ["<xml><ToUserName>x</ToUserName></xml>", "not a callback", "<xml><Encrypt>", "{\"encrypt\":", "{\"tousername\":\"x\"}", ""] {
                let response = try await Self.post(client, body: malformed)
                #expect(response.status == .badRequest, "\(malformed)")
            }

            // Correctly signed and encrypted, but the event inside is not XML.
            let crypto = try CallbackCrypto(token: Self.token, encodingAESKey: Self.aesKey, receiveID: Self.corpID)
            let notXML = try crypto.encryptReply("hello, not xml <", timestamp: "1409659813", nonce: "42")
            let undecodable = try await Self.post(
                client, query: "msg_signature=\(notXML.signature)&timestamp=1409659813&nonce=42", body: Self.xmlEnvelope(notXML.encrypt)
            )
            #expect(undecodable.status == .badRequest)
            #expect(undecodable.errorCode == "malformed")

            // Encrypted for another corp: the receive id inside does not match.
            let foreign = try CallbackCrypto(token: Self.token, encodingAESKey: Self.aesKey, receiveID: "wwSomebodyElse")
            let misaddressed = try foreign.encryptReply(Self.postMessage, timestamp: "1409659813", nonce: "43")
            let refused = try await Self.post(
                client, query: "msg_signature=\(misaddressed.signature)&timestamp=1409659813&nonce=43", body: Self.xmlEnvelope(misaddressed.encrypt)
            )
            #expect(refused.status == .badRequest)

            for query in [nil, "timestamp=1409659813&nonce=1372623149", "msg_signature=477715d11cdb4164915debcba66cb864d751f3e6&nonce=1372623149",
                          "msg_signature=477715d11cdb4164915debcba66cb864d751f3e6&timestamp=1409659813"] {
                #expect(try await Self.post(client, query: query, body: envelope).status == .badRequest, "\(query ?? "no query")")
            }
            for query in [Self.getQuery.components(separatedBy: "&echostr").first!, "timestamp=1409659589&nonce=263014780&echostr=abc"] {
                #expect(try await client.call(.get, "\(Self.path)?\(query)", token: nil).status == .badRequest)
            }

            let padded = "<xml><Encrypt><![CDATA[\(Self.postEncrypt)]]></Encrypt><Pad>\(String(repeating: "x", count: 64 * 1024))</Pad></xml>"
            let oversized = try await Self.post(client, body: padded)
            #expect(oversized.status == .contentTooLarge)
            #expect(oversized.text.contains("64 KiB"), "the answer names this route's limit: \(oversized.text)")

            #expect(try await Self.inboxRows(store) == 0)
            #expect(try await store.jobs.depth()["queued", default: 0] == 0)
        }
    }

    @Test("an event answered 200 is on disk: a fresh connection to the file finds it after the server stopped")
    func durable() async throws {
        try await Self.withTemporaryFile { path in
            let key = MasterKey.generate()
            try await Self.withServer(path: path, masterKey: key) { (client: any TestClientProtocol, _: SiyuStore) async throws in
                #expect(try await Self.post(client, body: Self.xmlEnvelope(Self.postEncrypt)).status == .ok)
            }
            try await SiyuDatabase.withDatabase(.sqlite(path: path), logger: TestServer.logger) { db in
                let store = try await SiyuStore.open(database: db, masterKey: key)
                let stored = try await store.inbox.pending()
                #expect(stored.map(\.payload) == [Self.postMessage])
                #expect(stored.map(\.corpID) == [Self.corpID])
            }
        }
    }
}
