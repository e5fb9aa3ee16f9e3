import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
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

    struct Run {
        var requests: Int
        var seconds: Double
        var latencies: [Double]
        var failures: Int

        var perSecond: Double { Double(requests) / seconds }
        func percentile(_ p: Double) -> Double {
            guard !latencies.isEmpty else { return 0 }
            let sorted = latencies.sorted()
            return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
        }
    }

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

        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = concurrency
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        defer { _ = client.shutdown() }

        let storedBefore = try await inboxTotal(client)
        // Warm up connections and caches on the trivial route.
        _ = try await load(client, count: 2000) { _ in (self.url + "/healthz", nil) }
        let trivial = try await load(client, count: events) { _ in (self.url + "/healthz", nil) }
        let all = bodies + duplicates
        let callbacks = try await load(client, count: all.count) { index in
            (self.url + "/callback/wecom/\(self.corpID)?" + all[index].query, all[index].body)
        }
        let storedAfter = try await inboxTotal(client)

        func line(_ name: String, _ run: Run) -> String {
            String(format: "%@  %8.0f req/s   p50 %6.2f ms   p99 %6.2f ms   failures %d", name, run.perSecond, run.percentile(0.5) * 1000, run.percentile(0.99) * 1000, run.failures)
        }
        print(line("GET  /healthz               ", trivial))
        print(line("POST /callback/wecom/{corp} ", callbacks))
        print(String(format: "callbacks / trivial throughput: %.2f", callbacks.perSecond / trivial.perSecond))
        let stored = storedAfter - storedBefore
        print("events sent \(all.count) (\(events) distinct, \(duplicates.count) redelivered); newly stored \(stored); lost \(max(0, events - stored)); duplicated \(max(0, stored - events))")
        if stored != events || callbacks.failures > 0 {
            throw ValidationError("the server stored \(stored) of \(events) distinct events with \(callbacks.failures) failed requests")
        }
    }

    /// Sends `count` requests with `concurrency` in flight; `request(i)` gives the URL and an optional POST body.
    func load(_ client: HTTPClient, count: Int, _ request: @escaping @Sendable (Int) -> (String, String?)) async throws -> Run {
        let began = ContinuousClock.now
        let results = try await withThrowingTaskGroup(of: ([Double], Int).self) { group in
            for lane in 0..<concurrency {
                group.addTask {
                    var latencies: [Double] = []
                    var failures = 0
                    var index = lane
                    while index < count {
                        let (target, body) = request(index)
                        var outgoing = HTTPClientRequest(url: target)
                        if let body {
                            outgoing.method = .POST
                            outgoing.headers.add(name: "Content-Type", value: "text/xml")
                            outgoing.body = .bytes(ByteBuffer(string: body))
                        }
                        let sent = ContinuousClock.now
                        do {
                            let response = try await client.execute(outgoing, timeout: .seconds(10))
                            _ = try await response.body.collect(upTo: 1 << 16)
                            if response.status != .ok { failures += 1 }
                        } catch {
                            failures += 1
                        }
                        let elapsed = ContinuousClock.now - sent
                        latencies.append(elapsed.timeInterval)
                        index += concurrency
                    }
                    return (latencies, failures)
                }
            }
            var all: [Double] = []
            var failures = 0
            for try await (latencies, failed) in group {
                all += latencies
                failures += failed
            }
            return (all, failures)
        }
        let elapsed = ContinuousClock.now - began
        return Run(requests: count, seconds: elapsed.timeInterval, latencies: results.0, failures: results.1)
    }

    /// Stored callbacks in every state, read from the server's own /metrics.
    func inboxTotal(_ client: HTTPClient) async throws -> Int {
        let response = try await client.execute(HTTPClientRequest(url: url + "/metrics"), timeout: .seconds(10))
        let text = String(buffer: try await response.body.collect(upTo: 8 << 20))
        return text.split(separator: "\n").filter { $0.hasPrefix("siyu_callback_inbox_count{") }.reduce(0) { total, line in
            total + Int(Double(line.split(separator: " ").last ?? "0") ?? 0)
        }
    }
}
