import ArgumentParser
import Foundation
import SiyuCore

/// `siyu bench budget`: planning a campaign against the contact budget.
struct BudgetBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "budget",
        abstract: "Contact budget: plan a campaign (platform rule, brand cap, quiet hours, opt-outs) for many recipients."
    )

    @Option(help: "Recipients") var recipients = 1_000_000
    @Option(help: "Seed of the synthetic audience and history") var seed: UInt64 = 42

    func run() async throws {
        let results = BudgetBenchmark.run(recipients: recipients, seed: seed)
        for key in results.keys.sorted() {
            print(key.padding(toLength: 32, withPad: " ", startingAt: 0) + String(format: "%.1f", results[key]!))
        }
    }
}
