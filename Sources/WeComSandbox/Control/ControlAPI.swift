import Foundation
import Hummingbird
import NIOCore
import WeCom

/// `/sandbox/…`: drives the world the way people would (customers adding members, leaving,
/// joining groups, chatting, ordering; members confirming mass messages) and delivers the
/// callbacks each action causes before answering, so a caller sees the outcome at once.
struct ControlAPI: Sendable {
    let world: SandboxWorld
    let deliverer: CallbackDeliverer

    struct DepartmentBody: Decodable { var name: String; var parentid: Int? }
    struct MemberBody: Decodable { var userid: String; var name: String; var department: [Int]?; var position: String? }
    struct AddCustomerBody: Decodable {
        var configID: String?
        var userID: String?
        var externalUserID: String?
        var name: String?
        var unionID: String?
        var welcomeCode: Bool?
        enum CodingKeys: String, CodingKey {
            case configID = "config_id", userID = "userid", externalUserID = "external_userid", name, unionID = "unionid", welcomeCode = "welcome_code"
        }
    }
    struct UserBody: Decodable { var userid: String }
    struct ExternalUserBody: Decodable { var external_userid: String }
    struct GroupBody: Decodable { var owner: String; var name: String }
    struct MessageBody: Decodable { var from: String; var to: String; var content: String }
    struct OrderBody: Decodable { var external_userid: String; var amount_fen: Int }
    struct ClockBody: Decodable { var advance_seconds: Double?; var pin_at: Int? }
    struct RuleBody: Decodable { var rule: MassMessageRule }
    struct FaultBody: Decodable { var path: String; var errcode: Int; var count: Int? }

    struct Added: Encodable, Sendable { var customer: SimulatedAdd; var deliveries: [DeliveryRecord] }
    struct Delivered: Encodable, Sendable { var deliveries: [DeliveryRecord] }
    struct Created: Encodable, Sendable { var chatID: String; var deliveries: [DeliveryRecord]; enum CodingKeys: String, CodingKey { case chatID = "chat_id", deliveries } }
    struct Archived: Encodable, Sendable { var message: ArchivedMessage; var deliveries: [DeliveryRecord] }
    struct Confirmed: Encodable, Sendable { var statusCounts: [String: Int]; enum CodingKeys: String, CodingKey { case statusCounts = "status_counts" } }
    struct Deliveries: Encodable, Sendable { var deliveries: [DeliveryRecord] }
    struct Receipts: Encodable, Sendable { var receipts: [String: Int] }
    struct ArchiveList: Encodable, Sendable { var messages: [ArchivedMessage] }
    struct Welcomes: Encodable, Sendable { var welcomes: [WelcomeRecord] }
    struct Now: Encodable, Sendable { var now: Int }

