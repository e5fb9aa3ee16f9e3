import Foundation
import SiyuCore
import SiyuStore

/// The customer CSV import: tags (by name, `;`-separated, in a `tags` column) and custom fields
/// (`field:<name>` columns) for existing customers, row by row; every row is reported with what
/// failed and why. The REST route parses the file and calls this.
struct CustomerImport: Sendable {
    let store: SiyuStore
    let tagging: CustomerTagging
    let time: TimeSource

    /// `rows` are the data rows after `header`; row numbers in the report count the header as 1.
    func run(corpID: String, header: [String], idColumn: Int, rows: [[String]], actor: String) async throws -> [Wire.ImportRow] {
        let tagColumn = header.firstIndex(of: "tags")
        let fieldColumns = header.enumerated().filter { $0.element.hasPrefix("field:") }.map { ($0.offset, String($0.element.dropFirst(6))) }
        let tagsByName = Dictionary(try await store.directory.tagGroups(corpID: corpID).flatMap { $0.tags.map { ($0.name, $0.tagID) } }, uniquingKeysWith: { first, _ in first })
        var report: [Wire.ImportRow] = []
        for (offset, cells) in rows.enumerated() where !(cells.count == 1 && cells[0].isEmpty) {
            let number = offset + 2
            let id = idColumn < cells.count ? cells[idColumn].trimmingCharacters(in: .whitespaces) : ""
            do {
                guard !id.isEmpty else { throw ValidationError(field: "external_userid", message: "external_userid is empty") }
                guard cells.count == header.count else { throw ValidationError(field: "row", message: "\(cells.count) cells, the header has \(header.count)") }
                guard try await store.customers.profile(corpID: corpID, externalUserID: id, timelineLimit: 1) != nil else {
                    throw ValidationError(field: "external_userid", message: "no customer \(id)")
                }
                var fields: [String: String] = [:]
                for (column, name) in fieldColumns { fields[name] = cells[column] }
                try CustomFields.validate(fields)
                var tagIDs: [String] = []
                if let tagColumn {
                    for name in cells[tagColumn].split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
                        guard let tagID = tagsByName[name] else { throw ValidationError(field: "tags", message: "unknown tag \(name)") }
                        tagIDs.append(tagID)
                    }
                }
                if !tagIDs.isEmpty {
                    let outcome = try await tagging.tag(corpID: corpID, customers: [id], add: tagIDs, remove: [], actor: actor)
                    if let failure = outcome.first, !failure.ok { throw ValidationError(field: "tags", message: failure.error ?? "tagging failed") }
                }
                if !fields.isEmpty { _ = try await store.customers.setCustomFields(corpID: corpID, externalUserID: id, fields: fields, now: time()) }
                report.append(Wire.ImportRow(row: number, externalUserID: id, ok: true))
            } catch let error as ValidationError {
                report.append(Wire.ImportRow(row: number, externalUserID: id, ok: false, error: error.message))
            } catch {
                report.append(Wire.ImportRow(row: number, externalUserID: id, ok: false, error: String(describing: error)))
            }
        }
        return report
    }
}
