import Foundation
import Hummingbird
import NIOCore
import WeCom

/// The WeCom server API (`/cgi-bin/…`) over a ``SandboxWorld``, with the platform's JSON shapes
/// and error codes.
struct SandboxAPI: Sendable {
    let world: SandboxWorld
    static let maxBody = 2 << 20

    func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("cgi-bin/gettoken") { request, _ -> PlatformAnswer<AccessTokenResponse> in
            let query = request.uri.queryParameters
            return await Self.answer {
                try await world.issueToken(corpID: query.get("corpid") ?? "", secret: query.get("corpsecret") ?? "")
            }
        }
        let r = Registrar(router: router, world: world)
        r.get("department/list") { world, corp, _ in try await world.departments(corp) }
        r.get("user/list") { world, corp, query in try await world.members(corp, departmentID: Int(query["department_id"] ?? "") ?? 1) }
        r.get("externalcontact/get_follow_user_list") { world, corp, _ in try await world.followUsers(corp) }
        r.get("externalcontact/list") { world, corp, query in try await world.externalContacts(corp, of: query["userid"] ?? "") }
        r.get("externalcontact/get") { world, corp, query in
            try await world.externalContact(corp, query["external_userid"] ?? "", cursor: query["cursor"])
        }
        r.get("externalcontact/get_moment_task_result") { world, corp, query in try await world.momentTaskResult(corp, jobID: query["jobid"] ?? "") }

        r.post("externalcontact/batch/get_by_user") { (world, corp, body: BatchGetByUserRequest) in try await world.batchExternalContacts(corp, body) }
        r.post("externalcontact/remark") { (world, corp, body: RemarkRequest) in try await world.remark(corp, body); return NoPayload() }
        r.post("externalcontact/mark_tag") { (world, corp, body: MarkTagRequest) in try await world.markTag(corp, body); return NoPayload() }
        r.post("externalcontact/get_corp_tag_list") { (world, corp, body: CorpTagListRequest) in try await world.corpTags(corp, body) }
        r.post("externalcontact/add_corp_tag") { (world, corp, body: AddCorpTagRequest) in try await world.addCorpTag(corp, body) }
        r.post("externalcontact/edit_corp_tag") { (world, corp, body: EditCorpTagRequest) in try await world.editCorpTag(corp, body); return NoPayload() }
        r.post("externalcontact/del_corp_tag") { (world, corp, body: DeleteCorpTagRequest) in try await world.deleteCorpTag(corp, body); return NoPayload() }
        r.post("externalcontact/add_contact_way") { (world, corp, body: ContactWay) in try await world.addContactWay(corp, body) }
        r.post("externalcontact/get_contact_way") { (world, corp, body: ConfigIDRequest) in try await world.contactWay(corp, body.configID) }
        r.post("externalcontact/update_contact_way") { (world, corp, body: ContactWay) in try await world.updateContactWay(corp, body); return NoPayload() }
        r.post("externalcontact/del_contact_way") { (world, corp, body: ConfigIDRequest) in try await world.deleteContactWay(corp, body.configID); return NoPayload() }
        r.post("externalcontact/add_msg_template") { (world, corp, body: AddMsgTemplateRequest) in try await world.addMessageTemplate(corp, body) }
        r.post("externalcontact/get_groupmsg_list_v2") { (world, corp, body: GroupMsgListRequest) in try await world.groupMessages(corp, body) }
        r.post("externalcontact/get_groupmsg_task") { (world, corp, body: GroupMsgTaskRequest) in try await world.groupMessageTasks(corp, body) }
        r.post("externalcontact/get_groupmsg_send_result") { (world, corp, body: GroupMsgSendResultRequest) in try await world.groupMessageResults(corp, body) }
        r.post("externalcontact/get_group_msg_result") { (world, corp, body: MsgIDRequest) in try await world.groupMessageResultLegacy(corp, body.msgID) }
        r.post("externalcontact/remind_groupmsg_send") { (world, corp, body: MsgIDRequest) in try await world.remindGroupMessage(corp, body.msgID); return NoPayload() }
        r.post("externalcontact/cancel_groupmsg_send") { (world, corp, body: MsgIDRequest) in try await world.cancelGroupMessage(corp, body.msgID); return NoPayload() }
        r.post("externalcontact/send_welcome_msg") { (world, corp, body: SendWelcomeMsgRequest) in try await world.sendWelcomeMessage(corp, body); return NoPayload() }
        r.post("externalcontact/groupchat/list") { (world, corp, body: GroupChatListRequest) in try await world.groupChats(corp, body) }
        r.post("externalcontact/groupchat/get") { (world, corp, body: GroupChatGetRequest) in try await world.groupChat(corp, body) }
        r.post("externalcontact/groupchat/transfer") { (world, corp, body: GroupChatTransferRequest) in try await world.transferGroupChats(corp, body) }
        r.post("externalcontact/transfer_customer") { (world, corp, body: TransferCustomerRequest) in try await world.transferCustomers(corp, body, resigned: false) }
        r.post("externalcontact/resigned/transfer_customer") { (world, corp, body: TransferCustomerRequest) in try await world.transferCustomers(corp, body, resigned: true) }
        r.post("externalcontact/transfer_result") { (world, corp, body: TransferResultRequest) in try await world.transferResults(corp, body, resigned: false) }
        r.post("externalcontact/resigned/transfer_result") { (world, corp, body: TransferResultRequest) in try await world.transferResults(corp, body, resigned: true) }
        r.post("externalcontact/get_unassigned_list") { (world, corp, body: UnassignedListRequest) in try await world.unassignedCustomers(corp, body) }
        r.post("externalcontact/add_moment_task") { (world, corp, body: AddMomentTaskRequest) in try await world.addMomentTask(corp, body) }
        r.post("externalcontact/get_user_behavior_data") { (world, corp, body: UserBehaviorDataRequest) in try await world.userBehaviorData(corp, body) }
    }

    /// Runs a world operation and wraps its outcome in the platform's envelope.
    static func answer<Payload: Encodable & Sendable>(_ operation: () async throws -> Payload) async -> PlatformAnswer<Payload> {
        do {
            return PlatformAnswer(payload: try await operation())
        } catch let error as SandboxError {
            return PlatformAnswer(errcode: error.errcode, errmsg: error.errmsg, payload: nil)
        } catch {
            return PlatformAnswer(errcode: -1, errmsg: "system error", payload: nil)
        }
    }
}

