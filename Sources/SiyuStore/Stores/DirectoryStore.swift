import Foundation
import SQLKit
import SiyuCore

/// Members, departments and enterprise tags mirrored from WeCom.
public struct DirectoryStore: Sendable {
    let database: SiyuDatabase

    /// Makes the stored members and departments exactly the platform's; returns how many rows changed.
    @discardableResult
    public func replaceMembers(corpID: String, departments: [DepartmentRecord], members: [MemberRecord], now: Date) async throws -> Int {
        try await database.write { sql in
            var changed = 0
            let existing = try await sql.raw("SELECT userid, name, departments, active FROM members WHERE corp_id = \(bind: corpID)").all()
            var known: [String: (String, String, Int)] = [:]
            for row in existing {
                known[try row.decode(column: "userid", as: String.self)] = (
                    try row.decode(column: "name", as: String.self), try row.decode(column: "departments", as: String.self), try row.decode(column: "active", as: Int.self)
                )
            }
            for member in members {
                let departments = String(decoding: try JSONEncoder().encode(member.departments), as: UTF8.self)
                if let current = known[member.userID], current == (member.name, departments, 1) { continue }
                changed += 1
                try await sql.raw("""
                    INSERT INTO members (corp_id, userid, name, departments, active, updated_at)
                    VALUES (\(bind: corpID), \(bind: member.userID), \(bind: member.name), \(bind: departments), 1, \(bind: StoredTime.millis(now)))
                    ON CONFLICT (corp_id, userid) DO UPDATE SET name = excluded.name, departments = excluded.departments, active = 1, updated_at = excluded.updated_at
                    """).run()
            }
            let current = Set(members.map(\.userID))
            for (userID, value) in known where !current.contains(userID) && value.2 == 1 {
                changed += 1
                try await sql.raw("UPDATE members SET active = 0, updated_at = \(bind: StoredTime.millis(now)) WHERE corp_id = \(bind: corpID) AND userid = \(bind: userID)").run()
            }
            try await SegmentStore.bumpRevision(on: sql, corpID: corpID)
            try await sql.raw("DELETE FROM departments WHERE corp_id = \(bind: corpID)").run()
            for department in departments {
                try await sql.raw("""
                    INSERT INTO departments (corp_id, department_id, name, parent_id)
                    VALUES (\(bind: corpID), \(bind: department.departmentID), \(bind: department.name), \(bind: department.parentID))
                    """).run()
            }
            return changed
        }
    }

    public func members(corpID: String) async throws -> [MemberRecord] {
        try await database.read { sql in
            try await sql.raw("SELECT userid, name, departments FROM members WHERE corp_id = \(bind: corpID) AND active = 1 ORDER BY userid").all().map { row in
                MemberRecord(
                    userID: try row.decode(column: "userid", as: String.self), name: try row.decode(column: "name", as: String.self),
                    departments: (try? JSONDecoder().decode([Int].self, from: Data(try row.decode(column: "departments", as: String.self).utf8))) ?? []
                )
            }
        }
    }

    /// The corp's departments as last synced, by id.
    public func departments(corpID: String) async throws -> [Int: DepartmentRecord] {
        try await database.read { sql in
            var result: [Int: DepartmentRecord] = [:]
            for row in try await sql.raw("SELECT department_id, name, parent_id FROM departments WHERE corp_id = \(bind: corpID)").all() {
                let id = try row.decode(column: "department_id", as: Int.self)
                result[id] = DepartmentRecord(departmentID: id, name: try row.decode(column: "name", as: String.self), parentID: try row.decode(column: "parent_id", as: Int.self))
            }
            return result
        }
    }

    /// Whether any member of the corp has been mirrored (a corp never synced has none).
    public func hasMembers(corpID: String) async throws -> Bool {
        try await database.read { sql in
            try await sql.raw("SELECT 1 AS one FROM members WHERE corp_id = \(bind: corpID) LIMIT 1").first() != nil
        }
    }

    public func memberName(corpID: String, userID: String) async throws -> String? {
        try await database.read { sql in
            try await sql.raw("SELECT name FROM members WHERE corp_id = \(bind: corpID) AND userid = \(bind: userID)").first()?.decode(column: "name", as: String.self)
        }
    }

    // MARK: Tags

    /// Makes the stored tags exactly the platform's (after a `change_external_tag` callback or a sync).
    /// Customer tags pointing at deleted tags go too. Returns how many tags and groups changed.
    @discardableResult
    public func replaceTags(corpID: String, groups: [TagGroup], now: Date) async throws -> Int {
        try await database.write { sql in
            let before = try await Self.tagGroups(on: sql, corpID: corpID)
            try await SegmentStore.bumpRevision(on: sql, corpID: corpID)
            try await sql.raw("DELETE FROM tags WHERE corp_id = \(bind: corpID)").run()
            try await sql.raw("DELETE FROM tag_groups WHERE corp_id = \(bind: corpID)").run()
            for group in groups { try await Self.insert(group, on: sql, corpID: corpID, now: now) }
            let keptTags: [String] = groups.flatMap { $0.tags.map(\.tagID) }
            let binds: [any Encodable & Sendable] = keptTags
            if binds.isEmpty {
                try await sql.raw("DELETE FROM customer_tags WHERE corp_id = \(bind: corpID)").run()
            } else {
                try await sql.raw("DELETE FROM customer_tags WHERE corp_id = \(bind: corpID) AND tag_id NOT IN (\(binds: binds))").run()
            }
            let old = Dictionary(uniqueKeysWithValues: before.map { ($0.groupID, $0) })
            let new = Dictionary(uniqueKeysWithValues: groups.map { ($0.groupID, $0) })
            let changed = Set(old.keys).union(new.keys).filter { old[$0] != new[$0] }.sorted()
            for groupID in changed {
                let event: WebhookEventType = old[groupID] == nil ? .tagCreated : (new[groupID] == nil ? .tagDeleted : .tagUpdated)
                try await WebhookStore.publish(on: sql, corpID: corpID, eventType: event, data: new[groupID] ?? old[groupID]!, now: now)
            }
            return changed.count
        }
    }

