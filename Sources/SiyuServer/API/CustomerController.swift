import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SiyuCore
import SiyuStore
import WeCom

/// `/api/v1/customers`: the customer base, bulk tagging, lost customers, CSV export and import.
struct CustomerController: Sendable {
    let customers: CustomerStore
    let contacts: ContactStore
    let directory: DirectoryStore
    let groups: GroupStore
    let jobs: JobQueue
    let tagging: CustomerTagging
    let importer: CustomerImport
    let exporter: CustomerExport
    let time: TimeSource

    func addRoutes(to group: RouterGroup<CorpContext>) {
        group.get("customers", use: list)
        group.get("customers/{external_userid}", use: show)
        group.patch("customers/{external_userid}", use: setFields)
        group.post("customer_tags", use: bulkTag)
        group.get("lost_customers", use: lost)
        group.get("customer_counts", use: counts)
        group.get("exports/customers.csv", use: exportCSV)
        group.post("imports/customers", use: importCSV)
        group.post("sync", use: sync)
        group.get("groups", use: groups)
        group.get("members", use: members)
    }

    /// The corp's members (成员) as last synced: the ids every other request names them by.
    @Sendable func members(_ request: Request, context: CorpContext) async throws -> Wire.Page<MemberRecord> {
        Wire.Page(try await directory.members(corpID: context.corpID))
    }

    /// Customer groups (客户群) as last synced, optionally of one owner.
    @Sendable func groups(_ request: Request, context: CorpContext) async throws -> Wire.Page<GroupStore.Group> {
        Wire.Page(try await groups.list(corpID: context.corpID, owner: request.uri.queryParameters.get("owner")))
    }

    /// Queues a sync with WeCom now (it also runs daily).
    @Sendable func sync(_ request: Request, context: CorpContext) async throws -> EditedResponse<Wire.SyncQueued> {
        let corpID = context.corpID
        let jobID = try await jobs.enqueue(kind: CorpSync.jobKind, payload: "requested", corpID: corpID, maxAttempts: 3, now: time())
        return EditedResponse(status: .accepted, response: Wire.SyncQueued(jobID: jobID))
    }

    @Sendable func list(_ request: Request, context: CorpContext) async throws -> Wire.Page<CustomerSummary> {
        let corpID = context.corpID
        let limit = try Pagination.limit(request, default: 50)
        var query = try Self.query(request, in: try await contacts.calendar(corpID: corpID))
        query.limit = limit
        let customers = try await customers.list(corpID: corpID, query)
        return Wire.Page(customers, nextCursor: customers.count == limit ? customers.last?.externalUserID : nil)
    }

    static func query(_ request: Request, in calendar: BusinessCalendar) throws -> CustomerQuery {
        let parameters = request.uri.queryParameters
        var query = CustomerQuery()
        query.tagIDs = Query.list(request, "tag")
        query.channelID = parameters.get("channel")
        query.userID = parameters.get("member")
        if let department = parameters.get("department") {
            guard let id = Int(department) else { throw APIError(.badRequest, code: "bad_request", "department must be a number", field: "department") }
            query.departmentID = id
        }
        query.addedAfter = try Query.date(request, "added_after", in: calendar)
        query.addedBefore = try Query.date(request, "added_before", in: calendar)
        if let status = parameters.get("status") {
            guard let value = RelationStatus(rawValue: status) else {
                throw APIError(.badRequest, code: "bad_request", "status is active, lost or deleted", field: "status")
            }
            query.status = value
        }
        query.keyword = parameters.get("q")
        query.cursor = parameters.get("cursor")
        return query
    }

    @Sendable func show(_ request: Request, context: CorpContext) async throws -> CustomerProfile {
        let corpID = context.corpID
        let id = try context.parameters.require("external_userid")
        guard let profile = try await customers.profile(corpID: corpID, externalUserID: id) else {
            throw APIError(.notFound, code: "not_found", "no customer \(id)")
        }
        return profile
    }

    @Sendable func setFields(_ request: Request, context: CorpContext) async throws -> CustomerProfile {
        let corpID = context.corpID
        let id = try context.parameters.require("external_userid")
        let body = try await request.decode(as: Wire.CustomFieldsRequest.self, context: context)
        try CustomFields.validate(body.customFields)
        guard try await customers.setCustomFields(corpID: corpID, externalUserID: id, fields: body.customFields, now: time()) else {
            throw APIError(.notFound, code: "not_found", "no customer \(id)")
        }
        return try await show(request, context: context)
    }

    /// Tags or untags customers on every active relation (`mark_tag` per relation), reporting per customer.
    @Sendable func bulkTag(_ request: Request, context: CorpContext) async throws -> Wire.BulkTagReport {
        let corpID = context.corpID
        let body = try await request.decode(as: Wire.BulkTagRequest.self, context: context)
        let add = body.add ?? []
        let remove = body.remove ?? []
        guard !add.isEmpty || !remove.isEmpty else { throw ValidationError(field: "add", message: "add or remove at least one tag") }
        guard (1...1000).contains(body.externalUserIDs.count) else { throw ValidationError(field: "external_userids", message: "1 to 1000 customers per call") }
        try await tagging.checkKnown(corpID: corpID, add + remove, field: "add")
        let results = try await tagging.tag(corpID: corpID, customers: body.externalUserIDs, add: add, remove: remove, actor: context.principal.actor)
        return Wire.BulkTagReport(results: results)
    }

    @Sendable func lost(_ request: Request, context: CorpContext) async throws -> Wire.Page<LostRelation> {
        let corpID = context.corpID
        let since = try Query.date(request, "since", in: try await contacts.calendar(corpID: corpID))
        return Wire.Page(try await customers.lostRelations(corpID: corpID, since: since, limit: try Pagination.limit(request, default: 100)))
    }

    @Sendable func counts(_ request: Request, context: CorpContext) async throws -> Wire.CustomerCounts {
        Wire.CustomerCounts(counts: try await customers.counts(corpID: context.corpID))
    }

    // MARK: CSV

    @Sendable func exportCSV(_ request: Request, context: CorpContext) async throws -> Response {
        let corpID = context.corpID
        return try await exporter.response(corpID: corpID, query: try Self.query(request, in: try await contacts.calendar(corpID: corpID)))
    }

    /// Tags (by name, `;`-separated, in a `tags` column) and custom fields (`field:<name>` columns)
    /// for existing customers; every row is reported with what failed and why.
    @Sendable func importCSV(_ request: Request, context: CorpContext) async throws -> Wire.CustomerImportReport {
        let corpID = context.corpID
        let table = try await Query.csvBody(request, limit: 8 << 20)
        guard let header = table.first, let idColumn = header.firstIndex(of: "external_userid") else {
            throw APIError(.badRequest, code: "bad_csv", "the first row must name the columns, including external_userid")
        }
        let rows = try await importer.run(corpID: corpID, header: header, idColumn: idColumn, rows: Array(table.dropFirst()), actor: context.principal.actor)
        return Wire.CustomerImportReport(imported: rows.filter(\.ok).count, failed: rows.filter { !$0.ok }.count, rows: rows)
    }
}

extension HTTPField.Name {
    static let contentDisposition = Self("Content-Disposition")!
}
