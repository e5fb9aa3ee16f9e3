import Foundation

/// What an automatic answer says: the passive-reply kinds Siyu offers. A news reply carries one
/// article, the platform's limit since 2018.
///
/// On the wire: `{"type":"text","text":"…"}`, `{"type":"image","media_id":"…"}` or
/// `{"type":"news","news":{"title","description","pic_url","url"}}`.
public enum ReplyContent: Sendable, Equatable, Codable {
    case text(String)
    /// A temporary media id from `media/upload` or a permanent material id.
    case image(mediaID: String)
    case news(NewsArticle)

    enum CodingKeys: String, CodingKey { case type, text, mediaID = "media_id", news }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .type) {
        // A missing field decodes empty, so validation names it (`problems(field:)`) instead of the decoder.
        case "text": self = .text(try container.decodeIfPresent(String.self, forKey: .text) ?? "")
        case "image": self = .image(mediaID: try container.decodeIfPresent(String.self, forKey: .mediaID) ?? "")
        case "news": self = .news(try container.decodeIfPresent(NewsArticle.self, forKey: .news) ?? NewsArticle(title: "", url: ""))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .type, in: container, debugDescription: "unknown reply type '\(other)'; expected text, image or news")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .text(let text):
            try container.encode("text", forKey: .type)
            try container.encode(text, forKey: .text)
        case .image(let mediaID):
            try container.encode("image", forKey: .type)
            try container.encode(mediaID, forKey: .mediaID)
        case .news(let article):
            try container.encode("news", forKey: .type)
            try container.encode(article, forKey: .news)
        }
    }

    public struct NewsArticle: Sendable, Equatable, Codable {
        public var title: String
        public var description: String
        public var picURL: String
        public var url: String

        public init(title: String, description: String = "", picURL: String = "", url: String) {
            self.title = title
            self.description = description
            self.picURL = picURL
            self.url = url
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            title = try container.decode(String.self, forKey: .title)
            description = try container.decodeIfPresent(String.self, forKey: .description) ?? ""
            picURL = try container.decodeIfPresent(String.self, forKey: .picURL) ?? ""
            url = try container.decode(String.self, forKey: .url)
        }

        enum CodingKeys: String, CodingKey {
            case title, description, picURL = "pic_url", url
        }
    }

    /// The problems of this content, with `field` as the prefix of each field path.
    public func problems(field: String) -> [ValidationError] {
        switch self {
        case .text(let text):
            return text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? [ValidationError(field: "\(field).text", message: "the reply text is empty")] : []
        case .image(let mediaID):
            return mediaID.isEmpty ? [ValidationError(field: "\(field).media_id", message: "an image reply needs a media id")] : []
        case .news(let article):
            var problems: [ValidationError] = []
            if article.title.trimmingCharacters(in: .whitespaces).isEmpty {
                problems.append(ValidationError(field: "\(field).news.title", message: "the article needs a title"))
            }
            if !WebLink.isValid(article.url) {
                problems.append(ValidationError(field: "\(field).news.url", message: "the article's link must be an http or https URL"))
            }
            if !article.picURL.isEmpty && !WebLink.isValid(article.picURL) {
                problems.append(ValidationError(field: "\(field).news.pic_url", message: "the picture must be an http or https URL"))
            }
            return problems
        }
    }
}

/// How a keyword rule compares a follower's text with its keywords.
public enum KeywordMatch: String, Sendable, Codable, CaseIterable {
    /// The whole message is the keyword (ignoring surrounding spaces and letter case).
    case exact
    /// The keyword appears anywhere in the message.
    case contains
}

/// One keyword reply rule of a service account.
public struct KeywordRule: Sendable, Equatable, Codable, Identifiable {
    public var id: String
    public var name: String
    public var keywords: [String]
    public var match: KeywordMatch
    /// Higher first; among equals an exact rule wins over a contains rule, then the longer keyword.
    public var priority: Int
    public var reply: ReplyContent
    public var enabled: Bool

