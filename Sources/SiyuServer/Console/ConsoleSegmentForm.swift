import Foundation
import SiyuCore
import SiyuStore

/// The audience builder's form fields (`segment_builder.mustache`), read into a
/// ``SegmentBuilder`` and written back from one.
///
/// Pickers post ids; the builder writes a tag's, channel's, member's or group's display name
/// when no other one has it (readable in the expression editor, and what the index resolves),
/// the id otherwise. Departments are written by id, as the language takes them.
struct ConsoleSegmentForm {
    /// `builder` (the pickers) or `expression` (the text an expert typed).
    var mode = "builder"
    var expressionText = ""
    var builder = SegmentBuilder()
    /// Fields the form could not read, by field (a message key and the text at fault).
    var problems: [String: String] = [:]

    static let comparisons: [SegmentComparison] = [.greaterOrEqual, .greater, .equal, .lessOrEqual, .less]

    init() {}

    /// What a submitted form says.
    init(form: ConsoleForm, names: ConsoleNames, groups: [GroupStore.Group]) {
        mode = form["segment_mode"] == "expression" ? "expression" : "builder"
        expressionText = form["expression"] ?? ""
        let written = Writing(names: names, groups: groups)
        builder.allTags = form.values("tags_all").map(written.tag)
        builder.anyTags = form.values("tags_any").map(written.tag)
        builder.noTags = form.values("tags_none").map(written.tag)
        builder.channels = form.values("channels").map(written.channel)
        builder.members = form.list("segment_members").map(written.member)
        builder.departments = form.values("departments").compactMap { Int($0) }
        builder.groups = form.values("groups").map(written.group)
        builder.status = SegmentStatus(rawValue: form["status"] ?? "")
        builder.addedAfter = day(form, "added_after")
        builder.addedBefore = day(form, "added_before")
        builder.addedWithinDays = days(form, "added_within")
        let contactDays = days(form, "contact_days")
        switch form["contact"] ?? "" {
        case "within": builder.lastContact = contactDays.map { .within(days: $0) }; if contactDays == nil { problems["contact_days"] = "segment_field_days" }
        case "not_within": builder.lastContact = contactDays.map { .notWithin(days: $0) }; if contactDays == nil { problems["contact_days"] = "segment_field_days" }
        case "never": builder.lastContact = .never
        default: break
        }
        builder.ordersCount = order(form, "orders_count", decimals: false)
        builder.ordersAmount = order(form, "orders_amount", decimals: true)
        builder.lastOrderWithinDays = days(form, "last_order_within")
    }

    /// A submitted form, with the corp's names and groups read for it.
    static func read(_ form: ConsoleForm, store: SiyuStore, corpID: String) async throws -> ConsoleSegmentForm {
        ConsoleSegmentForm(form: form, names: try await ConsoleNames(store: store, corpID: corpID), groups: try await store.groups.list(corpID: corpID))
    }

    /// A saved expression: in the builder when it has the builder's shape, else in the editor.
    init(expression: String) {
        expressionText = expression
        if let parsed = try? SegmentParser.parse(expression), let read = SegmentBuilder(expression: parsed) {
            builder = read
        } else {
            mode = "expression"
        }
    }

    /// The expression to count or save: the editor's text, or what the builder writes (`status =
    /// active or status = lost`, everyone, when nothing is chosen).
    var text: String {
        if mode == "expression" { return expressionText }
        return builder.expression?.description ?? "status = active or status = lost"
    }

    private func day(_ form: ConsoleForm, _ field: String) -> SegmentDay? {
        guard let text = form[field], !text.isEmpty else { return nil }
        return SegmentDay(iso: text)
    }

    private mutating func days(_ form: ConsoleForm, _ field: String) -> Int? {
        guard let text = form[field], !text.isEmpty else { return nil }
        guard let value = Int(text), (1...100_000).contains(value) else {
            problems[field] = "segment_field_days"
            return nil
        }
        return value
    }

    private mutating func order(_ form: ConsoleForm, _ field: String, decimals: Bool) -> SegmentBuilder.OrderTest? {
        guard let text = form[field], !text.isEmpty else { return nil }
        let comparison = SegmentComparison(rawValue: form[field + "_op"] ?? "") ?? .greaterOrEqual
        if decimals, let fen = try? Money.parseYuan(text) { return SegmentBuilder.OrderTest(comparison, fen) }
        if !decimals, let count = Int64(text), count >= 0 { return SegmentBuilder.OrderTest(comparison, count) }
        problems[field] = decimals ? "segment_field_amount" : "segment_field_count"
        return nil
    }

