import Foundation

/// The per-customer contact budget: decides, recipient by recipient, whether a touch goes out
/// now, waits for the end of quiet hours, or is skipped, and reserves what goes out in the
/// ledger so that no later plan can spend the same budget.
public enum ContactBudget {
    /// One customer a campaign wants to reach.
    public struct Recipient: Sendable, Equatable {
        /// The customer's `external_userid`, the ledger's key.
        public var externalUserID: String
        /// The customer's tag ids, for the policy's opt-out tags.
        public var tagIDs: [String]
        /// The store's ordinal of the customer (or group): the ledger's key when known.
        public var ordinal: Int64?

        public init(externalUserID: String, tagIDs: [String] = [], ordinal: Int64? = nil) {
            self.externalUserID = externalUserID
            self.tagIDs = tagIDs
            self.ordinal = ordinal
        }
    }

    /// Why a touch waits.
    public enum HoldReason: String, Codable, Sendable, CaseIterable, CodingKeyRepresentable {
        /// The customer's day is in quiet hours; the touch goes out when they end.
        case quietHours = "quiet_hours"
    }

    /// Why a recipient gets nothing.
    public enum SkipReason: String, Codable, Sendable, CaseIterable, CodingKeyRepresentable {
        /// The customer carries an opt-out tag.
        case optedOut = "opted_out"
        /// One more mass message would break the platform's receive rule in its window.
        case platformCap = "platform_cap"
        /// One more touch would break the brand's cap in some rolling window.
        case brandCap = "brand_cap"
        /// The customer already appears in this campaign.
        case duplicateRecipient = "duplicate_recipient"
    }

    /// The decision for one recipient. Sends and holds are reserved in the ledger.
    public enum Decision: Sendable, Equatable {
        /// Send now (the plan's instant, in whole seconds).
        case send(at: Date)
        /// Send at `until`, the end of the quiet period; already reserved at that instant.
        case hold(until: Date, reason: HoldReason)
        /// Send nothing; nothing is reserved.
        case skip(reason: SkipReason)
    }

    /// Decides for every recipient, in order, and reserves every send and hold in `ledger`.
    ///
    /// The decision for recipient `i` is at index `i`. Checks run in this order: a recipient
    /// already seen in this campaign (in this call, or reserved by an earlier call with the
    /// same `campaignID`) is a duplicate; opt-out tags; then, at the instant the touch would
    /// go out (the end of quiet hours when `date` falls in them), the platform rule (mass
    /// messages only) and the brand cap (every channel).
    ///
    /// Times are whole seconds. A `date` older than the history the ledger still holds (more
    /// than the longest window before the latest plan) is evaluated, and sent, at the
    /// earliest instant with full history instead.
    ///
    /// With `remember` false the caller promises distinct recipients and a ledger it will not plan
    /// on again (the store reads the ledger afresh for every plan): a recipient the ledger holds
    /// no touch for is decided without giving it a slot (no cap can refuse a first touch), so a
    /// plan over a million new customers does not grow the ledger by a million slots.
    public static func plan(
        recipients: [Recipient], channel: TouchChannel, at date: Date, policy: ContactPolicy,
        ledger: inout ContactLedger, campaignID: String, remember: Bool = true
    ) -> [Decision] {
        let (start, visit) = ledger.beginPlan(at: BusinessCalendar.seconds(date), policy: policy)
        let quietEnd = policy.quietHours?.end(ofPeriodAround: start, in: policy.calendar)
        let time = quietEnd ?? start
        let outcome: Decision = quietEnd == nil
            ? .send(at: BusinessCalendar.date(time))
            : .hold(until: BusinessCalendar.date(time), reason: .quietHours)
        let rules = Rules(
            time: time,
            platform: channel == .massMessage ? policy.platformRule.window(around: time) : nil,
            brand: policy.brandCap.map { (Int64($0.days) * 86400, $0.maxTouches) }
        )
        let touch = ContactLedger.Touch(time: time, campaign: ledger.campaignIndex(for: campaignID), channel: channel)
        let optOut = policy.optOutTagIDs

        var decisions: [Decision] = []
        decisions.reserveCapacity(recipients.count)
        for recipient in recipients {
            if !remember, !ledger.holds(recipient) {
                let optedOut = !optOut.isEmpty && recipient.tagIDs.contains(where: optOut.contains)
                decisions.append(optedOut ? .skip(reason: .optedOut) : outcome)
                continue
            }
            let slot = recipient.ordinal.map { ledger.slot(subject: $0) } ?? ledger.slot(for: recipient.externalUserID)
            guard ledger.visit(slot: slot, plan: visit) else {
                decisions.append(.skip(reason: .duplicateRecipient))
                continue
            }
            if !optOut.isEmpty, recipient.tagIDs.contains(where: optOut.contains) {
                decisions.append(.skip(reason: .optedOut))
                continue
            }
            ledger.prune(slot: slot)
            if let reason = rules.refusal(of: touch, given: ledger.touches(slot: slot)) {
                decisions.append(.skip(reason: reason))
                continue
            }
            ledger.insert(touch, slot: slot)
            decisions.append(outcome)
        }
        return decisions
    }

