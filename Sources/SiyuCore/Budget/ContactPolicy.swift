import Foundation

/// A channel through which the brand reaches a customer. Every channel draws from the same
/// per-customer contact budget; only `massMessage` also counts against the platform's rule.
public enum TouchChannel: String, Codable, Sendable, CaseIterable {
    /// A mass message to customers (`add_msg_template`, `chat_type: single`).
    case massMessage = "mass_message"
    /// A mass message to customer groups; it reaches the customer as a group member.
    case groupMassMessage = "group_mass_message"
    /// A post on the members' moments (朋友圈).
    case moment
    /// A step of an SOP sequence.
    case sop
    /// A service-account (服务号) broadcast.
    case broadcast
}

/// How many mass messages the platform lets one customer receive (WeCom doc 92135).
///
/// The rule is a versioned setting, because the platform has changed it:
/// - `4_per_month` is the rule before 2025-11 (version `legacy`);
/// - from 2025-11 (version `2025-11`) the default is `days_in_month` (as many mass messages as
///   the calendar month has days), and an administrator may choose `7_per_week` or `1_per_day`.
///
/// Windows are calendar windows of the platform's day (China time, `BusinessCalendar.platform`),
/// whatever the corp's offset: a day, an ISO week (Monday to Sunday) or a calendar month. Only
/// `TouchChannel.massMessage` counts.
public enum PlatformReceiveRule: String, Codable, Sendable, CaseIterable {
    /// As many per calendar month as the month has days (28 to 31); the default from 2025-11.
    case daysInMonth = "days_in_month"
    /// 7 per ISO week; an administrator's choice from 2025-11.
    case sevenPerWeek = "7_per_week"
    /// 1 per calendar day; an administrator's choice from 2025-11.
    case onePerDay = "1_per_day"
    /// 4 per calendar month; the rule before 2025-11.
    case fourPerMonth = "4_per_month"

    /// The platform version that introduced the rule: `2025-11` or `legacy`.
    public var version: String {
        self == .fourPerMonth ? "legacy" : "2025-11"
    }

    /// The rule in force for corps that have not chosen another.
    public static let current = PlatformReceiveRule.daysInMonth
}

/// The brand's own frequency cap: at most `maxTouches` touches, across all channels, in any
/// rolling window of `days` days (for example 2 per 7 days).
public struct BrandCap: Codable, Sendable, Equatable {
    /// Touches allowed in any window (at least 1).
    public var maxTouches: Int
    /// The window's length in days (1 to `ContactPolicy.maxBrandCapDays`).
    public var days: Int

    enum CodingKeys: String, CodingKey { case maxTouches = "max_touches", days }

    public init(maxTouches: Int, days: Int) {
        self.maxTouches = maxTouches
        self.days = days
    }
}

/// Hours of the customer's day in which nothing is sent: from `startMinute` (inclusive) to
/// `endMinute` (exclusive), minutes after local midnight. The period wraps midnight when the
/// start is after the end (22:00–08:00 is `1320`–`480`).
public struct QuietHours: Codable, Sendable, Equatable {
    /// When quiet starts, minutes after local midnight (0...1439).
    public var startMinute: Int
    /// When quiet ends (exclusive), minutes after local midnight (0...1439).
    public var endMinute: Int

    enum CodingKeys: String, CodingKey { case startMinute = "start_minute", endMinute = "end_minute" }

    public init(startMinute: Int, endMinute: Int) {
        self.startMinute = startMinute
        self.endMinute = endMinute
    }

    /// Whether a minute of the local day (0..<1440) is quiet.
    public func contains(minuteOfDay minute: Int) -> Bool {
        startMinute < endMinute
            ? minute >= startMinute && minute < endMinute
            : minute >= startMinute || minute < endMinute
    }
}