    /// The builder's fields for the template, with each picker's choices checked.
    /// `expressionError` shows under the expression (a parse error, an empty audience).
    func fields(names: ConsoleNames, groups: [GroupStore.Group], t: [String: String], expressionError: String? = nil) -> [String: Any] {
        let written = Writing(names: names, groups: groups)
        let chosen: (all: Set<String>, any: Set<String>, none: Set<String>) = (
            Set(builder.allTags.compactMap(written.tagID)), Set(builder.anyTags.compactMap(written.tagID)), Set(builder.noTags.compactMap(written.tagID))
        )
        let tagGroups = Dictionary(grouping: names.tagList, by: \.group).sorted { $0.key < $1.key }.map { group, tags -> [String: Any] in
            ["name": group, "tags": tags.map { tag -> [String: Any] in
                ["tag_id": tag.id, "name": tag.name, "all": chosen.all.contains(tag.id), "any": chosen.any.contains(tag.id), "none": chosen.none.contains(tag.id)]
            }]
        }
        let channelIDs = Set(builder.channels.compactMap(written.channelID))
        let groupIDs = Set(builder.groups.compactMap(written.groupID))
        let departmentIDs = Set(builder.departments)
        func option(_ value: String, _ label: String, _ selected: Bool) -> [String: Any] { ["value": value, "label": label, "selected": selected] }
        var fields: [String: Any] = [
            "mode_builder": mode == "builder", "mode_expression": mode == "expression", "expression": expressionText.isEmpty ? text : expressionText,
            "tag_groups": tagGroups,
            "channels": names.channels.sorted { $0.value < $1.value }.map { ["channel_id": $0.key, "name": $0.value, "checked": channelIDs.contains($0.key)] as [String: Any] },
            "departments": names.departments.values.sorted { $0.departmentID < $1.departmentID }.map {
                ["department_id": $0.departmentID, "name": $0.name, "checked": departmentIDs.contains($0.departmentID)] as [String: Any]
            },
            "groups": groups.filter { $0.dismissedAt == nil }.map {
                ["chat_id": $0.chatID, "name": $0.name.isEmpty ? (t["group_unnamed"] ?? "") : $0.name, "owner": names.member($0.owner), "checked": groupIDs.contains($0.chatID)] as [String: Any]
            },
            "member_picker": names.picker(field: "segment_members", chosen: builder.members.map { written.memberID($0) ?? $0 }),
            "status_options": [option("", t["segment_status_any"] ?? "", builder.status == nil), option("active", t["status_active"] ?? "", builder.status == .active),
                               option("lost", t["status_lost"] ?? "", builder.status == .lost)],
            "added_after": builder.addedAfter?.description ?? "", "added_before": builder.addedBefore?.description ?? "",
            "added_within": builder.addedWithinDays.map(String.init) ?? "",
            "last_order_within": builder.lastOrderWithinDays.map(String.init) ?? "",
            "orders_count": builder.ordersCount.map { String($0.value) } ?? "",
            "orders_amount": builder.ordersAmount.map { Money.formatYuan($0.value) } ?? "",
        ]
        let contact: String, contactDays: Int?
        switch builder.lastContact {
        case .within(let days): (contact, contactDays) = ("within", days)
        case .notWithin(let days): (contact, contactDays) = ("not_within", days)
        case .never: (contact, contactDays) = ("never", nil)
        case nil: (contact, contactDays) = ("", nil)
        }
        fields["contact_options"] = ["", "within", "not_within", "never"].map { option($0, t["segment_contact_" + ($0.isEmpty ? "any" : $0)] ?? $0, $0 == contact) }
        fields["contact_days"] = contactDays.map(String.init) ?? ""
        for (field, test) in [("orders_count_ops", builder.ordersCount), ("orders_amount_ops", builder.ordersAmount)] {
            fields[field] = Self.comparisons.map { option($0.rawValue, t["comparison_" + Self.name($0)] ?? $0.rawValue, $0 == (test?.comparison ?? .greaterOrEqual)) }
        }
        var errors = problems.mapValues { t[$0] ?? $0 }
        if let expressionError { errors["expression"] = expressionError }
        fields["errors"] = errors
        return fields
    }

    static func name(_ comparison: SegmentComparison) -> String {
        switch comparison {
        case .equal: "eq"
        case .notEqual: "ne"
        case .less: "lt"
        case .lessOrEqual: "le"
        case .greater: "gt"
        case .greaterOrEqual: "ge"
        }
    }

    /// How names are written into an expression, and read back to the ids a picker checks.
    struct Writing {
        let names: ConsoleNames
        let groups: [GroupStore.Group]

        /// The name when no other thing of its kind has it, else the id.
        private static func written(_ id: String, in table: [String: String]) -> String {
            guard let name = table[id], !name.isEmpty, table.values.filter({ $0 == name }).count == 1, table[name] == nil else { return id }
            return name
        }

        /// The id a written name or id stands for.
        private static func id(_ text: String, in table: [String: String]) -> String? {
            if table[text] != nil { return text }
            let matches = table.filter { $0.value == text }
            return matches.count == 1 ? matches.first?.key : nil
        }

        var memberTable: [String: String] { Dictionary(names.members.map { ($0.userID, $0.name) }, uniquingKeysWith: { first, _ in first }) }
        var groupTable: [String: String] { Dictionary(groups.map { ($0.chatID, $0.name) }, uniquingKeysWith: { first, _ in first }) }

        func tag(_ id: String) -> String { Self.written(id, in: names.tags) }
        func channel(_ id: String) -> String { Self.written(id, in: names.channels) }
        func member(_ id: String) -> String { Self.written(id, in: memberTable) }
        func group(_ id: String) -> String { Self.written(id, in: groupTable) }
        func tagID(_ text: String) -> String? { Self.id(text, in: names.tags) }
        func channelID(_ text: String) -> String? { Self.id(text, in: names.channels) }
        func memberID(_ text: String) -> String? { Self.id(text, in: memberTable) }
        func groupID(_ text: String) -> String? { Self.id(text, in: groupTable) }
    }
}
