import Foundation
import SiyuCore
import SiyuStore

/// Observations and channels for the customer-store tests, in the words of the platform.
enum CustomerFixtures {
    static let corpID = "wwCustomer01"
    /// 2024-03-01 00:00 in China (2024-02-29 16:00 UTC).
    static let day0 = Date(timeIntervalSince1970: 1_709_222_400)

    /// `day0` plus whole days and hours.
    static func at(day: Int, hour: Double = 0) -> Date {
        day0.addingTimeInterval(Double(day) * 86400 + hour * 3600)
    }

    static func relation(_ userID: String, state: String? = nil, at: Date, remark: String = "", tags: [String] = []) -> RelationFacts {
        RelationFacts(userID: userID, remark: remark, state: state, addWay: state == nil ? 0 : 1, addedAt: at, tagIDs: tags)
    }

    /// What the applier would observe: the platform knows the customer only while some member has them.
    static func observation(
        _ externalUserID: String, _ event: ContactEvent, user: String?, state: String? = nil, at: Date, name: String? = nil, relations: [RelationFacts]
    ) -> ContactObservation {
        ContactObservation(
            externalUserID: externalUserID, event: event, userID: user, state: state, at: at,
            customer: relations.isEmpty ? nil : CustomerFacts(externalUserID: externalUserID, name: name ?? "客户\(externalUserID)"),
            relations: relations
        )
    }

    /// A customer adds one member (and the platform shows just that relation).
    @discardableResult
    static func add(
        _ store: SiyuStore, _ externalUserID: String, member: String, state: String? = nil, at: Date, name: String? = nil,
        remark: String = "", tags: [String] = []
    ) async throws -> ReconcileOutcome {
        try await store.customers.reconcile(corpID: corpID, observation(
            externalUserID, .added, user: member, state: state, at: at, name: name,
            relations: [relation(member, state: state, at: at, remark: remark, tags: tags)]
        ), now: Date())
    }

    /// A relation ends and the platform shows no relation left.
    @discardableResult
    static func end(_ store: SiyuStore, _ externalUserID: String, member: String, _ event: ContactEvent, at: Date) async throws -> ReconcileOutcome {
        try await store.customers.reconcile(corpID: corpID, observation(externalUserID, event, user: member, at: at, relations: []), now: Date())
    }

    /// A stored channel whose contact way carries `state`.
    @discardableResult
    static func channel(_ store: SiyuStore, _ channelID: String, state: String, members: [String] = ["m1", "m2"]) async throws -> Channel {
        try await store.channels.create(corpID: corpID, Channel(
            channelID: channelID, name: "渠道\(channelID)", state: state, configID: "cfg-\(channelID)", qrCode: nil,
            settings: ChannelSettings(members: members), activeMembers: members, createdAt: day0, updatedAt: day0
        ), actor: "test")
    }

    static func query(_ configure: (inout CustomerQuery) -> Void) -> CustomerQuery {
        var query = CustomerQuery()
        configure(&query)
        return query
    }

    static func ids(_ customers: [CustomerSummary]) -> [String] { customers.map(\.externalUserID) }
}