/// A corp's contact policy: the rules every send to a customer must pass.
public struct ContactPolicy: Codable, Sendable, Equatable {
    /// The platform's receive rule for mass messages.
    public var platformRule: PlatformReceiveRule
    /// The corp's time zone as an offset from UTC in seconds (China, +8 h, by default): the
    /// brand's day (`calendar`). Quiet hours, segment dates, channel schedules and daily caps,
    /// reports and the console's dates are taken in it; the platform rule is not (it counts in
    /// the platform's day).
    public var utcOffsetSeconds: Int
    /// The brand's cap across all channels, if any.
    public var brandCap: BrandCap?
    /// Quiet hours in the customer's day, if any.
    public var quietHours: QuietHours?
    /// Customers carrying any of these tags receive nothing.
    public var optOutTagIDs: Set<String>

    enum CodingKeys: String, CodingKey {
        case platformRule = "platform_rule", utcOffsetSeconds = "utc_offset_seconds", brandCap = "brand_cap"
        case quietHours = "quiet_hours", optOutTagIDs = "opt_out_tag_ids"
    }

    public init(
        platformRule: PlatformReceiveRule = .current, utcOffsetSeconds: Int = BusinessCalendar.platform.utcOffsetSeconds, brandCap: BrandCap? = nil,
        quietHours: QuietHours? = nil, optOutTagIDs: Set<String> = []
    ) {
        self.platformRule = platformRule
        self.utcOffsetSeconds = utcOffsetSeconds
        self.brandCap = brandCap
        self.quietHours = quietHours
        self.optOutTagIDs = optOutTagIDs
    }

    /// Missing keys take the defaults: the current platform rule, China time, no brand cap, no
    /// quiet hours, no opt-out tags.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        platformRule = try container.decodeIfPresent(PlatformReceiveRule.self, forKey: .platformRule) ?? .current
        utcOffsetSeconds = try container.decodeIfPresent(Int.self, forKey: .utcOffsetSeconds) ?? BusinessCalendar.platform.utcOffsetSeconds
        brandCap = try container.decodeIfPresent(BrandCap.self, forKey: .brandCap)
        quietHours = try container.decodeIfPresent(QuietHours.self, forKey: .quietHours)
        optOutTagIDs = try container.decodeIfPresent(Set<String>.self, forKey: .optOutTagIDs) ?? []
    }

    /// The longest brand window a policy may set, in days.
    public static let maxBrandCapDays = 90

    /// Checks every field; the error names the first one that is wrong.
    public func validate() throws(ValidationError) {
        guard abs(utcOffsetSeconds) <= 14 * 3600 else {
            throw ValidationError(field: "utc_offset_seconds", message: "a UTC offset is between -14 and +14 hours (in seconds)")
        }
        if let cap = brandCap {
            guard cap.maxTouches >= 1 else {
                throw ValidationError(field: "brand_cap.max_touches", message: "a brand cap allows at least 1 touch")
            }
            guard (1...Self.maxBrandCapDays).contains(cap.days) else {
                throw ValidationError(field: "brand_cap.days", message: "a brand cap window is 1 to \(Self.maxBrandCapDays) days")
            }
        }
        if let quiet = quietHours {
            for (field, minute) in [("quiet_hours.start_minute", quiet.startMinute), ("quiet_hours.end_minute", quiet.endMinute)] {
                guard (0..<1440).contains(minute) else {
                    throw ValidationError(field: field, message: "a minute of the day is 0 to 1439 (00:00 to 23:59)")
                }
            }
            guard quiet.startMinute != quiet.endMinute else {
                throw ValidationError(field: "quiet_hours", message: "quiet hours start and end at different times; remove them to have none")
            }
        }
        guard !optOutTagIDs.contains(where: { $0.isEmpty }) else {
            throw ValidationError(field: "opt_out_tag_ids", message: "an opt-out tag id is not empty")
        }
    }

    /// How far back a decision at one instant may need to look, in seconds: the longest
    /// platform window (a month of 31 days) or the brand window, whichever is longer.
    var lookBackSeconds: Int64 {
        Int64(max(31, brandCap?.days ?? 0)) * 86400
    }
}
