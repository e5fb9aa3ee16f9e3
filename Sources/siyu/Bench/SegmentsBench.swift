import ArgumentParser
import Foundation
import SiyuCore

/// `siyu bench segments`: exact segment counts over a synthetic population.
struct SegmentsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segments",
        abstract: "Segment index: build, and counts such as `tag A and (tag B or tag C) and not tag D and channel in (…) and added after …`."
    )

    @Option(help: "Customers") var customers = 1_000_000
    @Option(help: "Tags") var tags = 200
    @Option(help: "Seed of the synthetic population") var seed: UInt64 = 42

    func run() async throws {
        let results = SegmentBenchmark.run(customers: customers, tags: tags, seed: seed)
        for key in results.keys.sorted() {
            let value = results[key]!
            let text = key.hasSuffix("_ms") ? String(format: "%.3f ms", value) : (key.hasSuffix("bytes") ? String(format: "%.1f MB", value / 1e6) : String(format: "%.0f", value))
            print(key.padding(toLength: 28, withPad: " ", startingAt: 0) + text)
        }
    }
}
