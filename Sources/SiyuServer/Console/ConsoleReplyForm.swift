import Foundation
import SiyuCore

/// The 自动回复 form as typed: keyword rules (one row each, plus an empty one to add), the
/// default and subscribe replies and the menu-key replies, read into a `ReplyRulesDocument`.
/// Every problem (`ReplyRulesDocument.problems()` and what the form itself cannot read) is kept
/// under the row and field that shows it.
struct ConsoleReplyForm: Sendable {
    /// One reply's fields (`{prefix}type`, `{prefix}text`, …); `type` is empty for "no reply".
    struct Reply: Sendable {
        var prefix: String
        var type = ""
        var text = ""
        var mediaID = ""
        var title = ""
        var description = ""
        var picURL = ""
        var url = ""
        /// Keyed by field: `type`, `text`, `media_id`, `news_title`, `news_url`, `news_pic_url`.
        var errors: [String: String] = [:]
        var optional: Bool
        var typeOptions: [ConsoleOption] = []

        init(prefix: String, optional: Bool, _ content: ReplyContent? = nil) {
            self.prefix = prefix
            self.optional = optional
            switch content {
            case .text(let text)?: (type, self.text) = ("text", text)
            case .image(let mediaID)?: (type, self.mediaID) = ("image", mediaID)
            case .news(let article)?: (type, title, description, picURL, url) = ("news", article.title, article.description, article.picURL, article.url)
            case nil: type = optional ? "" : "text"
            }
        }

        init(prefix: String, optional: Bool, form: ConsoleForm) {
            self.init(prefix: prefix, optional: optional)
            type = form[prefix + "type"] ?? type
            text = form[prefix + "text"] ?? ""
            mediaID = form[prefix + "media_id"] ?? ""
            title = form[prefix + "title"] ?? ""
            description = form[prefix + "description"] ?? ""
            picURL = form[prefix + "pic_url"] ?? ""
            url = form[prefix + "url"] ?? ""
        }

        /// Nothing typed in any of its fields.
        var isBlank: Bool { [text, mediaID, title, description, picURL, url].allSatisfy(\.isEmpty) }

        /// The content the fields say; nil for "no reply" (or an unknown type).
        var content: ReplyContent? {
            switch type {
            case "text": .text(text)
            case "image": .image(mediaID: mediaID)
            case "news": .news(.init(title: title, description: description, picURL: picURL, url: url))
            default: nil
            }
        }
    }

    struct Rule: Sendable {
        var index: Int
        var id = ""
        var name = ""
        var keywords = ""
        var match = KeywordMatch.contains.rawValue
        var priority = "0"
        var enabled = true
        var deleted = false
        /// Not saved yet (the template cannot test an empty `id`: an empty string shows a section).
        var isNew = true
        var reply: Reply
        var matchOptions: [ConsoleOption] = []
        /// Keyed by field: `name`, `keywords`, `priority`.
        var errors: [String: String] = [:]

        init(index: Int, _ rule: KeywordRule? = nil) {
            self.index = index
            reply = Reply(prefix: "rule_\(index)_", optional: false, rule?.reply)
            guard let rule else { return }
            (id, name, keywords, match, priority, enabled) = (rule.id, rule.name, rule.keywords.joined(separator: ", "), rule.match.rawValue, String(rule.priority), rule.enabled)
        }
    }

    struct Click: Sendable {
        var index: Int
        var key = ""
        var isNew = true
        var reply: Reply
        var errors: [String: String] = [:]

        init(index: Int, key: String = "", _ content: ReplyContent? = nil) {
            self.index = index
            self.key = key
            reply = Reply(prefix: "click_\(index)_", optional: false, content)
        }
    }

    var rules: [Rule]
    var defaultReply: Reply
    var subscribeReply: Reply
    var clicks: [Click]
    /// Problems of the form as a whole (too many rules, a menu key's length).
    var formErrors: [String] = []

