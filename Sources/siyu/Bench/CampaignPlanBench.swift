import ArgumentParser
import Foundation
import SiyuCore
import WeComSandbox

/// `siyu bench plan`: a campaign planned end to end in memory — segment → contact budget →
/// per-sender batches of at most 10,000 — with time per phase and peak memory.
struct CampaignPlanBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Plan a campaign end to end: segment → contact budget → per-sender batches (time and peak memory)."
    )

    @Option(help: "Customers in the synthetic corp") var customers = 1_000_000
    @Option(help: "Members who send") var members = 20
    @Option(help: "Seed") var seed: UInt64 = 7
    @Option(help: "The audience (a segment expression); the default selects every customer") var audience = "added within 720 days"

    func run() async throws {
        var random = SeededGenerator(seed: seed)
        var optedOut = Set<Int32>()
        var phases: [(String, Double)] = []
        func timed<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
            let start = ContinuousClock.now
            let result = try body()
            let elapsed = ContinuousClock.now - start
            phases.append((name, elapsed.timeInterval * 1000))
            return result
        }

        // A corp: 30 tags (T0 on half the customers, falling off), 6 channels, `members` members.
        let calendar = ContactPolicy().calendar
        let today = calendar.segmentDay(Date())
        var index = SegmentIndex(calendar: calendar)
        for tag in 0..<30 { _ = index.defineTag(id: "T\(tag)", name: "T\(tag)") }
        let ids: [String] = timed("build index") {
            var ids: [String] = []
            ids.reserveCapacity(customers)
            for ordinal in 0..<customers {
                var tags: [String] = []
                for tag in 0..<30 where random.next() % UInt64(2 * (tag + 1)) == 0 { tags.append("T\(tag)") }
                if tags.contains("T20") { optedOut.insert(Int32(ordinal)) }
                index.setCustomer(Int32(ordinal), SegmentCustomer(
                    addedOn: SegmentDay(rawValue: today.rawValue - Int32(random.next() % 720)), status: random.next() % 10 == 0 ? .lost : .active,
                    channels: ["c\(random.next() % 6)"], members: ["m\(ordinal % members)"], tags: tags
                ))
                ids.append("wm\(ordinal)")
            }
            return ids
        }
        let expression = try SegmentParser.parse(self.audience)
        let audience = try timed("segment members") { try index.members(expression, today: today) }

        // History: a third of the audience got something in the last week.
        let now = Date()
        var ledger = ContactLedger(expectedCustomers: audience.count)
        timed("load ledger history") {
            for ordinal in audience where random.next() % 3 == 0 {
                ledger.record(customer: ids[Int(ordinal)], channel: .massMessage, at: now.addingTimeInterval(-Double(random.next() % (7 * 86400))))
            }
        }
        let policy = ContactPolicy(platformRule: .daysInMonth, brandCap: BrandCap(maxTouches: 2, days: 7), quietHours: QuietHours(startMinute: 22 * 60, endMinute: 8 * 60), optOutTagIDs: ["T20"])
        let recipients = timed("recipients") {
            audience.map { ContactBudget.Recipient(externalUserID: ids[Int($0)], tagIDs: optedOut.contains($0) ? ["T20"] : []) }
        }
        let decisions = timed("contact budget") {
            ContactBudget.plan(recipients: recipients, channel: .massMessage, at: now, policy: policy, ledger: &ledger, campaignID: "bench")
        }
        let batches = timed("per-sender batches") { () -> [String: [[String]]] in
            var bySender: [String: [String]] = [:]
            for (ordinal, decision) in zip(audience, decisions) {
                if case .skip = decision { continue }
                bySender["m\(Int(ordinal) % members)", default: []].append(ids[Int(ordinal)])
            }
            return bySender.mapValues { list in stride(from: 0, to: list.count, by: 10_000).map { Array(list[$0..<min($0 + 10_000, list.count)]) } }
        }

        let summary = ContactBudget.PlanSummary(decisions)
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        print("customers \(customers), audience \(audience.count), send \(summary.send), held \(summary.hold.values.reduce(0, +)), skipped \(summary.skip.values.reduce(0, +)) \(summary.skip.map { "\($0.key.rawValue)=\($0.value)" }.sorted())")
        print("senders \(batches.count), add_msg_template calls \(batches.values.reduce(0) { $0 + $1.count })")
        for (name, ms) in phases { print(name.padding(toLength: 24, withPad: " ", startingAt: 0) + String(format: "%9.1f ms", ms)) }
        let planning = phases.filter { ["segment members", "recipients", "contact budget", "per-sender batches"].contains($0.0) }.reduce(0) { $0 + $1.1 }
        print(String(format: "plan (segment → budget → batches) %9.1f ms", planning))
        print(String(format: "peak resident memory %.0f MB", Double(usage.ru_maxrss) / 1024))
    }
}
