import Foundation

/// How a channel code (渠道活码) hands new customers to members.
public enum RotationStrategy: String, Codable, Sendable, CaseIterable {
    /// Every available member is on the code; the platform hands customers to them in turn.
    case roundRobin = "round_robin"
    /// Only the available member(s) with the fewest adds today.
    case leastLoaded = "least_loaded"
    /// The members on duty for the weekday, from `schedule`.
    case schedule
}

/// An attachment of a welcome message.
public struct WelcomeAttachment: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case link, image, miniprogram }
    public var type: Kind
    public var title: String?
    public var url: String?
    public var picURL: String?
    public var desc: String?
    public var mediaID: String?
    public var appID: String?
    public var page: String?

    enum CodingKeys: String, CodingKey {
        case type, title, url, picURL = "pic_url", desc, mediaID = "media_id", appID = "appid", page
    }

    public init(type: Kind, title: String? = nil, url: String? = nil, picURL: String? = nil, desc: String? = nil, mediaID: String? = nil, appID: String? = nil, page: String? = nil) {
        self.type = type
        self.title = title
        self.url = url
        self.picURL = picURL
        self.desc = desc
        self.mediaID = mediaID
        self.appID = appID
        self.page = page
    }
}

/// The welcome message of a channel: text with variables, and up to 9 attachments.
///
/// Variables: `{nickname}` / `{客户昵称}` (the customer's WeChat name) and `{member}` / `{成员姓名}`
/// (the member's name).
public struct WelcomeMessage: Codable, Sendable, Equatable {
    public var text: String
    public var attachments: [WelcomeAttachment]

    public init(text: String, attachments: [WelcomeAttachment] = []) {
        self.text = text
        self.attachments = attachments
    }

    enum CodingKeys: String, CodingKey { case text, attachments }

    /// Either part may be left out: a text-only or an attachments-only welcome.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        text = try container.decodeIfPresent(String.self, forKey: .text) ?? ""
        attachments = try container.decodeIfPresent([WelcomeAttachment].self, forKey: .attachments) ?? []
    }

    /// Replaces the variables in one pass, so a name that looks like a variable stays as it is.
    public func render(customerName: String, memberName: String) -> String {
        let values = ["{nickname}": customerName, "{客户昵称}": customerName, "{member}": memberName, "{成员姓名}": memberName]
        var result = ""
        var rest = text[...]
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            rest = rest[open...]
            if let (variable, value) = values.first(where: { rest.hasPrefix($0.key) }) {
                result += value
                rest = rest.dropFirst(variable.count)
            } else {
                result += "{"
                rest = rest.dropFirst()
            }
        }
        return result + rest
    }

    public func validate() throws(ValidationError) {
        guard !text.isEmpty || !attachments.isEmpty else {
            throw ValidationError(field: "welcome.text", message: "a welcome message needs text or an attachment")
        }
        guard text.utf8.count <= 4000 else { throw ValidationError(field: "welcome.text", message: "welcome text is at most 4000 bytes") }
        guard attachments.count <= 9 else { throw ValidationError(field: "welcome.attachments", message: "at most 9 attachments") }
        for attachment in attachments {
            switch attachment.type {
            case .link where attachment.title == nil || attachment.url == nil:
                throw ValidationError(field: "welcome.attachments", message: "a link needs a title and a url")
            case .image where attachment.mediaID == nil && attachment.picURL == nil:
                throw ValidationError(field: "welcome.attachments", message: "an image needs a media_id or a pic_url")
            case .miniprogram where attachment.title == nil || attachment.appID == nil || attachment.page == nil || attachment.mediaID == nil:
                throw ValidationError(field: "welcome.attachments", message: "a mini program needs a title, appid, page and media_id (its cover)")
            default: continue
            }
        }
    }
}