    /// The saved rules, with an empty row to add a rule and one to bind a menu key.
    init(_ document: ReplyRulesDocument) {
        rules = document.rules.enumerated().map { Rule(index: $0.offset, $0.element) } + [Rule(index: document.rules.count)]
        defaultReply = Reply(prefix: "default_", optional: true, document.defaultReply)
        subscribeReply = Reply(prefix: "subscribe_", optional: true, document.subscribeReply)
        let keys = document.clickReplies.keys.sorted()
        clicks = keys.enumerated().map { Click(index: $0.offset, key: $0.element, document.clickReplies[$0.element]) } + [Click(index: keys.count)]
    }

    init(form: ConsoleForm) {
        rules = (0..<max(0, min(Int(form["rule_count"] ?? "") ?? 0, ReplyRulesDocument.maximumRules + 1))).map { index in
            var rule = Rule(index: index)
            let prefix = "rule_\(index)_"
            rule.id = form[prefix + "id"] ?? ""
            rule.name = form[prefix + "name"] ?? ""
            rule.keywords = form[prefix + "keywords"] ?? ""
            rule.match = form[prefix + "match"] ?? rule.match
            rule.priority = form[prefix + "priority"] ?? ""
            rule.enabled = form[prefix + "enabled"] != nil
            rule.reply = Reply(prefix: prefix, optional: false, form: form)
            rule.deleted = form[prefix + "delete"] != nil
            return rule
        }
        defaultReply = Reply(prefix: "default_", optional: true, form: form)
        subscribeReply = Reply(prefix: "subscribe_", optional: true, form: form)
        clicks = (0..<max(0, min(Int(form["click_count"] ?? "") ?? 0, 100))).map { index in
            var click = Click(index: index)
            click.key = form["click_\(index)_key"] ?? ""
            click.reply = Reply(prefix: "click_\(index)_", optional: false, form: form)
            return click
        }
    }

    /// Rules ticked for deletion are dropped; a new row left empty is no rule.
    private static func isDropped(_ rule: Rule) -> Bool {
        rule.deleted || (rule.id.isEmpty && rule.name.isEmpty && rule.keywords.isEmpty && rule.reply.isBlank)
    }

