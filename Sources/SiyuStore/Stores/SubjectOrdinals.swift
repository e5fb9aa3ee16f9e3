import Foundation
import SQLKit
import SiyuCore

/// The ledger's numbers for the people and groups it counts: every customer has an `ordinal`
/// from the moment it is inserted (a trigger on SQLite, a sequence default on PostgreSQL), and
/// anything else the ledger meets (a group's chat id, an id with no customer row) is numbered
/// in `ledger_subjects` from the same sequence, so one number never means two subjects.
enum SubjectOrdinals {
    /// Ordinals of `ids`, numbering in `ledger_subjects` those that have none.
    static func resolve(on sql: any SQLDatabase, corpID: String, ids: [String]) async throws -> [String: Int64] {
        var found = try await known(on: sql, corpID: corpID, ids: ids)
        let missing = Array(Set(ids)).filter { found[$0] == nil }
        for chunk in sql.bindChunks(missing, bindsPerItem: 3) {
            let numbers = try await allocate(on: sql, count: chunk.count)
            let values = zip(chunk, numbers).map { id, ordinal -> SQLQueryString in "(\(bind: corpID), \(bind: id), \(bind: ordinal))" }.joined(separator: ", ")
            try await sql.raw("INSERT INTO ledger_subjects (corp_id, subject, ordinal) VALUES \(values)").run()
            for (id, ordinal) in zip(chunk, numbers) { found[id] = ordinal }
        }
        return found
    }

    /// `count` new numbers from the database's one sequence (customers draw from it on insert).
    static func allocate(on sql: any SQLDatabase, count: Int) async throws -> [Int64] {
        guard count > 0 else { return [] }
        switch sql.flavor {
        case .postgres:
            return try await sql.raw("SELECT nextval('ledger_ordinals') AS n FROM generate_series(1, \(literal: count))").all()
                .map { try $0.decode(column: "n", as: Int64.self) }
        case .sqlite:
            guard let last = try await sql.raw("UPDATE ledger_ordinal_counter SET next = next + \(literal: count) WHERE id = 1 RETURNING next").first()?
                .decode(column: "next", as: Int64.self) else { throw StoreError(.corruptRow, "ledger_ordinal_counter has no row") }
            return Array(last - Int64(count) + 1...last)
        }
    }

    /// The ordinals `ids` already have (a read: numbers nothing).
    static func known(on sql: any SQLDatabase, corpID: String, ids: [String]) async throws -> [String: Int64] {
        var found: [String: Int64] = [:]
        let distinct = Array(Set(ids))
        guard !distinct.isEmpty else { return found }
        for chunk in sql.bindChunks(distinct, bindsPerItem: 2) {
            let binds: [any Encodable & Sendable] = Array(chunk)
            for row in try await sql.raw("""
                SELECT external_userid AS subject, ordinal FROM customers WHERE corp_id = \(bind: corpID) AND external_userid IN (\(binds: binds))
                UNION ALL
                SELECT subject, ordinal FROM ledger_subjects WHERE corp_id = \(bind: corpID) AND subject IN (\(binds: binds))
                """).all() {
                if let ordinal = try row.decode(column: "ordinal", as: Int64?.self) {
                    found[try row.decode(column: "subject", as: String.self)] = ordinal
                }
            }
        }
        return found
    }

    /// The ids behind `ordinals` (those the corp knows).
    static func names(on sql: any SQLDatabase, corpID: String, ordinals: [Int64]) async throws -> [Int64: String] {
        var names: [Int64: String] = [:]
        for chunk in sql.bindChunks(Array(Set(ordinals)), bindsPerItem: 2) {
            let binds: [any Encodable & Sendable] = Array(chunk)
            for row in try await sql.raw("""
                SELECT external_userid AS subject, ordinal FROM customers WHERE corp_id = \(bind: corpID) AND ordinal IN (\(binds: binds))
                UNION ALL
                SELECT subject, ordinal FROM ledger_subjects WHERE corp_id = \(bind: corpID) AND ordinal IN (\(binds: binds))
                """).all() {
                names[try row.decode(column: "ordinal", as: Int64.self)] = try row.decode(column: "subject", as: String.self)
            }
        }
        return names
    }
}
