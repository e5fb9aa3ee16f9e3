import Foundation
import Hummingbird
import SiyuCore
import SiyuStore
import WeCom

/// `/api/v1/tag_groups`, `/api/v1/tags`: enterprise tags, changed on WeCom first and mirrored here.
struct TagController: Sendable {
    let store: SiyuStore
    let wecom: WeComConnections

    struct GroupList: ResponseEncodable { var tagGroups: [TagGroup]; enum CodingKeys: String, CodingKey { case tagGroups = "tag_groups" } }
    struct CreateGroup: Decodable { var name: String; var tags: [String]; var order: Int? }
    struct CreateTag: Decodable { var name: String; var order: Int? }
    struct Rename: Decodable { var name: String?; var order: Int? }

    func addRoutes(to group: RouterGroup<AuthenticatedContext>) {
        group.get("tag_groups", use: list)
        group.post("tag_groups", use: createGroup)
        group.patch("tag_groups/{group_id}", use: renameGroup)
        group.delete("tag_groups/{group_id}", use: deleteGroup)
        group.post("tag_groups/{group_id}/tags", use: createTag)
        group.patch("tags/{tag_id}", use: renameTag)
        group.delete("tags/{tag_id}", use: deleteTag)
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> GroupList {
        GroupList(tagGroups: try await store.directory.tagGroups(corpID: try context.actingCorp()))
    }

    @Sendable func createGroup(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<GroupList> {
        let corpID = try context.actingCorp()
        let body = try await request.decode(as: CreateGroup.self, context: context)
        try TagGroup.validateName(body.name, field: "name")
        guard !body.tags.isEmpty else { throw ValidationError(field: "tags", message: "a tag group needs at least one tag") }
        for tag in body.tags { try TagGroup.validateName(tag, field: "tags") }
        guard Set(body.tags).count == body.tags.count else { throw ValidationError(field: "tags", message: "tag names repeat") }
        let client = try await wecom.client(for: corpID)
        _ = try await client.addCorpTag(AddCorpTagRequest(groupName: body.name, order: body.order, tag: body.tags.map { NewCorpTag(name: $0) }))
        return EditedResponse(status: .created, response: GroupList(tagGroups: try await refresh(corpID: corpID, client: client)))
    }

    @Sendable func createTag(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<GroupList> {
        let corpID = try context.actingCorp()
        let groupID = try context.parameters.require("group_id")
        let body = try await request.decode(as: CreateTag.self, context: context)
        try TagGroup.validateName(body.name, field: "name")
        guard try await store.directory.tagGroups(corpID: corpID).contains(where: { $0.groupID == groupID }) else {
            throw APIError(.notFound, code: "not_found", "no tag group \(groupID)")
        }
        let client = try await wecom.client(for: corpID)
        _ = try await client.addCorpTag(AddCorpTagRequest(groupID: groupID, tag: [NewCorpTag(name: body.name, order: body.order)]))
        return EditedResponse(status: .created, response: GroupList(tagGroups: try await refresh(corpID: corpID, client: client)))
    }

    @Sendable func renameGroup(_ request: Request, context: AuthenticatedContext) async throws -> GroupList {
        try await edit(request, context, id: try context.parameters.require("group_id"), isGroup: true)
    }

    @Sendable func renameTag(_ request: Request, context: AuthenticatedContext) async throws -> GroupList {
        try await edit(request, context, id: try context.parameters.require("tag_id"), isGroup: false)
    }

    @Sendable func deleteGroup(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        try await remove(context, id: try context.parameters.require("group_id"), isGroup: true)
    }

    @Sendable func deleteTag(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        try await remove(context, id: try context.parameters.require("tag_id"), isGroup: false)
    }

    private func edit(_ request: Request, _ context: AuthenticatedContext, id: String, isGroup: Bool) async throws -> GroupList {
        let corpID = try context.actingCorp()
        let body = try await request.decode(as: Rename.self, context: context)
        if let name = body.name { try TagGroup.validateName(name, field: "name") }
        try await requireKnown(corpID: corpID, id: id, isGroup: isGroup)
        let client = try await wecom.client(for: corpID)
        try await client.editCorpTag(EditCorpTagRequest(id: id, name: body.name, order: body.order))
        return GroupList(tagGroups: try await refresh(corpID: corpID, client: client))
    }

    private func remove(_ context: AuthenticatedContext, id: String, isGroup: Bool) async throws -> Response {
        let corpID = try context.actingCorp()
        try await requireKnown(corpID: corpID, id: id, isGroup: isGroup)
        let client = try await wecom.client(for: corpID)
        try await client.deleteCorpTag(isGroup ? DeleteCorpTagRequest(groupID: [id]) : DeleteCorpTagRequest(tagID: [id]))
        try await store.directory.removeTags(corpID: corpID, tagIDs: isGroup ? [] : [id], groupIDs: isGroup ? [id] : [], actor: context.principal.actor)
        return Response(status: .noContent)
    }

    private func requireKnown(corpID: String, id: String, isGroup: Bool) async throws {
        let groups = try await store.directory.tagGroups(corpID: corpID)
        let known = isGroup ? groups.contains { $0.groupID == id } : groups.contains { $0.tags.contains { $0.tagID == id } }
        guard known else { throw APIError(.notFound, code: "not_found", "no \(isGroup ? "tag group" : "tag") \(id)") }
    }

    /// Mirrors the platform's tags after a change, so both sides hold exactly the same.
    private func refresh(corpID: String, client: WeComClient) async throws -> [TagGroup] {
        let groups = try await client.corpTags().filter { $0.deleted != true }.map(TagGroup.init)
        try await store.directory.replaceTags(corpID: corpID, groups: groups)
        return try await store.directory.tagGroups(corpID: corpID)
    }
}
