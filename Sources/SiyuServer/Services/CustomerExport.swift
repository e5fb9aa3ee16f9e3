import Foundation
import HTTPTypes
import Hummingbird
import SiyuCore
import SiyuStore

/// The customer list as CSV, for `GET /api/v1/exports/customers.csv` and the console's export
/// alike: every customer the query matches (read 1,000 at a time), names beside ids, the first
/// add in the corp's time zone, and one `field:<name>` column per custom field.
struct CustomerExport: Sendable {
    let store: SiyuStore

    static let header = ["external_userid", "name", "status", "member_userids", "members", "channel_ids", "channels", "tags", "first_added_at"]

    func response(corpID: String, query base: CustomerQuery, filename: String = "customers.csv") async throws -> Response {
        let (header, rows) = try await table(corpID: corpID, query: base)
        return CSVExport.response(filename: filename, header: header, rows: rows)
    }

    func table(corpID: String, query base: CustomerQuery) async throws -> (header: [String], rows: [[String]]) {
        var query = base
        query.limit = 1000
        let calendar = try await store.contacts.calendar(corpID: corpID)
        let tagNames = Dictionary(try await store.directory.tagGroups(corpID: corpID).flatMap(\.tags).map { ($0.tagID, $0.name) }, uniquingKeysWith: { first, _ in first })
        let memberNames = Dictionary(try await store.directory.members(corpID: corpID).map { ($0.userID, $0.name) }, uniquingKeysWith: { first, _ in first })
        let channelNames = Dictionary(try await store.channels.list(corpID: corpID).map { ($0.channelID, $0.name) }, uniquingKeysWith: { first, _ in first })
        var customers: [CustomerSummary] = []
        while true {
            let page = try await store.customers.list(corpID: corpID, query)
            customers += page
            guard page.count == query.limit, let last = page.last else { break }
            query.cursor = last.externalUserID
        }
        let fields = Set(customers.flatMap(\.customFields.keys)).sorted()
        let rows = customers.map { customer -> [String] in
            [
                customer.externalUserID, customer.name, customer.status.rawValue,
                customer.members.joined(separator: ";"), customer.members.map { memberNames[$0] ?? $0 }.joined(separator: ";"),
                customer.channelIDs.joined(separator: ";"), customer.channelIDs.map { channelNames[$0] ?? $0 }.joined(separator: ";"),
                customer.tagIDs.map { tagNames[$0] ?? $0 }.joined(separator: ";"), calendar.isoLabel(customer.firstAddedAt),
            ] + fields.map { customer.customFields[$0] ?? "" }
        }
        return (Self.header + fields.map { "field:\($0)" }, rows)
    }
}