    public init(id: String, name: String, keywords: [String], match: KeywordMatch, priority: Int = 0, reply: ReplyContent, enabled: Bool = true) {
        self.id = id
        self.name = name
        self.keywords = keywords
        self.match = match
        self.priority = priority
        self.reply = reply
        self.enabled = enabled
    }

    enum CodingKeys: String, CodingKey { case id, name, keywords, match, priority, reply, enabled }

    /// `priority` (0) and `enabled` (true) may be left out.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decode(String.self, forKey: .name)
        keywords = try container.decode([String].self, forKey: .keywords)
        match = try container.decode(KeywordMatch.self, forKey: .match)
        priority = try container.decodeIfPresent(Int.self, forKey: .priority) ?? 0
        reply = try container.decode(ReplyContent.self, forKey: .reply)
        enabled = try container.decodeIfPresent(Bool.self, forKey: .enabled) ?? true
    }
}

/// An account's automatic replies: keyword rules, the reply when none matches, and the reply to
/// a new follower. Pure and in memory, so a callback can be answered within the platform's 5 s
/// from what was loaded before it arrived. Later automation and the service desk reuse it.
public struct ReplyRuleSet: Sendable, Equatable {
    public static let maximumKeywordLength = 60
    public static let maximumKeywordsPerRule = 50

    public private(set) var rules: [KeywordRule]
    public var defaultReply: ReplyContent?
    public var subscribeReply: ReplyContent?
    /// The answer to each menu key (`CLICK` events).
    public var clickReplies: [String: ReplyContent]
    /// Each enabled rule's keywords, normalized, in the order they are tried.
    private var ordered: [Candidate]

    private struct Candidate: Sendable, Equatable {
        var keyword: String
        var rule: KeywordRule
    }

    public init(rules: [KeywordRule], defaultReply: ReplyContent? = nil, subscribeReply: ReplyContent? = nil, clickReplies: [String: ReplyContent] = [:]) {
        self.rules = rules
        self.defaultReply = defaultReply
        self.subscribeReply = subscribeReply
        self.clickReplies = clickReplies
        let candidates = rules.filter(\.enabled).flatMap { rule in rule.keywords.map { Candidate(keyword: Self.normalized($0), rule: rule) } }.filter { !$0.keyword.isEmpty }
        ordered = candidates.sorted { a, b in
            if a.rule.priority != b.rule.priority { return a.rule.priority > b.rule.priority }
            if a.rule.match != b.rule.match { return a.rule.match == .exact }
            if a.keyword.count != b.keyword.count { return a.keyword.count > b.keyword.count }
            return (a.rule.id, a.keyword) < (b.rule.id, b.keyword)
        }
    }

    /// The rule that answers `text`, if any.
    public func rule(matching text: String) -> KeywordRule? {
        let message = Self.normalized(text)
        guard !message.isEmpty else { return nil }
        return ordered.first { candidate in
            switch candidate.rule.match {
            case .exact: message == candidate.keyword
            case .contains: message.contains(candidate.keyword)
            }
        }?.rule
    }

    /// The answer to a follower's text: the first matching rule's reply, else the default reply.
    public func reply(toText text: String) -> ReplyContent? {
        rule(matching: text)?.reply ?? defaultReply
    }

    /// The answer to a menu button's key.
    public func reply(toClick key: String) -> ReplyContent? {
        clickReplies[key]
    }

    /// Keywords compare without surrounding whitespace, without letter case, and with
    /// full-width ASCII (Ａ, １, ？) read as its half-width form, as followers type either.
    public static func normalized(_ text: String) -> String {
        let scalars = text.trimmingCharacters(in: .whitespacesAndNewlines).unicodeScalars.map { scalar -> Unicode.Scalar in
            if (0xFF01...0xFF5E).contains(scalar.value), let narrow = Unicode.Scalar(scalar.value - 0xFEE0) { return narrow }
            if scalar.value == 0x3000 { return " " }
            return scalar
        }
        return String(String.UnicodeScalarView(scalars)).lowercased()
    }