    /// Adds or updates one group and its tags (after the platform accepted them).
    public func upsertTagGroup(corpID: String, _ group: TagGroup, actor: String, now: Date) async throws {
        try await database.write { sql in
            try await sql.raw("DELETE FROM tags WHERE corp_id = \(bind: corpID) AND group_id = \(bind: group.groupID)").run()
            try await sql.raw("DELETE FROM tag_groups WHERE corp_id = \(bind: corpID) AND group_id = \(bind: group.groupID)").run()
            try await Self.insert(group, on: sql, corpID: corpID, now: now)
            try await SegmentStore.bumpRevision(on: sql, corpID: corpID)
            try await AuditLog.append(on: sql, corpID: corpID, actor: actor, action: "tag_group.save", target: group.groupID, detail: ["name": group.name], now: now)
        }
    }

    /// Removes tags and groups (after the platform deleted them), with their customer tags.
    public func removeTags(corpID: String, tagIDs: [String], groupIDs: [String], actor: String, now: Date) async throws {
        try await database.write { sql in
            var tags = tagIDs
            for groupID in groupIDs {
                tags += try await sql.raw("SELECT tag_id FROM tags WHERE corp_id = \(bind: corpID) AND group_id = \(bind: groupID)").all().map { try $0.decode(column: "tag_id", as: String.self) }
                try await sql.raw("DELETE FROM tags WHERE corp_id = \(bind: corpID) AND group_id = \(bind: groupID)").run()
                try await sql.raw("DELETE FROM tag_groups WHERE corp_id = \(bind: corpID) AND group_id = \(bind: groupID)").run()
            }
            for tag in tags {
                try await sql.raw("DELETE FROM tags WHERE corp_id = \(bind: corpID) AND tag_id = \(bind: tag)").run()
                try await sql.raw("DELETE FROM customer_tags WHERE corp_id = \(bind: corpID) AND tag_id = \(bind: tag)").run()
            }
            // A group without tags is gone on the platform too.
            try await sql.raw("""
                DELETE FROM tag_groups WHERE corp_id = \(bind: corpID) AND NOT EXISTS (SELECT 1 FROM tags t WHERE t.corp_id = tag_groups.corp_id AND t.group_id = tag_groups.group_id)
                """).run()
            try await SegmentStore.bumpRevision(on: sql, corpID: corpID)
            try await AuditLog.append(on: sql, corpID: corpID, actor: actor, action: "tag.delete", target: (tagIDs + groupIDs).joined(separator: ","), detail: [:], now: now)
            try await WebhookStore.publish(on: sql, corpID: corpID, eventType: .tagDeleted, data: ["tag_ids": tags, "group_ids": groupIDs], now: now)
        }
    }

    public func tagGroups(corpID: String) async throws -> [TagGroup] {
        try await database.read { sql in try await Self.tagGroups(on: sql, corpID: corpID) }
    }

    static func tagGroups(on sql: any SQLDatabase, corpID: String) async throws -> [TagGroup] {
        var groups: [TagGroup] = try await sql.raw("SELECT group_id, name, sort_order FROM tag_groups WHERE corp_id = \(bind: corpID) ORDER BY sort_order DESC, group_id").all().map {
            TagGroup(groupID: try $0.decode(column: "group_id", as: String.self), name: try $0.decode(column: "name", as: String.self), order: try $0.decode(column: "sort_order", as: Int.self), tags: [])
        }
        let index = Dictionary(uniqueKeysWithValues: groups.enumerated().map { ($1.groupID, $0) })
        for row in try await sql.raw("SELECT tag_id, group_id, name, sort_order FROM tags WHERE corp_id = \(bind: corpID) ORDER BY sort_order DESC, tag_id").all() {
            guard let position = index[try row.decode(column: "group_id", as: String.self)] else { continue }
            groups[position].tags.append(Tag(tagID: try row.decode(column: "tag_id", as: String.self), name: try row.decode(column: "name", as: String.self), order: try row.decode(column: "sort_order", as: Int.self)))
        }
        return groups
    }

    private static func insert(_ group: TagGroup, on sql: any SQLDatabase, corpID: String, now: Date) async throws {
        try await sql.raw("""
            INSERT INTO tag_groups (corp_id, group_id, name, sort_order, created_at)
            VALUES (\(bind: corpID), \(bind: group.groupID), \(bind: group.name), \(bind: group.order), \(bind: StoredTime.millis(now)))
            """).run()
        for tag in group.tags {
            try await sql.raw("""
                INSERT INTO tags (corp_id, tag_id, group_id, name, sort_order, created_at)
                VALUES (\(bind: corpID), \(bind: tag.tagID), \(bind: group.groupID), \(bind: tag.name), \(bind: tag.order), \(bind: StoredTime.millis(now)))
                """).run()
        }
    }
}
