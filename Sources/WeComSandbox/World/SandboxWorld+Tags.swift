import WeCom

extension SandboxWorld {
    /// The platform's ceiling on enterprise tags.
    static let maxTags = 3000

    func corpTags(_ corpID: String, _ request: CorpTagListRequest) throws(SandboxError) -> CorpTagListResponse {
        try read(corpID) { corp in
            let tagFilter = Set(request.tagID ?? [])
            let groupFilter = Set(request.groupID ?? [])
            var groups = corp.tagGroups
            if !groupFilter.isEmpty { groups = groups.filter { groupFilter.contains($0.groupID) } }
            if !tagFilter.isEmpty {
                groups = groups.compactMap { group in
                    var group = group
                    group.tag = group.tag.filter { tagFilter.contains($0.id) }
                    return group.tag.isEmpty ? nil : group
                }
            }
            return CorpTagListResponse(tagGroup: groups)
        }
    }

    func addCorpTag(_ corpID: String, _ request: AddCorpTagRequest) throws(SandboxError) -> AddCorpTagResponse {
        guard !request.tag.isEmpty else { throw .invalidParameter("tag must not be empty") }
        for tag in request.tag where tag.name.isEmpty || tag.name.count > 30 {
            throw .invalidParameter("tag names are 1 to 30 characters")
        }
        let now = clock.unixNow
        var generated: [String] = []
        for _ in 0...request.tag.count { generated.append(ids.tagID()) }
        return try mutate(corpID) { corp throws(SandboxError) in
            guard corp.allTagIDs.count + request.tag.count <= Self.maxTags else {
                throw SandboxError(40071, "tag count exceeds the limit of \(Self.maxTags)")
            }
            var index: Int
            if let groupID = request.groupID {
                guard let found = corp.tagGroups.firstIndex(where: { $0.groupID == groupID }) else { throw .invalidTag }
                index = found
            } else if let name = request.groupName, let found = corp.tagGroups.firstIndex(where: { $0.groupName == name }) {
                index = found
            } else {
                guard let name = request.groupName, !name.isEmpty else { throw .invalidParameter("group_id or group_name is required") }
                corp.tagGroups.append(CorpTagGroup(groupID: generated[0], groupName: name, createTime: now, order: request.order ?? 0, tag: []))
                index = corp.tagGroups.count - 1
            }
            var added: [CorpTag] = []
            for (offset, tag) in request.tag.enumerated() {
                if corp.tagGroups[index].tag.contains(where: { $0.name == tag.name }) {
                    throw SandboxError(40071, "tag name already exists in this group")
                }
                let created = CorpTag(id: generated[offset + 1], name: tag.name, createTime: now, order: tag.order ?? 0)
                corp.tagGroups[index].tag.append(created)
                added.append(created)
            }
            var answer = corp.tagGroups[index]
            answer.tag = added
            return AddCorpTagResponse(tagGroup: answer)
        }
    }

    func editCorpTag(_ corpID: String, _ request: EditCorpTagRequest) throws(SandboxError) {
        try mutate(corpID) { corp throws(SandboxError) in
            if let group = corp.tagGroups.firstIndex(where: { $0.groupID == request.id }) {
                if let name = request.name { corp.tagGroups[group].groupName = name }
                if let order = request.order { corp.tagGroups[group].order = order }
                return
            }
            for group in corp.tagGroups.indices {
                if let tag = corp.tagGroups[group].tag.firstIndex(where: { $0.id == request.id }) {
                    if let name = request.name { corp.tagGroups[group].tag[tag].name = name }
                    if let order = request.order { corp.tagGroups[group].tag[tag].order = order }
                    return
                }
            }
            throw .invalidTag
        }
    }

    func deleteCorpTag(_ corpID: String, _ request: DeleteCorpTagRequest) throws(SandboxError) {
        let tagIDs = Set(request.tagID ?? [])
        let groupIDs = Set(request.groupID ?? [])
        guard !tagIDs.isEmpty || !groupIDs.isEmpty else { throw .invalidParameter("tag_id or group_id is required") }
        try mutate(corpID) { corp throws(SandboxError) in
            let known = corp.allTagIDs
            for id in tagIDs where !known.contains(id) { throw .invalidTag }
            for id in groupIDs where !corp.tagGroups.contains(where: { $0.groupID == id }) { throw .invalidTag }
            var removed = tagIDs
            for group in corp.tagGroups where groupIDs.contains(group.groupID) { removed.formUnion(group.tag.map(\.id)) }
            corp.tagGroups.removeAll { groupIDs.contains($0.groupID) }
            for index in corp.tagGroups.indices { corp.tagGroups[index].tag.removeAll { removed.contains($0.id) } }
            // A group whose last tag is deleted goes too, as on the platform.
            corp.tagGroups.removeAll { $0.tag.isEmpty }
            for (externalUserID, list) in corp.relations {
                corp.relations[externalUserID] = list.map { relation in
                    var relation = relation
                    relation.tagIDs.removeAll { removed.contains($0) }
                    return relation
                }
            }
        }
    }

    func markTag(_ corpID: String, _ request: MarkTagRequest) throws(SandboxError) {
        let add = request.addTag ?? []
        let remove = request.removeTag ?? []
        guard !add.isEmpty || !remove.isEmpty else { throw .invalidParameter("add_tag and remove_tag cannot both be empty") }
        try mutate(corpID) { corp throws(SandboxError) in
            guard corp.members[request.userID] != nil else { throw .invalidUser }
            guard corp.customers[request.externalUserID] != nil else { throw .invalidExternalUser }
            guard let index = corp.relations[request.externalUserID]?.firstIndex(where: { $0.userID == request.userID }) else { throw .noRelation }
            let known = corp.allTagIDs
            for id in add + remove where !known.contains(id) { throw .invalidTag }
            var tags = corp.relations[request.externalUserID]![index].tagIDs
            for id in add where !tags.contains(id) { tags.append(id) }
            tags.removeAll { remove.contains($0) }
            corp.relations[request.externalUserID]![index].tagIDs = tags
        }
    }
}