    /// The caps, fixed for one plan.
    private struct Rules {
        var time: Int64
        var platform: (window: BusinessCalendar.Window, cap: Int)?
        var brand: (length: Int64, cap: Int)?

        /// Why `touch` may not join a customer's sorted touches, or `nil` when it may.
        func refusal(of touch: ContactLedger.Touch, given touches: ArraySlice<ContactLedger.Touch>) -> SkipReason? {
            if touches.contains(where: { $0.campaign == touch.campaign }) {
                return .duplicateRecipient
            }
            if let platform {
                let window = platform.window
                var count = 0
                for existing in touches where existing.channel == .massMessage && window.contains(existing.time) {
                    count += 1
                }
                if count >= platform.cap { return .platformCap }
            }
            if let brand, Self.busiestWindow(containing: time, length: brand.length, touches: touches) >= brand.cap {
                return .brandCap
            }
            return nil
        }

        /// The most touches any window `[s, s + length)` containing `time` holds. The busiest
        /// such window can be slid right until it starts at a touch or at `time`, so only
        /// those starts are tried, with two pointers over the sorted touches.
        static func busiestWindow(containing time: Int64, length: Int64, touches: ArraySlice<ContactLedger.Touch>) -> Int {
            var begin = touches.startIndex
            while begin < touches.endIndex, touches[begin].time <= time - length {
                begin += 1
            }
            var end = begin
            var busiest = 0
            while begin < touches.endIndex, touches[begin].time <= time {
                while end < touches.endIndex, touches[end].time < touches[begin].time + length {
                    end += 1
                }
                busiest = max(busiest, end - begin)
                begin += 1
            }
            while end < touches.endIndex, touches[end].time < time + length {
                end += 1
            }
            return max(busiest, end - begin)
        }
    }

    /// Counts of a plan's decisions, for previews.
    public struct PlanSummary: Codable, Sendable, Equatable {
        /// Recipients sent to now.
        public var send: Int
        /// Recipients held, by reason (JSON: `{"quiet_hours": n}`).
        public var hold: [HoldReason: Int]
        /// Recipients skipped, by reason (JSON: `{"brand_cap": n, …}`); reasons with none are absent.
        public var skip: [SkipReason: Int]

        /// All decisions counted.
        public var total: Int {
            send + hold.values.reduce(0, +) + skip.values.reduce(0, +)
        }

        public init(send: Int = 0, hold: [HoldReason: Int] = [:], skip: [SkipReason: Int] = [:]) {
            self.send = send
            self.hold = hold
            self.skip = skip
        }

        /// Counts a plan's decisions.
        public init(_ decisions: [Decision]) {
            self.init()
            for decision in decisions {
                switch decision {
                case .send: send += 1
                case .hold(_, let reason): hold[reason, default: 0] += 1
                case .skip(let reason): skip[reason, default: 0] += 1
                }
            }
        }
    }
}
