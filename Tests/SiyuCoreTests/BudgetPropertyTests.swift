import Foundation
import Testing

@testable import SiyuCore

/// Scenario helpers over SiyuCore's seeded generator, so a failing round can be replayed.
struct BudgetRandom {
    var generator: SplitMix64

    init(state: UInt64) {
        generator = SplitMix64(seed: state)
    }

    mutating func next() -> UInt64 {
        generator.next()
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    mutating func chance(_ probability: Double) -> Bool {
        Double(next() % 1_000_000) < probability * 1_000_000
    }

    mutating func pick<T>(_ items: [T]) -> T {
        items[int(0...items.count - 1)]
    }
}

@Suite("Contact budget properties")
struct BudgetPropertyTests {
    /// A touch the decisions say will happen (a send or a hold not released since).
    struct Planned: Equatable {
        var customer: String
        var date: Date
        var channel: TouchChannel
        var campaign: String
    }

    /// Everything a random scenario produced, to be checked against the policy.
    struct Outcome {
        var planned: [Planned] = []
        var decisions: [(recipient: ContactBudget.Recipient, planAt: Date, decision: ContactBudget.Decision)] = []
    }

    static func randomPolicy(_ random: inout BudgetRandom) -> ContactPolicy {
        let start = random.int(0...1439)
        return ContactPolicy(
            platformRule: random.pick(PlatformReceiveRule.allCases),
            utcOffsetSeconds: random.pick([8 * 3600, 0, -5 * 3600, 19800, 9 * 3600]),
            brandCap: random.chance(0.6) ? BrandCap(maxTouches: random.int(1...4), days: random.int(1...10)) : nil,
            quietHours: random.chance(0.5) ? QuietHours(startMinute: start, endMinute: (start + random.int(1...1439)) % 1440) : nil,
            optOutTagIDs: Set(["t-opt", "t-x"].filter { _ in random.chance(0.5) })
        )
    }

    /// Plans random campaigns, whole or interleaved recipient by recipient, at times that
    /// mostly move forward, and releases some reservations.
    static func runScenario(policy: ContactPolicy, random: inout BudgetRandom, ledger: inout ContactLedger) -> Outcome {
        let customers = (0..<random.int(3...12)).map { "wm-\($0)" }
        var now = BudgetRuleTests.china(2025, 1, 20) + Double(random.int(0...40 * 86400))
        var outcome = Outcome()
        var campaigns = 0

        func recipients() -> [ContactBudget.Recipient] {
            (0..<random.int(1...15)).map { _ in
                ContactBudget.Recipient(
                    externalUserID: random.pick(customers),
                    tagIDs: ["t-vip", "t-opt", "t-x"].filter { _ in random.chance(0.15) }
                )
            }
        }
        func plan(_ list: [ContactBudget.Recipient], _ channel: TouchChannel, _ campaign: String, at date: Date) {
            let decisions = ContactBudget.plan(recipients: list, channel: channel, at: date, policy: policy, ledger: &ledger, campaignID: campaign)
            #expect(decisions.count == list.count)
            for (recipient, decision) in zip(list, decisions) {
                outcome.decisions.append((recipient, date, decision))
                switch decision {
                case .send(let at), .hold(let at, _):
                    outcome.planned.append(Planned(customer: recipient.externalUserID, date: at, channel: channel, campaign: campaign))
                case .skip:
                    break
                }
            }
        }

        // Dense scenarios send often enough to reach the monthly and weekly platform caps.
        let dense = random.chance(0.3)
        for _ in 0..<(dense ? random.int(40...70) : random.int(10...30)) {
            let step = random.chance(0.3) ? 0 : random.int(0...(dense ? 21600 : 129_600))
            now += random.chance(0.15) ? -Double(random.int(0...86400)) : Double(step)
            campaigns += 1
            let channel = random.chance(0.6) ? TouchChannel.massMessage : random.pick(TouchChannel.allCases)
            switch random.int(0...9) {
            case 0...4:
                plan(recipients(), channel, "c\(campaigns)", at: now)
            case 5...7:
                // Two campaigns interleaved recipient by recipient, at nearby times.
                campaigns += 1
                let other = (list: recipients(), channel: random.pick(TouchChannel.allCases), id: "c\(campaigns)", at: now + Double(random.int(-3600...3600)))
                var first = recipients()[...]
                var second = other.list[...]
                while !first.isEmpty || !second.isEmpty {
                    if !first.isEmpty, second.isEmpty || random.chance(0.5) {
                        plan([first.removeFirst()], channel, "c\(campaigns - 1)", at: now)
                    } else {
                        plan([second.removeFirst()], other.channel, other.id, at: other.at)
                    }
                }
            default:
                // Release a reservation that did not happen.
                guard let victim = outcome.planned.isEmpty ? nil : random.pick(outcome.planned) else { continue }
                let removed = ledger.release(campaignID: victim.campaign, recipient: victim.customer)
                #expect(removed == outcome.planned.filter { $0.campaign == victim.campaign && $0.customer == victim.customer }.count)
                outcome.planned.removeAll { $0.campaign == victim.campaign && $0.customer == victim.customer }
            }
        }
        return outcome
    }

