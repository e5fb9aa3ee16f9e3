import Foundation

/// Times the contact budget on a campaign the size of a large brand's audience, for
/// `siyu bench`.
public enum BudgetBenchmark {
    /// Plans a mass message to `recipients` customers against a ledger pre-filled with a
    /// month of realistic history (0–5 touches each over all channels, a few opted out, a few
    /// listed twice, in an order of their own), under the current platform rule, 2 touches per 7 days and quiet hours
    /// 22:00–08:00. Each run starts from a fresh ledger; the ledger is built outside the clock.
    ///
    /// Keys: `plan_ms_median`, `plan_ms_min`, `plan_ms_max` (one plan of all recipients),
    /// `second_plan_ms_median` (a second campaign right after, on the filled ledger),
    /// `ns_per_decision`, `ledger_bytes`, `ledger_bytes_per_customer`, `runs`, `recipients`,
    /// and the first run's decisions: `send`, `hold`, `skip_opted_out`, `skip_platform_cap`,
    /// `skip_brand_cap`, `skip_duplicate_recipient`.
    public static func run(recipients count: Int = 1_000_000, seed: UInt64 = 1, runs: Int = 3) -> [String: Double] {
        let policy = ContactPolicy(
            platformRule: .daysInMonth, brandCap: BrandCap(maxTouches: 2, days: 7),
            quietHours: QuietHours(startMinute: 22 * 60, endMinute: 8 * 60), optOutTagIDs: ["tag-opt-out"]
        )
        // 2025-11-20 10:00 China time.
        let now = Date(timeIntervalSince1970: 1_763_604_000)
        var random = Xorshift(seed: seed)
        // An audience arrives in its own order, not the ledger's, with its own strings (as
        // decoded from a query), plus 0.1 % listed twice.
        var order = Array(0..<count) + (0..<count / 1000).map { _ in random.next(below: count) }
        order.shuffle(using: &random)
        let recipients = order.map { index in
            ContactBudget.Recipient(
                externalUserID: externalUserID(index), tagIDs: random.next(below: 50) == 0 ? ["tag-vip", "tag-opt-out"] : ["tag-vip"]
            )
        }
        let history = (0..<count).map { _ in
            (0..<random.next(below: 6)).map { _ in
                (channel: TouchChannel.allCases[random.next(below: TouchChannel.allCases.count)], secondsAgo: random.next(below: 30 * 86400))
            }
        }

        var planTimes: [Double] = []
        var secondTimes: [Double] = []
        var summary = ContactBudget.PlanSummary()
        var ledgerBytes = 0
        for run in 0..<max(1, runs) {
            var ledger = ContactLedger(expectedCustomers: count)
            for (index, touches) in history.enumerated() {
                let id = externalUserID(index)
                for touch in touches {
                    ledger.record(customer: id, channel: touch.channel, at: now.addingTimeInterval(-Double(touch.secondsAgo + 1)))
                }
            }
            var clock = ContinuousClock.now
            let decisions = ContactBudget.plan(
                recipients: recipients, channel: .massMessage, at: now, policy: policy, ledger: &ledger, campaignID: "bench-\(run)"
            )
            planTimes.append(milliseconds(since: clock))
            clock = ContinuousClock.now
            _ = ContactBudget.plan(
                recipients: recipients, channel: .moment, at: now.addingTimeInterval(3600), policy: policy, ledger: &ledger,
                campaignID: "bench-moment-\(run)"
            )
            secondTimes.append(milliseconds(since: clock))
            if run == 0 {
                summary = ContactBudget.PlanSummary(decisions)
                ledgerBytes = ledger.estimatedMemoryBytes
            }
        }
        planTimes.sort()
        secondTimes.sort()
        var result: [String: Double] = [
            "plan_ms_median": planTimes[planTimes.count / 2],
            "plan_ms_min": planTimes[0],
            "plan_ms_max": planTimes[planTimes.count - 1],
            "second_plan_ms_median": secondTimes[secondTimes.count / 2],
            "ns_per_decision": planTimes[planTimes.count / 2] * 1e6 / Double(recipients.count),
            "ledger_bytes": Double(ledgerBytes),
            "ledger_bytes_per_customer": Double(ledgerBytes) / Double(max(1, count)),
            "runs": Double(planTimes.count),
            "recipients": Double(recipients.count),
            "send": Double(summary.send),
            "hold": Double(summary.hold.values.reduce(0, +)),
        ]
        for reason in ContactBudget.SkipReason.allCases {
            result["skip_\(reason.rawValue)"] = Double(summary.skip[reason, default: 0])
        }
        return result
    }

    /// A 32-character id like WeCom's external user ids.
    private static func externalUserID(_ index: Int) -> String {
        let digits = String(index)
        return "wmBenchmarkCustomer" + String(repeating: "0", count: max(0, 13 - digits.count)) + digits
    }

    private static func milliseconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return elapsed.timeInterval * 1000
    }

    /// A small seeded generator (xorshift64*), so every run plans the same campaign.
    private struct Xorshift: RandomNumberGenerator {
        var state: UInt64

        init(seed: UInt64) { state = seed | 1 }

        mutating func next() -> UInt64 {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return state &* 0x2545_F491_4F6C_DD1D
        }

        mutating func next(below bound: Int) -> Int {
            Int((next() >> 1) % UInt64(bound))
        }
    }
}
