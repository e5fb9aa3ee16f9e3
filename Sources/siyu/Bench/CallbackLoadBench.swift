import ArgumentParser
import Foundation
import SiyuCore
import WeCom

/// `siyu bench callbacks`: real encrypted events against a running `siyu serve`, side by side with
/// its trivial route (`/healthz`), from a load client on loopback.
struct CallbackLoadBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "callbacks",
        abstract: "Load a running siyu serve with encrypted callbacks and compare with its /healthz route."
    )

    @Option(help: "The server") var url = "http://127.0.0.1:8080"
    @Option(name: .customLong("corp-id"), help: "A registered corp") var corpID: String
    @Option(help: "Its callback token") var token: String
    @Option(name: .customLong("aes-key"), help: "Its EncodingAESKey") var aesKey: String
    @Option(help: "Distinct events to send") var events = 20_000
    @Option(help: "Of those, this share is sent a second time (redeliveries)") var duplicateShare = 0.05
    @Option(help: "Requests in flight") var concurrency = 32
    @Flag(help: "Print JSON") var json = false

    func run() async throws {
        let crypto = try CallbackCrypto(token: token, encodingAESKey: aesKey, receiveID: corpID)
        var bodies: [(query: String, body: String)] = []
        bodies.reserveCapacity(events)
        let start = Int(Date().timeIntervalSince1970)
        for index in 0..<events {
            var writer = WeComXMLWriter()
            writer.text("ToUserName", corpID)
            writer.text("FromUserName", "sys")
            writer.integer("CreateTime", start + index / 1000)
            writer.text("MsgType", "event")
            writer.text("Event", "change_external_contact")
            writer.text("ChangeType", "add_external_contact")
            writer.text("UserID", "member\(index % 20)")
            writer.text("ExternalUserID", "wmbench\(start)x\(index)")
            writer.text("State", "bench")
            let reply = try crypto.encryptReply(writer.finish(), timestamp: String(start), nonce: String(index))
            var envelope = WeComXMLWriter()
            envelope.text("ToUserName", corpID)
            envelope.text("Encrypt", reply.encrypt)
            envelope.text("AgentID", "1000002")
            bodies.append(("msg_signature=\(reply.signature)&timestamp=\(start)&nonce=\(index)", envelope.finish()))
        }
        let duplicates = Array(bodies.prefix(Int(Double(events) * duplicateShare)))

        let loadAverage = LoadComparison.currentLoadAverage()
        let all = bodies + duplicates
        let path = "/callback/wecom/\(corpID)?"
        let report: LoadComparison = try await LoadClient.with(baseURL: url, concurrency: concurrency) { client in
            let storedBefore = try await client.inboxTotal()
            // Warm up connections and caches on the trivial route.
            _ = try await client.load(count: 2000, request: { _ in ("/healthz", nil) })
            let trivial = try await client.load(count: events, request: { _ in ("/healthz", nil) })
            let callbacks = try await client.load(count: all.count, request: { index in
                (path + all[index].query, all[index].body)
            })
            let storedAfter = try await client.inboxTotal()
            return LoadComparison(
                loadAverage: loadAverage, trivial: .init("GET  /healthz", trivial), measured: .init("POST /callback/wecom/{corp}", callbacks),
                distinct: events, redelivered: duplicates.count, stored: storedAfter - storedBefore
            )
        }
        try report.show(json: json, noun: "events")
        try report.requireComplete(noun: "events")
    }
}
