import Foundation
import SiyuCore
import SiyuStore
import WeCom

/// Tags and untags customers on every active relation: `mark_tag` on WeCom per relation, then
/// the same change here. The REST API, CSV import and the console all go through here.
struct CustomerTagging: Sendable {
    let store: SiyuStore
    let wecom: WeComConnections
    let time: TimeSource

    /// What happened to one customer.
    struct Outcome: Encodable, Sendable {
        var externalUserID: String
        var ok: Bool
        var relations: Int
        var error: String?
        enum CodingKeys: String, CodingKey { case externalUserID = "external_userid", ok, relations, error }
    }

    /// Refuses tag ids the corp does not have.
    func checkKnown(corpID: String, _ tagIDs: [String], field: String) async throws {
        try await store.references.require(.tag, tagIDs, corpID: corpID, field: field)
    }

    func tag(corpID: String, customers: [String], add: [String], remove: [String], actor: String) async throws -> [Outcome] {
        let client = try await wecom.client(for: corpID)
        var results: [Outcome] = []
        for customer in customers {
            let members = try await store.customers.activeMembers(corpID: corpID, externalUserID: customer)
            guard !members.isEmpty else {
                results.append(Outcome(externalUserID: customer, ok: false, relations: 0, error: "no member has this customer"))
                continue
            }
            var failure: String?
            var done = 0
            for member in members {
                do {
                    try await client.markTag(MarkTagRequest(userID: member, externalUserID: customer, addTag: add.isEmpty ? nil : add, removeTag: remove.isEmpty ? nil : remove))
                    try await store.customers.changeTags(corpID: corpID, externalUserID: customer, userID: member, add: add, remove: remove, actor: actor, now: time())
                    done += 1
                } catch {
                    failure = String(describing: error)
                }
            }
            results.append(Outcome(externalUserID: customer, ok: failure == nil, relations: done, error: failure))
        }
        return results
    }
}
