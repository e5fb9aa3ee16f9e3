import ArgumentParser
import Foundation
import WeCom

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks; build with -c release for meaningful figures (docs/PERFORMANCE.md).",
        subcommands: [WeComBench.self, CallbackLoadBench.self, ServiceAccountCallbackBench.self, SegmentsBench.self, BudgetBench.self, CampaignPlanBench.self, CampaignStoreBench.self]
    )

    struct WeComBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "wecom",
            abstract: "Callback crypto and codec on one core: verify + decrypt + parse an event, encrypt a reply, XML parsers compared."
        )

        @Option(help: "Iterations of each measurement") var iterations = 50_000
        @Flag(help: "Print JSON") var json = false

        func run() async throws {
            let results = try Self.measure(iterations: iterations).merging(WeComXMLBenchmark.run(iterations: iterations)) { $1 }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
                print(String(decoding: try encoder.encode(results.mapValues { ($0 * 10).rounded() / 10 }), as: UTF8.self))
                return
            }
            #if DEBUG
                print("note: this is a debug build; use `swift run -c release siyu bench wecom` for real figures")
            #endif
            for key in results.keys.sorted() {
                let value = results[key]!
                print(key.padding(toLength: 40, withPad: " ", startingAt: 0) + (key.hasPrefix("speedup") ? String(format: "%.2fx", value) : String(format: "%.0f /s", value)))
            }
        }

        /// The hot path of an inbound callback, and of a passive reply, on the current thread.
        static func measure(iterations: Int) throws -> [String: Double] {
            let crypto = try CallbackCrypto(token: "QDG6eK", encodingAESKey: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", receiveID: "ww5823bf96d3bd56c7")
            let event = WeComCallbackSamples.externalContactAdd
                .replacingOccurrences(of: "toUser", with: "ww5823bf96d3bd56c7")
            let reply = try crypto.encryptReply(event, timestamp: "1700000000", nonce: "12345")
            let body = WeComEncryptedReply(encrypt: reply.encrypt, msgSignature: reply.signature, timestamp: 1_700_000_000, nonce: "12345").xml()
            // Sanity: the measured path really decodes the event.
            let check = try crypto.decryptMessage(signature: reply.signature, timestamp: "1700000000", nonce: "12345", encrypted: WeComEncryptedEnvelope.decode(body).encrypt)
            guard case .externalContact = try WeComCallback.decode(check).payload else {
                throw ValidationError("benchmark sample did not decode")
            }
            var results: [String: Double] = [:]
            results["callback.verify_decrypt_parse"] = WeComXMLBenchmark.eventsPerSecond(iterations) {
                guard let envelope = try? WeComEncryptedEnvelope.decode(body),
                      let plain = try? crypto.decryptMessage(signature: reply.signature, timestamp: "1700000000", nonce: "12345", encrypted: envelope.encrypt)
                else { return }
                _ = try? WeComCallback.decode(plain)
            }
            results["reply.encrypt_sign"] = WeComXMLBenchmark.eventsPerSecond(iterations) {
                _ = try? crypto.encryptReply("<xml><Content><![CDATA[ok]]></Content></xml>", timestamp: "1700000000", nonce: "12345")
            }
            return results
        }
    }
}