/// Everything an operator sets on a channel code.
public struct ChannelSettings: Codable, Sendable, Equatable {
    public var members: [String]
    public var backupMembers: [String]
    public var strategy: RotationStrategy
    /// New customers per member per day; nil for no cap.
    public var dailyCap: Int?
    /// For `.schedule`: ISO weekday (1 = Monday … 7 = Sunday) → members on duty.
    public var schedule: [String: [String]]?
    /// Corp tag ids applied to every customer who adds through this channel.
    public var autoTagIDs: [String]
    public var skipVerify: Bool
    public var welcome: WelcomeMessage?
    /// The service account's follower tag ids put on everyone who follows through the channel's QR code.
    public var followerTagIDs: [Int]?
    /// The passive reply to a follow or a scan through the channel's QR code (else the account's subscribe reply).
    public var followerWelcome: ReplyContent?

    enum CodingKeys: String, CodingKey {
        case members, backupMembers = "backup_members", strategy, dailyCap = "daily_cap", schedule
        case autoTagIDs = "auto_tag_ids", skipVerify = "skip_verify", welcome
        case followerTagIDs = "follower_tag_ids", followerWelcome = "follower_welcome"
    }

    public init(
        members: [String], backupMembers: [String] = [], strategy: RotationStrategy = .roundRobin, dailyCap: Int? = nil,
        schedule: [String: [String]]? = nil, autoTagIDs: [String] = [], skipVerify: Bool = true, welcome: WelcomeMessage? = nil
    ) {
        self.members = members
        self.backupMembers = backupMembers
        self.strategy = strategy
        self.dailyCap = dailyCap
        self.schedule = schedule
        self.autoTagIDs = autoTagIDs
        self.skipVerify = skipVerify
        self.welcome = welcome
    }

    public func validate() throws(ValidationError) {
        guard !members.isEmpty else { throw ValidationError(field: "members", message: "a channel needs at least one member") }
        guard members.count + backupMembers.count <= 100 else { throw ValidationError(field: "members", message: "at most 100 members and backups together") }
        if let dailyCap, dailyCap < 1 { throw ValidationError(field: "daily_cap", message: "daily_cap is at least 1") }
        if strategy == .schedule {
            guard let schedule, !schedule.isEmpty else { throw ValidationError(field: "schedule", message: "the schedule strategy needs a schedule") }
            for (day, onDuty) in schedule {
                guard let weekday = Int(day), (1...7).contains(weekday) else { throw ValidationError(field: "schedule", message: "schedule keys are weekdays 1 (Monday) to 7 (Sunday)") }
                for member in onDuty where !members.contains(member) {
                    throw ValidationError(field: "schedule", message: "\(member) is on the schedule but not a member of the channel")
                }
            }
        }
        try welcome?.validate()
        if let problem = followerWelcome?.problems(field: "follower_welcome").first { throw problem }
        if let tags = followerTagIDs, tags.count > 20 {
            throw ValidationError(field: "follower_tag_ids", message: "a follower carries at most 20 tags")
        }
    }

    /// The members who should be on the contact way now.
    ///
    /// Members at their daily cap step aside for backups; when everyone is capped the backups
    /// (or, without backups, the least-loaded members) stay on, since a contact way needs a member.
    public func activeMembers(addsToday: [String: Int], weekday: Int) -> [String] {
        let uncapped = { (member: String) -> Bool in
            guard let dailyCap else { return true }
            return addsToday[member, default: 0] < dailyCap
        }
        var pool: [String]
        switch strategy {
        case .roundRobin, .leastLoaded:
            pool = members
        case .schedule:
            pool = schedule?[String(weekday)] ?? []
        }
        var available = pool.filter(uncapped)
        if available.isEmpty { available = backupMembers.filter(uncapped) }
        let everyoneCapped = available.isEmpty
        if everyoneCapped { available = backupMembers.isEmpty ? (pool.isEmpty ? members : pool) : backupMembers }
        if strategy == .leastLoaded || (everyoneCapped && backupMembers.isEmpty) {
            let fewest = available.map { addsToday[$0, default: 0] }.min() ?? 0
            available = available.filter { addsToday[$0, default: 0] == fewest }
        }
        return available
    }
}