    /// The document the form says and every problem, each as `(field path, error)` with the
    /// path of the document (`rules[2].keywords`); `newID` names a new rule.
    mutating func document(newID: () -> String) -> (ReplyRulesDocument, [ValidationError]) {
        rules.removeAll(where: Self.isDropped)
        clicks.removeAll { $0.key.isEmpty && $0.reply.isBlank }
        var local: [ValidationError] = []
        var document = ReplyRulesDocument()
        for (position, row) in rules.enumerated() {
            let priority = Int(row.priority)
            if priority == nil { local.append(ValidationError(field: "rules[\(position)].priority", message: "the priority is a whole number")) }
            if row.reply.content == nil { local.append(ValidationError(field: "rules[\(position)].reply.type", message: "choose what the reply is")) }
            document.rules.append(KeywordRule(
                id: row.id.isEmpty ? newID() : row.id, name: row.name,
                keywords: row.keywords.split(whereSeparator: { ",，、\n".contains($0) }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
                match: KeywordMatch(rawValue: row.match) ?? .contains, priority: priority ?? 0, reply: row.reply.content ?? .text(""), enabled: row.enabled
            ))
            rules[position].id = document.rules[position].id
        }
        document.defaultReply = defaultReply.content
        document.subscribeReply = subscribeReply.content
        for (position, row) in clicks.enumerated() {
            if row.key.isEmpty { local.append(ValidationError(field: "clicks[\(position)].key", message: "the menu key is missing")) }
            if document.clickReplies[row.key] != nil { local.append(ValidationError(field: "clicks[\(position)].key", message: "this menu key appears twice", rule: "twice")) }
            if row.reply.content == nil { local.append(ValidationError(field: "clicks[\(position)].reply.type", message: "choose what the reply is")) }
            document.clickReplies[row.key] = row.reply.content ?? .text("")
        }
        return (document, local + document.problems())
    }

    /// Puts each problem beside its field; `text` words one (`leaf` is the field within its row).
    mutating func place(_ problems: [ValidationError], text: (ValidationError) -> String) {
        for problem in problems {
            let field = problem.field
            func leaf(after prefix: String) -> ValidationError {
                var rest = String(field.dropFirst(prefix.count))
                if rest.hasPrefix("keywords[") { rest = "keywords" }
                if rest.hasPrefix("reply.") { rest = String(rest.dropFirst("reply.".count)) }
                if rest == "id" { rest = "name" }
                return ValidationError(field: rest, message: problem.message, rule: problem.rule ?? (field.contains("keywords[") ? "length" : nil))
            }
            if let row = Self.row(field, "rules"), row.position < rules.count {
                let error = leaf(after: row.prefix)
                if Reply.fields.contains(error.field) { rules[row.position].reply.errors[Reply.key(error.field)] = text(error) } else { rules[row.position].errors[error.field] = text(error) }
            } else if let row = Self.row(field, "clicks"), row.position < clicks.count {
                let error = leaf(after: row.prefix)
                if Reply.fields.contains(error.field) { clicks[row.position].reply.errors[Reply.key(error.field)] = text(error) } else { clicks[row.position].errors[error.field] = text(error) }
            } else if field.hasPrefix("default_reply.") {
                defaultReply.errors[Reply.key(String(field.dropFirst("default_reply.".count)))] = text(leaf(after: "default_reply."))
            } else if field.hasPrefix("subscribe_reply.") {
                subscribeReply.errors[Reply.key(String(field.dropFirst("subscribe_reply.".count)))] = text(leaf(after: "subscribe_reply."))
            } else if field.hasPrefix("click_replies."), let position = clicks.indices.filter({ field.hasPrefix("click_replies.\(clicks[$0].key).") }).max(by: { clicks[$0].key.count < clicks[$1].key.count }) {
                let error = leaf(after: "click_replies.\(clicks[position].key).")
                clicks[position].reply.errors[Reply.key(error.field)] = text(error)
            } else {
                formErrors.append(text(problem))
            }
        }
    }

    /// The choices of every select, in the reader's language (`t`), numbered from zero again.
    mutating func label(_ t: [String: String]) {
        func choices(_ reply: inout Reply) {
            reply.typeOptions = ((reply.optional ? [""] : []) + ["text", "image", "news"]).map { ConsoleOption(value: $0, label: t["reply_type_" + ($0.isEmpty ? "none" : $0)] ?? $0, selected: $0 == reply.type) }
        }
        for index in rules.indices {
            rules[index].index = index
            rules[index].reply.prefix = "rule_\(index)_"
            rules[index].isNew = rules[index].id.isEmpty
            rules[index].matchOptions = KeywordMatch.allCases.map { ConsoleOption(value: $0.rawValue, label: t["reply_match_" + $0.rawValue] ?? $0.rawValue, selected: $0.rawValue == rules[index].match) }
            choices(&rules[index].reply)
        }
        for index in clicks.indices {
            clicks[index].index = index
            clicks[index].reply.prefix = "click_\(index)_"
            clicks[index].isNew = clicks[index].key.isEmpty
            choices(&clicks[index].reply)
        }
        choices(&defaultReply)
        choices(&subscribeReply)
    }

    /// `rules[3].name` → (3, "rules[3].").
    private static func row(_ field: String, _ list: String) -> (position: Int, prefix: String)? {
        guard field.hasPrefix(list + "["), let close = field.firstIndex(of: "]"),
              let position = Int(field[field.index(field.startIndex, offsetBy: list.count + 1)..<close]) else { return nil }
        return (position, String(field[...close]) + ".")
    }
}

extension ConsoleReplyForm.Reply {
    /// A reply's fields as problems name them.
    static let fields: Set<String> = ["type", "text", "media_id", "news.title", "news.url", "news.pic_url"]

    /// The template's name of a field (`news.title` → `news_title`).
    static func key(_ field: String) -> String { field.replacingOccurrences(of: ".", with: "_") }
}
