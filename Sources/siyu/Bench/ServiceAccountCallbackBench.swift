import ArgumentParser
import Foundation
import SiyuCore
import SiyuStore
import WeCom

/// `siyu bench mp-callbacks`: `subscribe` pushes from distinct followers to a secure-mode service
/// account, each answered with its encrypted subscribe reply, side by side with the same server's
/// trivial route (`/healthz`). The server is `siyu serve`'s application in this process (HTTP and
/// the callback ingestor, no job workers) over a scratch database; the load client is on loopback.
struct ServiceAccountCallbackBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mp-callbacks",
        abstract: "Load a service account's /callback/mp/{app_id} with encrypted subscribe pushes answered by passive replies, compared with /healthz."
    )

    @Option(help: "Distinct followers, one subscribe push each") var pushes = 20_000
    @Option(help: "Of those, this share is sent a second time (redeliveries)") var duplicateShare = 0.05
    @Option(help: "Requests in flight") var concurrency = 32
    @Option(help: "Database; the default is a new SQLite file under the system's temporary folder") var db: String?
    @Flag(help: "Print JSON") var json = false

    static let corpID = "wwbenchmp01"
    static let appID = "wxbench000000000a1"
    static let originalID = "gh_bench00000001"
    static let token = "QDG6eK"
    static let aesKey = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
    static let welcome = "欢迎关注"

    /// A push as the platform sends it in secure mode, and the follower it comes from.
    struct Push: Sendable {
        var openID: String
        var query: String
        var body: String
    }

    func run() async throws {
        let pushes = self.pushes, concurrency = self.concurrency
        let crypto = try CallbackCrypto(token: Self.token, encodingAESKey: Self.aesKey, receiveID: Self.appID)
        let start = Int(Date().timeIntervalSince1970)
        var distinct: [Push] = []
        distinct.reserveCapacity(pushes)
        for index in 0..<pushes {
            let push = try Self.subscribe(from: "obench\(start)x\(index)", at: start + index / 1000, nonce: String(index), crypto: crypto)
            distinct.append(push)
        }
        let all = distinct + Array(distinct.prefix(Int(Double(pushes) * duplicateShare)))
        let warmUp = try Self.subscribe(from: "obench\(start)warmup", at: start, nonce: "warmup", crypto: crypto)
        let path = "/callback/mp/\(Self.appID)?"
        let loadAverage = LoadComparison.currentLoadAverage()

        let report: LoadComparison = try await BenchDatabase.with(db: db, name: "mp") { _, store in
            let now = Date()
            _ = try await store.corps.register(
                CorpRegistration(corpID: Self.corpID, name: "Bench", secret: "s", callbackToken: Self.token, encodingAESKey: Self.aesKey),
                actor: "bench", now: now
            )
            _ = try await store.serviceAccounts.register(
                ServiceAccountRegistration(
                    corpID: Self.corpID, appID: Self.appID, name: "Bench", secret: "mp-secret", token: Self.token,
                    encodingAESKey: Self.aesKey, mode: .secure
                ),
                apiBaseURL: nil, actor: "bench", now: now
            )
            guard try await store.serviceAccounts.setReplies(
                appID: Self.appID, ReplyRulesDocument(subscribeReply: .text(Self.welcome)), actor: "bench", now: now
            ) else {
                throw ArgumentParser.ValidationError("the bench account's replies were not stored")
            }
            return try await BenchServer.with(store: store, connections: concurrency, logger: BenchDatabase.logger) { url in
                try await LoadClient.with(baseURL: url, concurrency: concurrency) { client in
                    // The first push waits for the ingestor (503 until it runs) and loads the account.
                    let deadline = ContinuousClock.now + .seconds(30)
                    while await client.post(path + warmUp.query, body: warmUp.body).status != 200 {
                        guard ContinuousClock.now < deadline else {
                            throw ArgumentParser.ValidationError("the server in this process did not accept a push within 30 s")
                        }
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    let storedBefore = try await client.inboxTotal()
                    // Warm up connections and caches on the trivial route.
                    _ = try await client.load(count: 2000, request: { _ in ("/healthz", nil) })
                    let trivial = try await client.load(count: pushes, request: { _ in ("/healthz", nil) })
                    var measured = try await client.load(count: all.count, keepBodies: true, request: { index in
                        (path + all[index].query, all[index].body)
                    })
                    let storedAfter = try await client.inboxTotal()
                    // Checked after the clock stopped, so the client's decryption is not in the figure.
                    measured.failures = zip(measured.bodies, all).filter { answer, push in
                        !Self.isWelcome(answer, to: push.openID, crypto: crypto)
                    }.count
                    return LoadComparison(
                        loadAverage: loadAverage, trivial: .init("GET  /healthz", trivial), measured: .init("POST /callback/mp/{app_id}", measured),
                        distinct: pushes, redelivered: all.count - pushes, stored: storedAfter - storedBefore
                    )
                }
            }
        }
        try report.show(json: json, noun: "pushes")
        try report.requireComplete(noun: "pushes")
    }

    /// A `subscribe` event from `openID`, encrypted and signed as the platform does in secure mode:
    /// `signature` over token, timestamp and nonce; `msg_signature` also over `Encrypt`; a body of
    /// `ToUserName` and `Encrypt` only.
    static func subscribe(from openID: String, at time: Int, nonce: String, crypto: CallbackCrypto) throws -> Push {
        var writer = WeComXMLWriter()
        writer.text("ToUserName", originalID)
        writer.text("FromUserName", openID)
        writer.integer("CreateTime", time)
        writer.text("MsgType", "event")
        writer.text("Event", "subscribe")
        let encrypted = try crypto.encrypt(writer.finish())
        let timestamp = String(time)
        let signature = CallbackCrypto.plainSignature(token: token, timestamp: timestamp, nonce: nonce)
        let msgSignature = crypto.signature(timestamp: timestamp, nonce: nonce, encrypted: encrypted)
        var envelope = WeComXMLWriter()
        envelope.text("ToUserName", originalID)
        envelope.text("Encrypt", encrypted)
        return Push(
            openID: openID,
            query: "signature=\(signature)&timestamp=\(timestamp)&nonce=\(nonce)&openid=\(openID)&encrypt_type=aes&msg_signature=\(msgSignature)",
            body: envelope.finish()
        )
    }

    /// Whether `answer` is an encrypted passive reply that opens to the welcome text, to `openID`.
    static func isWelcome(_ answer: String, to openID: String, crypto: CallbackCrypto) -> Bool {
        guard !answer.isEmpty,
              let envelope = try? WeComXML.parse(answer),
              let encrypted = envelope["Encrypt"],
              let plain = try? crypto.decryptMessage(
                  signature: envelope["MsgSignature"] ?? "", timestamp: envelope["TimeStamp"] ?? "", nonce: envelope["Nonce"] ?? "", encrypted: encrypted
              ),
              let reply = try? WeComXML.parse(plain)
        else { return false }
        return reply["MsgType"] == "text" && reply["ToUserName"] == openID && reply["FromUserName"] == originalID && reply["Content"] == welcome
    }
}
