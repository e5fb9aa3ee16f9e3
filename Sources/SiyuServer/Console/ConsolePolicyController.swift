import Foundation
import Hummingbird
import SiyuCore
import SiyuStore

/// 触达规则: the corp's contact policy (the platform's rule, the brand's cap, quiet hours, opt-out
/// tags, the corp's time zone), edited here and kept where the REST API reads it.
struct ConsolePolicyController: Sendable {
    let store: SiyuStore
    let layout: ConsoleLayout

    func addRoutes(to group: RouterGroup<ConsoleContext>) {
        group.get("contact_policy", use: show)
        group.post("contact_policy", use: save)
    }

    @Sendable func show(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireOperator()
        let policy = try await store.contacts.policy(corpID: try context.corp())
        return try await render(request, context, values: Values(policy), errors: [:])
    }

    @Sendable func save(_ request: Request, context: ConsoleContext) async throws -> Response {
        try context.requireOperator()
        let corpID = try context.corp()
        var request = request
        let values = Values(form: try await ConsoleForm.read(&request))
        let language = ConsoleLanguage(request)
        let (policy, problems) = values.policy()
        var errors = problems.mapValues { layout.renderer.strings.text($0, language) }
        if errors.isEmpty {
            do {
                try await store.contacts.setPolicy(corpID: corpID, policy, actor: context.actor, now: layout.time())
                return .redirect(to: "/console/contact_policy?done=policy_saved")
            } catch let error as ValidationError {
                errors = layout.fieldErrors(error, request, prefix: "policy_")
            }
        }
        return try await render(request, context, values: values, errors: errors, status: .unprocessableContent)
    }

    private func render(_ request: Request, _ context: ConsoleContext, values: Values, errors: [String: String], status: HTTPResponse.Status = .ok) async throws -> Response {
        let corpID = try context.corp()
        let t = layout.renderer.strings.table(ConsoleLanguage(request))
        let chosen = Set(values.optOutTagIDs)
        let page: [String: Any] = [
            "errors": errors,
            "rules": PlatformReceiveRule.allCases.map { rule -> [String: Any] in
                ["value": rule.rawValue, "label": t["policy_rule_" + rule.rawValue] ?? rule.rawValue, "hint": t["policy_rule_hint_" + rule.rawValue] ?? "",
                 "checked": rule.rawValue == values.platformRule]
            },
            "cap_on": values.capOn, "cap_touches": values.capTouches, "cap_days": values.capDays,
            "quiet_on": values.quietOn, "quiet_start": values.quietStart, "quiet_end": values.quietEnd,
            "offsets": Values.offsets.map { seconds -> [String: Any] in
                ["value": seconds, "label": Values.offsetLabel(seconds) + (seconds == 8 * 3600 ? " " + (t["policy_offset_china"] ?? "") : ""), "selected": String(seconds) == values.offset]
            },
            "tag_groups": try await store.directory.tagGroups(corpID: corpID).map { group -> [String: Any] in
                ["name": group.name, "tags": group.tags.map { ["tag_id": $0.tagID, "name": $0.name, "checked": chosen.contains($0.tagID)] as [String: Any] }]
            },
        ]
        return try await layout.page(.contactPolicy, request, context, section: "contact_policy", title: t["nav_contact_policy"] ?? "", page, status: status)
    }

    /// The form's fields as typed.
    struct Values {
        var platformRule = PlatformReceiveRule.current.rawValue
        var capOn = false
        var capTouches = ""
        var capDays = ""
        var quietOn = false
        var quietStart = ""
        var quietEnd = ""
        var offset = String(BusinessCalendar.platform.utcOffsetSeconds)
        var optOutTagIDs: [String] = []

        /// Whole and half hours from UTC−12 to UTC+14.
        static let offsets = Array(stride(from: -12 * 3600, through: 14 * 3600, by: 1800))

        static func offsetLabel(_ seconds: Int) -> String {
            let minutes = abs(seconds) / 60
            return "UTC" + (seconds < 0 ? "−" : "+") + String(format: "%02d:%02d", minutes / 60, minutes % 60)
        }

        static func clock(_ minute: Int) -> String { String(format: "%02d:%02d", minute / 60, minute % 60) }

        init(_ policy: ContactPolicy) {
            platformRule = policy.platformRule.rawValue
            if let cap = policy.brandCap { (capOn, capTouches, capDays) = (true, String(cap.maxTouches), String(cap.days)) }
            if let quiet = policy.quietHours { (quietOn, quietStart, quietEnd) = (true, Self.clock(quiet.startMinute), Self.clock(quiet.endMinute)) }
            offset = String(policy.utcOffsetSeconds)
            optOutTagIDs = policy.optOutTagIDs.sorted()
        }

        init(form: ConsoleForm) {
            platformRule = form["platform_rule"] ?? ""
            capOn = form["cap_on"] != nil
            capTouches = form["cap_touches"] ?? ""
            capDays = form["cap_days"] ?? ""
            quietOn = form["quiet_on"] != nil
            quietStart = form["quiet_start"] ?? ""
            quietEnd = form["quiet_end"] ?? ""
            offset = form["utc_offset_seconds"] ?? ""
            optOutTagIDs = form.values("opt_out_tag_ids")
        }

        /// The policy the form says, and every field it could not read (message keys).
        func policy() -> (ContactPolicy, [String: String]) {
            var errors: [String: String] = [:]
            var policy = ContactPolicy(optOutTagIDs: Set(optOutTagIDs))
            if let rule = PlatformReceiveRule(rawValue: platformRule) { policy.platformRule = rule } else { errors["platform_rule"] = "invalid_policy_platform_rule" }
            if let seconds = Int(offset) { policy.utcOffsetSeconds = seconds } else { errors["utc_offset_seconds"] = "invalid_policy_utc_offset_seconds" }
            if capOn {
                if let touches = Int(capTouches), let days = Int(capDays) {
                    policy.brandCap = BrandCap(maxTouches: touches, days: days)
                } else {
                    errors["brand_cap"] = "invalid_policy_brand_cap"
                }
            }
            if quietOn {
                if let start = Self.minute(quietStart), let end = Self.minute(quietEnd) {
                    policy.quietHours = QuietHours(startMinute: start, endMinute: end)
                } else {
                    errors["quiet_hours"] = "invalid_policy_quiet_hours"
                }
            }
            return (policy, errors)
        }

        /// `HH:MM` as minutes after midnight.
        static func minute(_ text: String) -> Int? {
            let parts = text.split(separator: ":")
            guard parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]), (0..<24).contains(hour), (0..<60).contains(minute) else { return nil }
            return hour * 60 + minute
        }
    }
}
