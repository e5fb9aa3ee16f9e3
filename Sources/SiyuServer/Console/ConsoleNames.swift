import Foundation
import SiyuCore
import SiyuStore

/// The names a console page shows instead of ids: members (with their departments), tags and
/// channels of one corp, read once per page.
struct ConsoleNames: Sendable {
    let members: [MemberRecord]
    let departments: [Int: DepartmentRecord]
    let tags: [String: String]
    /// Every tag with its group's name, in the groups' order.
    let tagList: [(id: String, name: String, group: String)]
    let channels: [String: String]
    private let memberIndex: [String: MemberRecord]
    /// API keys' labels by key id (who a `key:<corp>/<key>` actor is).
    let keyLabels: [String: String]

    init(store: SiyuStore, corpID: String) async throws {
        members = try await store.directory.members(corpID: corpID)
        departments = try await store.directory.departments(corpID: corpID)
        let groups = try await store.directory.tagGroups(corpID: corpID)
        tagList = groups.flatMap { group in group.tags.map { (id: $0.tagID, name: $0.name, group: group.name) } }
        tags = Dictionary(tagList.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        channels = Dictionary(try await store.channels.list(corpID: corpID).map { ($0.channelID, $0.name) }, uniquingKeysWith: { first, _ in first })
        memberIndex = Dictionary(members.map { ($0.userID, $0) }, uniquingKeysWith: { first, _ in first })
        keyLabels = Dictionary(try await store.apiKeys.list(corpID: corpID).map { ($0.keyID, $0.label) }, uniquingKeysWith: { first, _ in first })
    }

    /// Who did something, in words: a console user by username, an API key by its label, the
    /// admin token, or the system; `t` gives the words.
    func actor(_ actor: String, _ t: [String: String]) -> String {
        func fill(_ key: String, _ value: String) -> String { (t[key] ?? key).replacingOccurrences(of: "{name}", with: value) }
        if actor.hasPrefix("console:") { return fill("actor_console", String(actor.dropFirst("console:".count))) }
        if actor.hasPrefix("key:") {
            let keyID = String(actor.split(separator: "/").last ?? "")
            let label = keyLabels[keyID].flatMap { $0.isEmpty ? nil : $0 } ?? keyID
            return fill("actor_key", label)
        }
        if actor == "admin" { return t["actor_admin"] ?? actor }
        if actor.isEmpty || actor == "system" || actor == "sync" || actor == "demo" { return t["actor_system"] ?? actor }
        return actor
    }

    /// A timeline entry as a sentence with names: who, what, through which channel, which tags, by whom.
    func sentence(_ entry: CustomerProfile.TimelineEntry, _ t: [String: String]) -> String {
        let detail = entry.detail
        let values: [String: String] = [
            "member": entry.userID.isEmpty ? (t["timeline_someone"] ?? "") : member(entry.userID),
            "channel": detail["channel_id"].flatMap { $0.isEmpty ? nil : channel($0) } ?? "",
            "tags": (detail["tag_ids"] ?? "").split(separator: ",").map { tag(String($0)) }.joined(separator: "、"),
            "by": detail["by"].map { actor($0, t) } ?? "",
            "reason": detail["reason"] ?? detail["error"] ?? "",
            "text": detail["text"] ?? "",
        ]
        var key = "timeline_" + entry.kind
        if entry.kind == "added", !(values["channel"] ?? "").isEmpty { key += "_channel" }
        if entry.kind == "tagged" || entry.kind == "untagged", !(values["by"] ?? "").isEmpty { key += "_by" }
        guard let template = t[key] else { return t["event_" + entry.kind] ?? entry.kind }
        return values.reduce(template) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
    }

    /// A member's name, or the userid when Siyu has not mirrored them.
    func member(_ userID: String) -> String { memberIndex[userID]?.name ?? userID }

    /// The names of a member's departments, joined.
    func department(of userID: String) -> String {
        (memberIndex[userID]?.departments ?? []).compactMap { departments[$0]?.name }.joined(separator: "、")
    }

    func tag(_ tagID: String) -> String { tags[tagID] ?? tagID }
    func channel(_ channelID: String) -> String { channels[channelID] ?? channelID }

    /// A person or thing for a template: its name, its id for the tooltip, and whether the name is known.
    func memberLabel(_ userID: String) -> [String: Any] {
        var label: [String: Any] = ["name": member(userID), "id": userID]
        let department = department(of: userID)
        if !department.isEmpty { label["department"] = department }
        if memberIndex[userID] == nil { label["unknown"] = true }
        return label
    }

    /// The searchable member picker (`member_picker.mustache`): every mirrored member with their
    /// departments, the chosen ones checked (in order), and chosen ids Siyu does not know kept so
    /// that the form shows them and their error.
    func picker(field: String, chosen: [String], single: Bool = false) -> [String: Any] {
        let chosenSet = Set(chosen)
        let known = members.map { member -> [String: Any] in
            ["userid": member.userID, "name": member.name, "department": department(of: member.userID), "checked": chosenSet.contains(member.userID)]
        }
        let unknown = chosen.filter { memberIndex[$0] == nil }.map { ["userid": $0] }
        var picker: [String: Any] = ["field": field, "options": known, "type": single ? "radio" : "checkbox"]
        if !unknown.isEmpty { picker["unknown"] = unknown }
        if !chosen.isEmpty { picker["summary"] = chosen.map(member).joined(separator: "、") }
        return picker
    }
}