/// Registers `/cgi-bin/<path>` routes that check the access token, decode the body and answer.
private struct Registrar {
    let router: Router<BasicRequestContext>
    let world: SandboxWorld

    func get<Payload: Encodable & Sendable>(
        _ path: String,
        _ operation: @escaping @Sendable (SandboxWorld, String, [String: String]) async throws -> Payload
    ) {
        let world = self.world
        router.get(RouterPath("cgi-bin/" + path)) { request, _ -> PlatformAnswer<Payload> in
            let query = Dictionary(request.uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { first, _ in first })
            return await SandboxAPI.answer {
                let corp = try await world.corpID(forToken: query["access_token"])
                try await world.checkFault(path)
                return try await operation(world, corp, query)
            }
        }
    }

    func post<Body: Decodable & Sendable, Payload: Encodable & Sendable>(
        _ path: String,
        _ operation: @escaping @Sendable (SandboxWorld, String, Body) async throws -> Payload
    ) {
        let world = self.world
        router.post(RouterPath("cgi-bin/" + path)) { request, _ -> PlatformAnswer<Payload> in
            let query = request.uri.queryParameters
            var request = request
            return await SandboxAPI.answer {
                let corp = try await world.corpID(forToken: query.get("access_token"))
                try await world.checkFault(path)
                let buffer: ByteBuffer
                do {
                    buffer = try await request.collectBody(upTo: SandboxAPI.maxBody)
                } catch {
                    throw SandboxError(44004, "request body too large")
                }
                let body: Body
                do {
                    body = try JSONDecoder().decode(Body.self, from: Data(buffer.readableBytesView))
                } catch {
                    throw SandboxError.dataFormat
                }
                return try await operation(world, corp, body)
            }
        }
    }
}