    func addRoutes(to router: Router<BasicRequestContext>) {
        let world = self.world
        let group = router.group("sandbox")
        group.post("corps") { request, context -> PlatformAnswer<SandboxCorpConfig> in
            await SandboxAPI.answer {
                let config = try await Self.decode(SandboxCorpConfig.self, request)
                await world.configure(config)
                return config
            }
        }
        group.post("corps/{corp_id}/departments") { request, context in
            await SandboxAPI.answer {
                let body = try await Self.decode(DepartmentBody.self, request)
                return try await world.addDepartment(corpID: try Self.corp(context), name: body.name, parentID: body.parentid ?? 1)
            }
        }
        group.post("corps/{corp_id}/members") { request, context in
            await SandboxAPI.answer {
                let body = try await Self.decode(MemberBody.self, request)
                return try await world.addMember(corpID: try Self.corp(context), userID: body.userid, name: body.name, departments: body.department ?? [1], position: body.position)
            }
        }
        group.post("corps/{corp_id}/customers") { request, context in
            await SandboxAPI.answer {
                let body = try await Self.decode(AddCustomerBody.self, request)
                let corpID = try Self.corp(context)
                let (added, events) = try await world.customerAdds(
                    corpID: corpID, configID: body.configID, userID: body.userID, externalUserID: body.externalUserID,
                    name: body.name, unionID: body.unionID, issueWelcomeCode: body.welcomeCode ?? true
                )
                return Added(customer: added, deliveries: await deliver(events))
            }
        }
        group.get("corps/{corp_id}/customers/{external_userid}") { request, context in
            await SandboxAPI.answer {
                let corpID = try Self.corp(context)
                guard let snapshot = await world.customerSnapshot(corpID: corpID, externalUserID: context.parameters.get("external_userid") ?? "") else {
                    throw SandboxError.invalidExternalUser
                }
                return snapshot
            }
        }
        group.post("corps/{corp_id}/customers/{external_userid}/delete_member") { request, context in
            await SandboxAPI.answer {
                let body = try await Self.decode(UserBody.self, request)
                let events = try await world.customerDeletesMember(corpID: try Self.corp(context), externalUserID: context.parameters.get("external_userid") ?? "", userID: body.userid)
                return Delivered(deliveries: await deliver(events))
            }
        }
        group.post("corps/{corp_id}/members/{userid}/delete_customer") { request, context in
            await SandboxAPI.answer {
                let body = try await Self.decode(ExternalUserBody.self, request)
                let events = try await world.memberDeletesCustomer(corpID: try Self.corp(context), userID: context.parameters.get("userid") ?? "", externalUserID: body.external_userid)
                return Delivered(deliveries: await deliver(events))
            }
        }
        group.post("corps/{corp_id}/groups") { request, context in
            await SandboxAPI.answer {
                let body = try await Self.decode(GroupBody.self, request)
                let (chatID, events) = try await world.createGroup(corpID: try Self.corp(context), owner: body.owner, name: body.name)
                return Created(chatID: chatID, deliveries: await deliver(events))
            }
        }
        for (action, joins) in [("join", true), ("leave", false)] {
            group.post(RouterPath("corps/{corp_id}/groups/{chat_id}/\(action)")) { request, context in
                await SandboxAPI.answer {
                    let body = try await Self.decode(ExternalUserBody.self, request)
                    let events = try await world.customerInGroup(
                        corpID: try Self.corp(context), chatID: context.parameters.get("chat_id") ?? "", externalUserID: body.external_userid, joins: joins
                    )
                    return Delivered(deliveries: await deliver(events))
                }
            }
        }
        group.post("corps/{corp_id}/messages") { request, context in
            await SandboxAPI.answer {
                let body = try await Self.decode(MessageBody.self, request)
                let (message, events) = try await world.archiveMessage(corpID: try Self.corp(context), from: body.from, to: body.to, content: body.content)
                return Archived(message: message, deliveries: await deliver(events))
            }
        }
        group.get("corps/{corp_id}/archive") { request, context in
            await SandboxAPI.answer {
                let query = request.uri.queryParameters
                return ArchiveList(messages: await world.archivedMessages(
                    corpID: try Self.corp(context), after: Int(query.get("seq") ?? "") ?? 0, limit: Int(query.get("limit") ?? "") ?? 1000
                ))
            }
        }
        group.post("corps/{corp_id}/orders") { request, context in
            await SandboxAPI.answer {
                let body = try await Self.decode(OrderBody.self, request)
                return try await world.placeOrder(corpID: try Self.corp(context), externalUserID: body.external_userid, amountFen: body.amount_fen)
            }
        }
        group.post("corps/{corp_id}/mass_messages/{msgid}/confirm") { request, context in
            await SandboxAPI.answer {
                let body = try await Self.decode(UserBody.self, request)
                return Confirmed(statusCounts: try await world.confirmMassMessage(
                    corpID: try Self.corp(context), msgID: context.parameters.get("msgid") ?? "", userID: body.userid
                ))
            }
        }
        group.get("corps/{corp_id}/receipts") { request, context in
            await SandboxAPI.answer { Receipts(receipts: await world.allReceipts(corpID: try Self.corp(context)).mapValues(\.count)) }
        }
        group.get("corps/{corp_id}/welcomes") { request, context in
            await SandboxAPI.answer { Welcomes(welcomes: await world.welcomes(corpID: try Self.corp(context))) }
        }
        group.get("corps/{corp_id}/deliveries") { request, context in
            await SandboxAPI.answer { Deliveries(deliveries: await deliverer.deliveries(corpID: try Self.corp(context))) }
        }
        group.get("corps/{corp_id}/stats") { request, context in
            await SandboxAPI.answer { await world.stats(corpID: try Self.corp(context)) }
        }
        group.post("corps/{corp_id}/revoke_tokens") { request, context in
            await SandboxAPI.answer {
                await world.revokeTokens(corpID: try Self.corp(context))
                return NoPayload()
            }
        }
        group.post("clock") { request, context in
            await SandboxAPI.answer {
                let body = try await Self.decode(ClockBody.self, request)
                if let pin = body.pin_at { world.clock.pin(at: Date(timeIntervalSince1970: TimeInterval(pin))) }
                if let seconds = body.advance_seconds { world.clock.advance(by: seconds) }
                return Now(now: world.clock.unixNow)
            }
        }
        group.post("faults") { request, context in
            await SandboxAPI.answer {
                let body = try await Self.decode(FaultBody.self, request)
                await world.injectFault(path: body.path, errcode: body.errcode, count: body.count ?? 1)
                return NoPayload()
            }
        }
        group.post("rule") { request, context in
            await SandboxAPI.answer {
                let body = try await Self.decode(RuleBody.self, request)
                await world.setMassMessageRule(body.rule)
                return NoPayload()
            }
        }
    }

    private func deliver(_ events: [SandboxEvent]) async -> [DeliveryRecord] {
        var records: [DeliveryRecord] = []
        for event in events {
            guard let config = await world.config(of: event.corpID) else { continue }
            records.append(await deliverer.deliver(event, config: config))
        }
        return records
    }

    static func corp(_ context: BasicRequestContext) throws -> String {
        guard let corpID = context.parameters.get("corp_id"), !corpID.isEmpty else { throw SandboxError.invalidCorpID }
        return corpID
    }

    static func decode<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        var request = request
        let buffer = try await request.collectBody(upTo: SandboxAPI.maxBody)
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch {
            throw SandboxError(47001, "data format error: \(error)")
        }
    }
}
