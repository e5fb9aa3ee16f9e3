import Foundation
import Hummingbird
import SiyuCore
import SiyuStore

extension Wire {
    /// The body of `PATCH /api/v1/customers/{external_userid}`.
    struct CustomFieldsRequest: Decodable {
        var customFields: [String: String]
        enum CodingKeys: String, CodingKey { case customFields = "custom_fields" }
    }

    /// The body of `POST /api/v1/customer_tags`.
    struct BulkTagRequest: Decodable {
        var externalUserIDs: [String]
        var add: [String]?
        var remove: [String]?
        enum CodingKeys: String, CodingKey { case externalUserIDs = "external_userids", add, remove }
    }

    /// What `POST /api/v1/customer_tags` did to each customer.
    struct BulkTagReport: ResponseEncodable { var results: [CustomerTagging.Outcome] }

    /// `GET /api/v1/customer_counts`.
    struct CustomerCounts: ResponseEncodable { var counts: [String: Int] }

    /// `POST /api/v1/sync`.
    struct SyncQueued: ResponseEncodable {
        var jobID: String
        enum CodingKeys: String, CodingKey { case jobID = "job_id" }
    }

    /// One row of a customer import's report.
    struct ImportRow: Encodable, Sendable {
        var row: Int
        var externalUserID: String
        var ok: Bool
        var error: String?
        enum CodingKeys: String, CodingKey { case row, externalUserID = "external_userid", ok, error }
    }

    /// `POST /api/v1/imports/customers`: every row, with what failed and why.
    struct CustomerImportReport: ResponseEncodable {
        var imported: Int
        var failed: Int
        var rows: [ImportRow]
    }
}
