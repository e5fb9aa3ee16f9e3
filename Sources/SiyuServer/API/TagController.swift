import Foundation
import Hummingbird
import SiyuCore
import SiyuStore

/// `/api/v1/tag_groups`, `/api/v1/tags`: enterprise tags, changed on WeCom first and mirrored here.
struct TagController: Sendable {
    let directory: DirectoryStore
    let tags: CorpTags

    func addRoutes(to group: RouterGroup<CorpContext>) {
        group.get("tag_groups", use: list)
        group.post("tag_groups", use: createGroup)
        group.patch("tag_groups/{group_id}", use: renameGroup)
        group.delete("tag_groups/{group_id}", use: deleteGroup)
        group.post("tag_groups/{group_id}/tags", use: createTag)
        group.patch("tags/{tag_id}", use: renameTag)
        group.delete("tags/{tag_id}", use: deleteTag)
    }

    @Sendable func list(_ request: Request, context: CorpContext) async throws -> Wire.Page<TagGroup> {
        Wire.Page(try await directory.tagGroups(corpID: context.corpID))
    }

    @Sendable func createGroup(_ request: Request, context: CorpContext) async throws -> EditedResponse<Wire.Page<TagGroup>> {
        let corpID = context.corpID
        let body = try await request.decode(as: Wire.TagGroupCreate.self, context: context)
        let groups = try await tags.createGroup(corpID: corpID, name: body.name, tags: body.tags, order: body.order)
        return EditedResponse(status: .created, response: Wire.Page(groups))
    }

    @Sendable func createTag(_ request: Request, context: CorpContext) async throws -> EditedResponse<Wire.Page<TagGroup>> {
        let corpID = context.corpID
        let groupID = try context.parameters.require("group_id")
        let body = try await request.decode(as: Wire.TagCreate.self, context: context)
        let groups = try await tags.createTag(corpID: corpID, groupID: groupID, name: body.name, order: body.order)
        return EditedResponse(status: .created, response: Wire.Page(groups))
    }

    @Sendable func renameGroup(_ request: Request, context: CorpContext) async throws -> Wire.Page<TagGroup> {
        try await edit(request, context, id: try context.parameters.require("group_id"), isGroup: true)
    }

    @Sendable func renameTag(_ request: Request, context: CorpContext) async throws -> Wire.Page<TagGroup> {
        try await edit(request, context, id: try context.parameters.require("tag_id"), isGroup: false)
    }

    @Sendable func deleteGroup(_ request: Request, context: CorpContext) async throws -> Response {
        try await tags.remove(corpID: context.corpID, id: try context.parameters.require("group_id"), isGroup: true, actor: context.principal.actor)
        return Response(status: .noContent)
    }

    @Sendable func deleteTag(_ request: Request, context: CorpContext) async throws -> Response {
        try await tags.remove(corpID: context.corpID, id: try context.parameters.require("tag_id"), isGroup: false, actor: context.principal.actor)
        return Response(status: .noContent)
    }

    private func edit(_ request: Request, _ context: CorpContext, id: String, isGroup: Bool) async throws -> Wire.Page<TagGroup> {
        let corpID = context.corpID
        let body = try await request.decode(as: Wire.TagRename.self, context: context)
        return Wire.Page(try await tags.edit(corpID: corpID, id: id, isGroup: isGroup, name: body.name, order: body.order))
    }
}
