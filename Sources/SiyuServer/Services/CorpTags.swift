import Foundation
import SiyuCore
import SiyuStore
import WeCom

/// Enterprise tags, changed on WeCom first and then mirrored here. The REST API and the console
/// both go through here.
struct CorpTags: Sendable {
    let store: SiyuStore
    let wecom: WeComConnections
    let time: TimeSource

    /// A new group with its first tags; returns every group afterwards.
    func createGroup(corpID: String, name: String, tags: [String], order: Int? = nil) async throws -> [TagGroup] {
        try TagGroup.validateName(name, field: "name")
        guard !tags.isEmpty else { throw ValidationError(field: "tags", message: "a tag group needs at least one tag") }
        for tag in tags { try TagGroup.validateName(tag, field: "tags") }
        guard Set(tags).count == tags.count else { throw ValidationError(field: "tags", message: "tag names repeat") }
        let client = try await wecom.client(for: corpID)
        _ = try await client.addCorpTag(AddCorpTagRequest(groupName: name, order: order, tag: tags.map { NewCorpTag(name: $0) }))
        return try await refresh(corpID: corpID, client: client)
    }

    /// A new tag in an existing group; returns every group afterwards.
    func createTag(corpID: String, groupID: String, name: String, order: Int? = nil) async throws -> [TagGroup] {
        try TagGroup.validateName(name, field: "name")
        try await requireKnown(corpID: corpID, id: groupID, isGroup: true)
        let client = try await wecom.client(for: corpID)
        _ = try await client.addCorpTag(AddCorpTagRequest(groupID: groupID, tag: [NewCorpTag(name: name, order: order)]))
        return try await refresh(corpID: corpID, client: client)
    }

    /// Renames (or reorders) a tag or a group; returns every group afterwards.
    func edit(corpID: String, id: String, isGroup: Bool, name: String?, order: Int? = nil) async throws -> [TagGroup] {
        if let name { try TagGroup.validateName(name, field: "name") }
        try await requireKnown(corpID: corpID, id: id, isGroup: isGroup)
        let client = try await wecom.client(for: corpID)
        try await client.editCorpTag(EditCorpTagRequest(id: id, name: name, order: order))
        return try await refresh(corpID: corpID, client: client)
    }

    /// Deletes a tag or a whole group, with the customer tags that pointed at it.
    func remove(corpID: String, id: String, isGroup: Bool, actor: String) async throws {
        try await requireKnown(corpID: corpID, id: id, isGroup: isGroup)
        let client = try await wecom.client(for: corpID)
        try await client.deleteCorpTag(isGroup ? DeleteCorpTagRequest(groupID: [id]) : DeleteCorpTagRequest(tagID: [id]))
        try await store.directory.removeTags(corpID: corpID, tagIDs: isGroup ? [] : [id], groupIDs: isGroup ? [id] : [], actor: actor, now: time())
    }

    private func requireKnown(corpID: String, id: String, isGroup: Bool) async throws {
        let groups = try await store.directory.tagGroups(corpID: corpID)
        let known = isGroup ? groups.contains { $0.groupID == id } : groups.contains { $0.tags.contains { $0.tagID == id } }
        guard known else { throw APIError(.notFound, code: "not_found", "no \(isGroup ? "tag group" : "tag") \(id)") }
    }

    /// Mirrors the platform's tags after a change, so both sides hold exactly the same.
    private func refresh(corpID: String, client: WeComClient) async throws -> [TagGroup] {
        let groups = try await client.corpTags().filter { $0.deleted != true }.map(TagGroup.init)
        try await store.directory.replaceTags(corpID: corpID, groups: groups, now: time())
        return try await store.directory.tagGroups(corpID: corpID)
    }
}
