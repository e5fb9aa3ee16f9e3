import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing
import WeCom

@testable import WeComSandbox

/// A live sandbox with one Official Account, driven over HTTP the way a client would.
enum OfficialAccountHarness {
    static let appID = "wx1234567890abcdef"
    static let secret = "mp-sandbox-secret"
    static let originalID = "gh_0123456789ab"
    static let token = "QDG6eK"
    static let aesKey = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
    static let otherKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"

    /// A JSON object from the sandbox.
    typealias JSON = [String: Any]

    struct Context: Sendable {
        let world: OfficialAccountWorld
        let port: Int
        var base: String { "http://127.0.0.1:\(port)" }

        /// A fresh access token from `GET token`.
        func accessToken() async throws -> String {
            let answer = try await get("/mp/cgi-bin/token?grant_type=client_credential&appid=\(OfficialAccountHarness.appID)&secret=\(OfficialAccountHarness.secret)")
            return try #require(answer["access_token"] as? String)
        }

        func get(_ path: String) async throws -> JSON {
            try await send(HTTPClientRequest(url: base + path))
        }

        /// POSTs a JSON object (or raw bytes with a content type).
        func post(_ path: String, _ body: JSON) async throws -> JSON {
            try await post(path, bytes: try JSONSerialization.data(withJSONObject: body), contentType: "application/json")
        }

        func post(_ path: String, bytes: Data, contentType: String) async throws -> JSON {
            var request = HTTPClientRequest(url: base + path)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: bytes))
            return try await send(request)
        }

        /// An API call with the access token appended.
        func api(_ path: String, token: String, _ body: JSON? = nil) async throws -> JSON {
            let url = "/mp/cgi-bin/\(path)\(path.contains("?") ? "&" : "?")access_token=\(token)"
            if let body { return try await post(url, body) }
            return try await get(url)
        }

        /// A person's action through the control API; answers `{openid, delivery}`.
        func person(_ action: String, _ body: JSON) async throws -> JSON {
            try await post("/sandbox/mp/accounts/\(OfficialAccountHarness.appID)/\(action)", body)
        }

        /// Follows as a new person and returns the openid.
        func newFollower(_ body: JSON = [:]) async throws -> String {
            let answer = try await person("follow", body)
            return try #require(answer["openid"] as? String)
        }

        private func send(_ request: HTTPClientRequest) async throws -> JSON {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 16 << 20)
            return try #require(try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? JSON, "not JSON: \(String(buffer: body))")
        }
    }

    static func run(
        mode: OfficialAccountConfig.Mode = .plain, callbackURL: String? = nil, tries: Int = 3,
        _ body: @Sendable (Context) async throws -> Void
    ) async throws {
        let clock = SandboxClock(pinnedAt: Date(timeIntervalSince1970: 1_800_000_000))
        let accounts = OfficialAccountWorld(seed: 11, clock: clock)
        try await accounts.register(OfficialAccountConfig(
            appID: appID, secret: secret, originalID: originalID, token: token, encodingAESKey: aesKey, mode: mode, callbackURL: callbackURL
        ))
        let sandbox = Sandbox(
            world: SandboxWorld(seed: 11, clock: clock), deliverer: CallbackDeliverer(logger: SandboxHarness.logger), officialAccounts: accounts,
            officialAccountDeliverer: OfficialAccountDeliverer(timeout: .seconds(2), tries: tries, retryDelay: .milliseconds(10), logger: SandboxHarness.logger)
        )
        let app = sandbox.buildApplication(port: 0, logger: SandboxHarness.logger)
        try await app.test(.live) { client in
            try await body(Context(world: accounts, port: try #require(client.port)))
        }
    }

    /// An account's server: records each push and answers what `reply` says.
    final class Receiver: Sendable {
        struct Push: Sendable { var query: [String: String]; var body: String }
        let pushes = Mutex<[Push]>([])
        let reply: @Sendable (Push) -> (status: HTTPResponse.Status, body: String)

        init(reply: @escaping @Sendable (Push) -> (status: HTTPResponse.Status, body: String) = { _ in (.ok, "success") }) {
            self.reply = reply
        }

        var last: Push? { pushes.withLock { $0.last } }
    }

    static func withReceiver(_ receiver: Receiver, _ body: @Sendable (String) async throws -> Void) async throws {
        let router = Router()
        router.post("mp") { request, _ -> Response in
            var request = request
            let text = String(buffer: try await request.collectBody(upTo: 1 << 20))
            let query = Dictionary(request.uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { a, _ in a })
            let push = Receiver.Push(query: query, body: text)
            receiver.pushes.withLock { $0.append(push) }
            let (status, answer) = receiver.reply(push)
            return Response(status: status, body: .init(byteBuffer: ByteBuffer(string: answer)))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: SandboxHarness.logger)
        try await app.test(.live) { client in try await body("http://127.0.0.1:\(try #require(client.port))/mp") }
    }

    /// A passive text reply to the person who wrote `push`.
    static func textReply(to push: Receiver.Push, content: String) -> String {
        var writer = WeComXMLWriter()
        writer.text("ToUserName", push.query["openid"] ?? "")
        writer.text("FromUserName", originalID)
        writer.integer("CreateTime", 1_800_000_001)
        writer.text("MsgType", "text")
        writer.text("Content", content)
        return writer.finish()
    }

    /// The reply encrypted and signed as WXBizMsgCrypt does.
    static func encrypted(_ reply: String, key: String = aesKey) throws -> String {
        let crypto = try CallbackCrypto(token: token, encodingAESKey: key, receiveID: appID)
        let sealed = try crypto.encryptReply(reply, timestamp: "1800000001", nonce: "replynonce")
        var writer = WeComXMLWriter()
        writer.text("Encrypt", sealed.encrypt)
        writer.text("MsgSignature", sealed.signature)
        writer.integer("TimeStamp", 1_800_000_001)
        writer.text("Nonce", sealed.nonce)
        return writer.finish()
    }
}