    /// Every problem of one rule, each with its field.
    public static func problems(of rule: KeywordRule) -> [ValidationError] {
        var problems: [ValidationError] = []
        if rule.name.trimmingCharacters(in: .whitespaces).isEmpty {
            problems.append(ValidationError(field: "name", message: "the rule needs a name"))
        }
        let keywords = rule.keywords.map(normalized)
        if keywords.isEmpty || keywords.allSatisfy(\.isEmpty) {
            problems.append(ValidationError(field: "keywords", message: "the rule needs at least one keyword"))
        } else if keywords.count > maximumKeywordsPerRule {
            problems.append(ValidationError(field: "keywords", message: "a rule has at most \(maximumKeywordsPerRule) keywords"))
        }
        for (index, keyword) in keywords.enumerated() where keyword.count > maximumKeywordLength {
            problems.append(ValidationError(field: "keywords[\(index)]", message: "a keyword has at most \(maximumKeywordLength) characters"))
        }
        return problems + rule.reply.problems(field: "reply")
    }
}

/// An account's reply rules as stored and as the API takes them.
public struct ReplyRulesDocument: Sendable, Equatable, Codable {
    public var rules: [KeywordRule]
    public var defaultReply: ReplyContent?
    public var subscribeReply: ReplyContent?
    /// Menu keys (`click` buttons) bound to a reply.
    public var clickReplies: [String: ReplyContent]

    public init(rules: [KeywordRule] = [], defaultReply: ReplyContent? = nil, subscribeReply: ReplyContent? = nil, clickReplies: [String: ReplyContent] = [:]) {
        self.rules = rules
        self.defaultReply = defaultReply
        self.subscribeReply = subscribeReply
        self.clickReplies = clickReplies
    }

    enum CodingKeys: String, CodingKey { case rules, defaultReply = "default_reply", subscribeReply = "subscribe_reply", clickReplies = "click_replies" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        rules = try container.decodeIfPresent([KeywordRule].self, forKey: .rules) ?? []
        defaultReply = try container.decodeIfPresent(ReplyContent.self, forKey: .defaultReply)
        subscribeReply = try container.decodeIfPresent(ReplyContent.self, forKey: .subscribeReply)
        clickReplies = try container.decodeIfPresent([String: ReplyContent].self, forKey: .clickReplies) ?? [:]
    }

    public static let maximumRules = 200

    /// Every problem, each with its field path (`rules[2].keywords`, `default_reply.text`).
    public func problems() -> [ValidationError] {
        var problems: [ValidationError] = []
        if rules.count > Self.maximumRules {
            problems.append(ValidationError(field: "rules", message: "an account has at most \(Self.maximumRules) keyword rules"))
        }
        var seen: Set<String> = []
        for (index, rule) in rules.enumerated() {
            if !seen.insert(rule.id).inserted {
                problems.append(ValidationError(field: "rules[\(index)].id", message: "rule id \(rule.id) appears twice"))
            }
            problems += ReplyRuleSet.problems(of: rule).map { ValidationError(field: "rules[\(index)].\($0.field)", message: $0.message) }
        }
        problems += defaultReply?.problems(field: "default_reply") ?? []
        problems += subscribeReply?.problems(field: "subscribe_reply") ?? []
        for key in clickReplies.keys.sorted() {
            if key.isEmpty || key.utf8.count > AccountMenu.keyBytes {
                problems.append(ValidationError(field: "click_replies", message: "a menu key is 1 to \(AccountMenu.keyBytes) bytes"))
            }
            problems += clickReplies[key]?.problems(field: "click_replies.\(key)") ?? []
        }
        return problems
    }

    /// The rules ready to answer in memory.
    public var ruleSet: ReplyRuleSet { ReplyRuleSet(rules: rules, defaultReply: defaultReply, subscribeReply: subscribeReply, clickReplies: clickReplies) }
}
