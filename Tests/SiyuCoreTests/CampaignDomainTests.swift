import Foundation
import Testing

@testable import SiyuCore

@Suite("Campaign domain: one validation, one plan, typed states")
struct CampaignDomainTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000.75)

    static func draft(
        name: String = "周末福利", kind: CampaignKind = .message, audience: CampaignAudience = CampaignAudience(segment: "status = active"),
        text: String? = "hi", sendAt: Date? = nil, deadlineHours: Int? = nil
    ) -> CampaignDraft {
        CampaignDraft(name: name, kind: kind, audience: audience, content: CampaignContent(text: text), sendAt: sendAt, deadlineHours: deadlineHours)
    }

    static func field(_ draft: CampaignDraft) -> String? {
        do {
            _ = try draft.validate(now: now)
            return nil
        } catch {
            return error.field
        }
    }

    @Test("every rule names its field: name, content, audience for the kind, deadline")
    func rules() {
        #expect(Self.field(Self.draft()) == nil)
        #expect(Self.field(Self.draft(name: "  ")) == "name")
        #expect(Self.field(Self.draft(name: String(repeating: "名", count: 81))) == "name")
        #expect(Self.field(Self.draft(name: String(repeating: "名", count: 80))) == nil)
        #expect(Self.field(Self.draft(text: nil)) == "text")
        #expect(Self.field(Self.draft(text: String(repeating: "a", count: 4001))) == "text")
        #expect(Self.field(Self.draft(audience: CampaignAudience())) == "audience.segment")
        #expect(Self.field(Self.draft(kind: .groupMessage, audience: CampaignAudience(segment: "x"))) == "audience")
        #expect(Self.field(Self.draft(kind: .moment, audience: CampaignAudience())) == nil)
        #expect(Self.field(Self.draft(deadlineHours: 0)) == "deadline_hours")
        #expect(Self.field(Self.draft(deadlineHours: 721)) == "deadline_hours")
    }

    @Test("a send time in the past is refused (the current minute is now); whole seconds; the deadline follows it; every problem at once")
    func schedule() throws {
        #expect(Self.field(Self.draft(sendAt: Self.now.addingTimeInterval(-3600))) == "send_at")
        #expect(Self.field(Self.draft(sendAt: Self.now.addingTimeInterval(-61))) == "send_at")
        let valid = try Self.draft(name: "  早安  ", sendAt: Self.now.addingTimeInterval(-30)).validate(now: Self.now)
        #expect(valid.name == "早安")
        let broken = CampaignDraft(name: "", kind: .message, audience: CampaignAudience(), content: CampaignContent(text: nil), sendAt: Self.now.addingTimeInterval(-3600), deadlineHours: 0)
        #expect(broken.problems(now: Self.now).map(\.field) == ["name", "text", "audience.segment", "deadline_hours", "send_at"])
        #expect(Self.draft().problems(now: Self.now).isEmpty)
        #expect(valid.sendAt == Date(timeIntervalSince1970: 1_800_000_000))
        #expect(valid.deadlineAt == valid.sendAt.addingTimeInterval(72 * 3600))
        let later = try Self.draft(sendAt: Self.now.addingTimeInterval(86400), deadlineHours: 2).validate(now: Self.now)
        #expect(later.sendAt == Date(timeIntervalSince1970: 1_800_086_400))
        #expect(later.deadlineAt == later.sendAt.addingTimeInterval(7200))
    }

    @Test("a plan: one row per distinct recipient in key order, no sender is no_member, budget reasons are kept, holds come back")
    func plan() {
        var ledger = ContactLedger()
        // 23:30 China time: quiet hours hold everyone reachable until 08:00.
        let night = Date(timeIntervalSince1970: TimeInterval(1_800_000_000 - 1_800_000_000 % 86400) + 15.5 * 3600)
        let policy = ContactPolicy(quietHours: QuietHours(startMinute: 22 * 60, endMinute: 8 * 60), optOutTagIDs: ["stop"])
        let targets = [
            CampaignTarget("wm3", sender: "m1"), CampaignTarget("wm1", sender: nil), CampaignTarget("wm3", sender: "m2"),
            CampaignTarget(recipient: ContactBudget.Recipient(externalUserID: "wm2", tagIDs: ["stop"]), sender: "m1"),
        ]
        let plan = CampaignPlan(campaignID: "cmp1", kind: .message, sendAt: night, targets: targets, policy: policy, ledger: &ledger)
        #expect(plan.rows.map(\.recipient) == ["wm1", "wm2", "wm3"])
        #expect(plan.rows.map(\.reason) == [.noMember, .optedOut, .quietHours])
        #expect(plan.rows.map(\.state) == [.skipped, .skipped, .held])
        #expect(plan.rows[2].sender == "m1")
        #expect(plan.touches.map(\.externalUserID) == ["wm3"])
        #expect(plan.holdTimes == [plan.rows[2].sendAt!])
        let summary = plan.summary(kind: .message, sendAt: night)
        #expect(summary.audience == 3 && summary.send == 0)
        #expect(summary.hold == [.quietHours: 1])
        #expect(summary.skip == [.noMember: 1, .optedOut: 1])
        #expect(summary.senders == ["m1": 1] && summary.calls == 1)
        // The ledger holds the reservation: planning again skips nobody new but sees the touch.
        #expect(ledger.touches(of: "wm3").count == 1)
        #expect(CampaignPlan(campaignID: "m", kind: .moment, sendAt: night, targets: targets, policy: policy, ledger: &ledger).rows.isEmpty)
    }

    @Test("reminders: at most 3 in any 24 hours, only for unsent tasks")
    func reminders() {
        let task = CampaignTask(msgID: "msg", sender: "m1", recipients: 3, state: .pending, reminders: [
            Self.now.addingTimeInterval(-90_000), Self.now.addingTimeInterval(-3600), Self.now.addingTimeInterval(-60),
        ])
        #expect(task.recentReminders(now: Self.now).count == 2)
        #expect(task.mayRemind(now: Self.now))
        var full = task
        full.reminders.append(Self.now.addingTimeInterval(-1))
        #expect(!full.mayRemind(now: Self.now))
        #expect(full.mayRemind(now: Self.now.addingTimeInterval(86400 - 3600 + 1)))  // the oldest of the three has left the window
        var sent = task
        sent.state = .sent
        #expect(!sent.mayRemind(now: Self.now))
        #expect(ReminderOutcome.refused(errcode: -1, message: "busy").text == "refused: busy" && ReminderOutcome.limitReached.code == "limit_reached")
    }

    @Test("every budget hold and skip reason is a recipient reason of the same name")
    func reasonsShareNames() {
        for hold in ContactBudget.HoldReason.allCases { #expect(RecipientReason(hold).rawValue == hold.rawValue) }
        for skip in ContactBudget.SkipReason.allCases { #expect(RecipientReason(skip).rawValue == skip.rawValue) }
    }
}
