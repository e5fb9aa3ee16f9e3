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

    init(store: SiyuStore, corpID: String) async throws {
        members = try await store.directory.members(corpID: corpID)
        departments = try await store.directory.departments(corpID: corpID)
        let groups = try await store.directory.tagGroups(corpID: corpID)
        tagList = groups.flatMap { group in group.tags.map { (id: $0.tagID, name: $0.name, group: group.name) } }
        tags = Dictionary(tagList.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        channels = Dictionary(try await store.channels.list(corpID: corpID).map { ($0.channelID, $0.name) }, uniquingKeysWith: { first, _ in first })
        memberIndex = Dictionary(members.map { ($0.userID, $0) }, uniquingKeysWith: { first, _ in first })
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
