import Foundation
import Hummingbird
import SiyuCore
import SiyuStore

/// 标签: tag groups and their tags; create, rename and delete through ``CorpTags`` (WeCom first, like the REST API).
struct ConsoleTagController: Sendable {
    let store: SiyuStore
    let tags: CorpTags
    let layout: ConsoleLayout

    func addRoutes(to group: RouterGroup<ConsoleContext>) {
        group.get("tags", use: list)
        group.post("tags/groups", use: createGroup)
        group.post("tags/groups/{group_id}/tags", use: createTag)
        group.post("tags/groups/{group_id}/rename", use: renameGroup)
        group.post("tags/groups/{group_id}/delete", use: deleteGroup)
        group.post("tags/{tag_id}/rename", use: renameTag)
        group.post("tags/{tag_id}/delete", use: deleteTag)
    }

    @Sendable func list(_ request: Request, context: ConsoleContext) async throws -> Response {
        try await render(request, context, errors: [:], status: .ok)
    }

    @Sendable func createGroup(_ request: Request, context: ConsoleContext) async throws -> Response {
        try await change(request, context, errorScope: "new_group", done: "tag_group_created") { corpID, form in
            _ = try await tags.createGroup(corpID: corpID, name: form["name"] ?? "", tags: form.list("tags"))
        }
    }

    @Sendable func createTag(_ request: Request, context: ConsoleContext) async throws -> Response {
        let groupID = try context.parameters.require("group_id")
        return try await change(request, context, errorScope: "group_" + groupID, done: "tag_created") { corpID, form in
            _ = try await tags.createTag(corpID: corpID, groupID: groupID, name: form["name"] ?? "")
        }
    }

    @Sendable func renameGroup(_ request: Request, context: ConsoleContext) async throws -> Response {
        let groupID = try context.parameters.require("group_id")
        return try await change(request, context, errorScope: "group_" + groupID, done: "renamed") { corpID, form in
            _ = try await tags.edit(corpID: corpID, id: groupID, isGroup: true, name: form["name"] ?? "")
        }
    }

    @Sendable func renameTag(_ request: Request, context: ConsoleContext) async throws -> Response {
        let tagID = try context.parameters.require("tag_id")
        return try await change(request, context, errorScope: "tag_" + tagID, done: "renamed") { corpID, form in
            _ = try await tags.edit(corpID: corpID, id: tagID, isGroup: false, name: form["name"] ?? "")
        }
    }

    @Sendable func deleteGroup(_ request: Request, context: ConsoleContext) async throws -> Response {
        let groupID = try context.parameters.require("group_id")
        return try await change(request, context, errorScope: "group_" + groupID, done: "deleted") { corpID, _ in
            try await tags.remove(corpID: corpID, id: groupID, isGroup: true, actor: context.actor)
        }
    }

    @Sendable func deleteTag(_ request: Request, context: ConsoleContext) async throws -> Response {
        let tagID = try context.parameters.require("tag_id")
        return try await change(request, context, errorScope: "tag_" + tagID, done: "deleted") { corpID, _ in
            try await tags.remove(corpID: corpID, id: tagID, isGroup: false, actor: context.actor)
        }
    }

    /// Runs one change; a validation error shows the page again with the message beside the form it came from.
    private func change(
        _ request: Request, _ context: ConsoleContext, errorScope: String, done: String,
        _ body: (String, ConsoleForm) async throws -> Void
    ) async throws -> Response {
        try context.requireOperator()
        let corpID = try context.corp()
        var request = request
        let form = try await ConsoleForm.read(&request)
        do {
            try await body(corpID, form)
        } catch let error as ValidationError {
            let message = layout.fieldErrors(error, request).values.first ?? error.message
            return try await render(request, context, errors: [errorScope: message], status: .unprocessableContent)
        }
        return .redirect(to: "/console/tags?done=" + done)
    }

    private func render(_ request: Request, _ context: ConsoleContext, errors: [String: String], status: HTTPResponse.Status) async throws -> Response {
        try context.requireOperator()
        let corpID = try context.corp()
        let t = layout.renderer.strings.table(ConsoleLanguage(request))
        let model = Page(
            newGroupError: errors["new_group"],
            groups: try await store.directory.tagGroups(corpID: corpID).map { group in
                Page.Group(
                    groupID: group.groupID, name: group.name, groupError: errors["group_" + group.groupID],
                    tags: group.tags.map { Page.Tag(tagID: $0.tagID, name: $0.name, tagError: errors["tag_" + $0.tagID]) }
                )
            }
        )
        return try await layout.page(.tags, request, context, section: "tags", title: t["nav_tags"] ?? "", model: model, status: status)
    }

    /// The tags page. Each level's error has its own name: a nil tag error must not fall back to
    /// its group's in the template's lookup.
    struct Page: Sendable {
        struct Tag: Sendable {
            var tagID: String
            var name: String
            var tagError: String?
        }

        struct Group: Sendable {
            var groupID: String
            var name: String
            var groupError: String?
            var tags: [Tag]
        }

        var newGroupError: String?
        var groups: [Group]
    }
}