    /// Checks that touches keep the platform rule (mass messages, in China's days whatever the
    /// corp's offset) and the brand cap, with Foundation's calendar as the independent
    /// reference for the windows.
    static func expectWithinCaps(_ touches: [(date: Date, channel: TouchChannel)], policy: ContactPolicy, context: String) {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        var perWindow: [String: Int] = [:]
        for touch in touches where touch.channel == .massMessage {
            let parts = calendar.dateComponents([.year, .month, .day, .yearForWeekOfYear, .weekOfYear], from: touch.date)
            let key: String
            let cap: Int
            switch policy.platformRule {
            case .onePerDay: (key, cap) = ("\(parts.year!)-\(parts.month!)-\(parts.day!)", 1)
            case .sevenPerWeek: (key, cap) = ("\(parts.yearForWeekOfYear!)-W\(parts.weekOfYear!)", 7)
            case .daysInMonth: (key, cap) = ("\(parts.year!)-\(parts.month!)", calendar.range(of: .day, in: .month, for: touch.date)!.count)
            case .fourPerMonth: (key, cap) = ("\(parts.year!)-\(parts.month!)", 4)
            }
            perWindow[key, default: 0] += 1
            #expect(perWindow[key]! <= cap, "platform rule \(policy.platformRule) broken in \(key): \(context)")
        }
        if let brand = policy.brandCap {
            let times = touches.map(\.date).sorted()
            for (index, start) in times.enumerated() {
                // The busiest window of D days can always be taken to start at a touch.
                let inWindow = times[index...].prefix { $0.timeIntervalSince(start) < Double(brand.days * 86400) }.count
                #expect(inWindow <= brand.maxTouches, "brand cap \(brand.maxTouches)/\(brand.days) d broken from \(start): \(context)")
            }
        }
    }

    @Test("whatever the order and interleaving of campaigns, no customer ever exceeds a cap")
    func capsAlwaysHold() {
        var random = BudgetRandom(state: 20_251_120)
        for round in 0..<300 {
            let policy = Self.randomPolicy(&random)
            #expect(throws: Never.self) { try policy.validate() }
            var ledger = ContactLedger()
            let outcome = Self.runScenario(policy: policy, random: &random, ledger: &ledger)
            let context = "round \(round), \(policy)"

            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(secondsFromGMT: policy.utcOffsetSeconds)!
            for (recipient, planAt, decision) in outcome.decisions {
                let optedOut = !policy.optOutTagIDs.isDisjoint(with: recipient.tagIDs)
                switch decision {
                case .send(let at), .hold(let at, _):
                    #expect(!optedOut, "an opted-out customer was reached: \(context)")
                    let local = calendar.dateComponents([.hour, .minute], from: at)
                    #expect(policy.quietHours?.contains(minuteOfDay: local.hour! * 60 + local.minute!) != true, "sent in quiet hours: \(context)")
                    if case .hold = decision {
                        #expect(at > planAt && policy.quietHours != nil, "held without quiet hours: \(context)")
                    } else {
                        #expect(at == planAt)
                    }
                case .skip(let reason):
                    #expect(reason != .optedOut || optedOut, "skipped as opted out without the tag: \(context)")
                }
            }

            let customers = Set(outcome.planned.map(\.customer)).union(ledger.customerIDs)
            for customer in customers {
                let planned = outcome.planned.filter { $0.customer == customer }
                Self.expectWithinCaps(planned.map { ($0.date, $0.channel) }, policy: policy, context: "decisions, \(customer), \(context)")
                let held = ledger.touches(of: customer)
                Self.expectWithinCaps(held.map { ($0.date, $0.channel) }, policy: policy, context: "ledger, \(customer), \(context)")
                // The ledger holds exactly what the decisions say (the scenario is shorter than
                // the history the ledger keeps).
                let fromDecisions = planned.map { "\($0.date.timeIntervalSince1970) \($0.channel) \($0.campaign)" }.sorted()
                let fromLedger = held.map { "\($0.date.timeIntervalSince1970) \($0.channel) \($0.campaignID ?? "-")" }.sorted()
                #expect(fromDecisions == fromLedger, "ledger and decisions differ for \(customer): \(context)")
            }
        }
    }

    @Test("a plan that does not remember new recipients decides exactly as one that does, for distinct recipients on any ledger")
    func forgettingNewRecipientsChangesNoDecision() {
        var random = BudgetRandom(state: 20_261_202)
        for round in 0..<300 {
            let policy = Self.randomPolicy(&random)
            var ledger = ContactLedger()
            _ = Self.runScenario(policy: policy, random: &random, ledger: &ledger)
            // Customers with history and customers never seen, each once, some with opt-out tags.
            let recipients = (0..<random.int(1...20)).map { n in
                ContactBudget.Recipient(externalUserID: "wm-\(n)", tagIDs: ["t-opt", "t-x"].filter { _ in random.chance(0.2) })
            }
            let at = BudgetRuleTests.china(2025, 1, 20) + Double(random.int(0...45 * 86400))
            var remembering = ledger, forgetting = ledger
            let expected = ContactBudget.plan(recipients: recipients, channel: .massMessage, at: at, policy: policy, ledger: &remembering, campaignID: "new")
            let decided = ContactBudget.plan(
                recipients: recipients, channel: .massMessage, at: at, policy: policy, ledger: &forgetting, campaignID: "new", remember: false
            )
            #expect(decided == expected, "round \(round), \(policy)")
        }
    }
}
