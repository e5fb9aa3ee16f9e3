import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
import WeCom

@testable import WeComSandbox

@Suite("Sandbox world behaviour")
struct WorldBehaviourTests {
    static let corpID = SandboxHarness.corp.corpID

    @Test("mass messages: tasks per sender, per-recipient status after confirmation, the platform cap applied")
    func massMessagesAndCap() async throws {
        try await SandboxHarness.run(rule: .onePerDay) { ctx in
            var customers: [String] = []
            for _ in 0..<4 { customers.append(try await ctx.world.customerAdds(corpID: Self.corpID, userID: "zhangsan").0.externalUserID) }
            let strangerOfZhangsan = try await ctx.world.customerAdds(corpID: Self.corpID, userID: "lisi").0.externalUserID

            let first = try await ctx.client.addMessageTemplate(AddMsgTemplateRequest(
                chatType: "single", externalUserID: customers + [strangerOfZhangsan], sender: "zhangsan", text: TextContent(content: "新品上市")
            ))
            #expect(first.msgID.hasPrefix("msg"))
            #expect(first.failList == [strangerOfZhangsan])
            #expect(try await ctx.client.groupMessageTasks(msgID: first.msgID).map(\.status) == [0])
            #expect(try await ctx.client.groupMessageResults(msgID: first.msgID, userID: "zhangsan").allSatisfy { $0.status == 0 })

            // One customer deletes the member before the task is confirmed.
            _ = try await ctx.world.customerDeletesMember(corpID: Self.corpID, externalUserID: customers[3], userID: "zhangsan")
            let counts = try await ctx.world.confirmMassMessage(corpID: Self.corpID, msgID: first.msgID, userID: "zhangsan")
            #expect(counts == ["1": 3, "2": 1, "3": 0])
            let results = try await ctx.client.groupMessageResults(msgID: first.msgID, userID: "zhangsan")
            #expect(Dictionary(uniqueKeysWithValues: results.map { ($0.externalUserID!, $0.status) }) == [
                customers[0]: 1, customers[1]: 1, customers[2]: 1, customers[3]: 2,
            ])
            #expect(try await ctx.client.groupMessageTasks(msgID: first.msgID).map(\.status) == [2])

            // The same day, a second message: 1 per day means status 3 for everyone who got the first.
            let second = try await ctx.client.addMessageTemplate(AddMsgTemplateRequest(externalUserID: Array(customers.prefix(3)), sender: "zhangsan", text: TextContent(content: "再来一条")))
            #expect(try await ctx.world.confirmMassMessage(corpID: Self.corpID, msgID: second.msgID, userID: "zhangsan") == ["1": 0, "2": 0, "3": 3])
            #expect(await ctx.world.receipts(corpID: Self.corpID, recipient: customers[0]).count == 1)

            // The next day it goes through.
            ctx.world.clock.advance(by: 86400)
            let third = try await ctx.client.addMessageTemplate(AddMsgTemplateRequest(externalUserID: [customers[0]], sender: "zhangsan", text: TextContent(content: "明天见")))
            #expect(try await ctx.world.confirmMassMessage(corpID: Self.corpID, msgID: third.msgID, userID: "zhangsan") == ["1": 1, "2": 0, "3": 0])
        }
    }

    @Test("mass message limits: recipients, text size, attachments, reminders")
    func massMessageLimits() async throws {
        try await SandboxHarness.run { ctx in
            let customer = try await ctx.world.customerAdds(corpID: Self.corpID, userID: "zhangsan").0.externalUserID
            let tooMany = (0..<10_001).map { "wm\($0)" }
            await #expect(throws: WeComAPIError.self) {
                try await ctx.client.addMessageTemplate(AddMsgTemplateRequest(externalUserID: tooMany, sender: "zhangsan", text: TextContent(content: "x")))
            }
            await #expect(throws: WeComAPIError.self) {
                try await ctx.client.addMessageTemplate(AddMsgTemplateRequest(externalUserID: [customer], sender: "zhangsan", text: TextContent(content: String(repeating: "字", count: 1400))))
            }
            let link = Attachment(msgType: "link", link: LinkAttachment(title: "t", url: "https://example.com"))
            await #expect(throws: WeComAPIError.self) {
                try await ctx.client.addMessageTemplate(AddMsgTemplateRequest(externalUserID: [customer], sender: "zhangsan", attachments: Array(repeating: link, count: 10)))
            }
            let ok = try await ctx.client.addMessageTemplate(AddMsgTemplateRequest(externalUserID: [customer], sender: "zhangsan", attachments: Array(repeating: link, count: 9)))
            for _ in 0..<3 { try await ctx.client.remindGroupMessage(msgID: ok.msgID) }
            await #expect(throws: WeComAPIError.self) { try await ctx.client.remindGroupMessage(msgID: ok.msgID) }
            try await ctx.client.cancelGroupMessage(msgID: ok.msgID)
            await #expect(throws: SandboxError.self) { try await ctx.world.confirmMassMessage(corpID: Self.corpID, msgID: ok.msgID, userID: "zhangsan") }
        }
    }

    @Test("a welcome code works once, within 20 seconds")
    func welcomeWindow() async throws {
        try await SandboxHarness.run { ctx in
            let first = try await ctx.world.customerAdds(corpID: Self.corpID, userID: "zhangsan").0
            let code = try #require(first.welcomeCode)
            try await ctx.client.sendWelcomeMessage(SendWelcomeMsgRequest(welcomeCode: code, text: TextContent(content: "欢迎光临")))
            do {
                try await ctx.client.sendWelcomeMessage(SendWelcomeMsgRequest(welcomeCode: code, text: TextContent(content: "again")))
                Issue.record("a welcome code was used twice")
            } catch let error as WeComAPIError {
                #expect(error.errcode == 41051)
            }
            let late = try #require(try await ctx.world.customerAdds(corpID: Self.corpID, userID: "lisi").0.welcomeCode)
            ctx.world.clock.advance(by: 21)
            await #expect(throws: WeComAPIError.self) {
                try await ctx.client.sendWelcomeMessage(SendWelcomeMsgRequest(welcomeCode: late, text: TextContent(content: "too late")))
            }
            #expect(await ctx.world.welcomes(corpID: Self.corpID).map(\.text) == ["欢迎光临"])
            // Adding a member the customer already has issues no new code.
            let again = try await ctx.world.customerAdds(corpID: Self.corpID, userID: "zhangsan", externalUserID: first.externalUserID).0
            #expect(again.welcomeCode == nil)
        }
    }

    @Test("customer groups: create, join, list and read")
    func groups() async throws {
        try await SandboxHarness.run { ctx in
            let customer = try await ctx.world.customerAdds(corpID: Self.corpID, userID: "zhangsan").0.externalUserID
            let (chatID, _) = try await ctx.world.createGroup(corpID: Self.corpID, owner: "zhangsan", name: "咖啡爱好者")
            let events = try await ctx.world.customerInGroup(corpID: Self.corpID, chatID: chatID, externalUserID: customer, joins: true)
            #expect(events.first?.changeType == "update")
            #expect(try await ctx.client.allGroupChats().map(\.chatID) == [chatID])
            let group = try await ctx.client.groupChat(chatID)
            #expect(group.name == "咖啡爱好者")
            #expect(group.memberList.map(\.type) == [1, 2])
            #expect(group.memberList.last?.joinScene == 3)
            #expect(try await ctx.client.allGroupChats(owners: ["lisi"]).isEmpty)
        }
    }

    @Test("transfers take over after 24 h, at most twice per customer in 90 days")
    func transfers() async throws {
        try await SandboxHarness.run { ctx in
            let customer = try await ctx.world.customerAdds(corpID: Self.corpID, userID: "zhangsan").0.externalUserID
            let outcome = try await ctx.client.transferCustomers(TransferCustomerRequest(handoverUserID: "zhangsan", takeoverUserID: "lisi", externalUserID: [customer, "wmnobody"]))
            #expect(outcome.map(\.errcode) == [0, 84061])
            #expect(try await ctx.client.transferResults(handover: "zhangsan", takeover: "lisi").map(\.status) == [2])
            ctx.world.clock.advance(by: 24 * 3600 + 1)
            #expect(try await ctx.client.transferResults(handover: "zhangsan", takeover: "lisi").map(\.status) == [1])
            #expect(try await ctx.client.externalContact(customer).followUser.map(\.userID) == ["lisi"])

            _ = try await ctx.client.transferCustomers(TransferCustomerRequest(handoverUserID: "lisi", takeoverUserID: "wangwu", externalUserID: [customer]))
            ctx.world.clock.advance(by: 24 * 3600 + 1)
            let third = try await ctx.client.transferCustomers(TransferCustomerRequest(handoverUserID: "wangwu", takeoverUserID: "zhangsan", externalUserID: [customer]))
            #expect(third.map(\.errcode) == [40129])
        }
    }

    @Test("moments and behaviour data")
    func momentsAndBehaviour() async throws {
        try await SandboxHarness.run { ctx in
            _ = try await ctx.world.customerAdds(corpID: Self.corpID, userID: "zhangsan")
            let job = try await ctx.client.addMomentTask(AddMomentTaskRequest(
                visibleRange: VisibleRange(senderList: SenderList(userList: ["zhangsan", "ghost"])), text: TextContent(content: "周末活动")
            ))
            let result = try await ctx.client.momentTaskResult(jobID: job)
            #expect(result.status == 3)
            #expect(result.result?.invalidSenderList?.userList == ["ghost"])
            let now = ctx.world.clock.unixNow
            let data = try await ctx.client.userBehaviorData(UserBehaviorDataRequest(userID: ["zhangsan"], startTime: now - 86400, endTime: now))
            #expect(data.map(\.newContactCnt).reduce(0, +) == 1)
            await #expect(throws: WeComAPIError.self) {
                try await ctx.client.userBehaviorData(UserBehaviorDataRequest(userID: ["zhangsan"], startTime: now - 40 * 86400, endTime: now))
            }
        }
    }

    @Test("the same seed and actions give the same world")
    func deterministic() async throws {
        func replay() async throws -> [String] {
            let world = SandboxWorld(seed: 99, clock: SandboxClock(pinnedAt: Date(timeIntervalSince1970: 1_800_000_000)))
            await world.configure(SandboxHarness.corp)
            _ = try await world.addMember(corpID: SandboxHarness.corp.corpID, userID: "u1", name: "U1")
            var out: [String] = []
            for _ in 0..<5 {
                let (added, events) = try await world.customerAdds(corpID: SandboxHarness.corp.corpID, userID: "u1")
                out += [added.externalUserID, added.welcomeCode ?? "", CallbackDeliverer.xml(for: events[0])]
            }
            out.append(try await world.createGroup(corpID: SandboxHarness.corp.corpID, owner: "u1", name: "g").0)
            return out
        }
        let a = try await replay()
        let b = try await replay()
        #expect(a == b)
        #expect(Set(a.prefix(15)).count == 15)
    }
}

@Suite("Callback delivery")
struct CallbackDeliveryTests {
    /// What a receiver saw.
    final class Inbox: Sendable {
        let received = Mutex<[(query: [String: String], body: String)]>([])
        let failuresLeft: Mutex<Int>
        init(failFirst: Int) { failuresLeft = Mutex(failFirst) }
    }

    static func withReceiver(failFirst: Int = 0, _ body: @Sendable (Int, Inbox) async throws -> Void) async throws {
        let inbox = Inbox(failFirst: failFirst)
        let router = Router()
        router.post("callback") { request, _ -> Response in
            var request = request
            let text = String(buffer: try await request.collectBody(upTo: 1 << 20))
            let query = Dictionary(request.uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { a, _ in a })
            inbox.received.withLock { $0.append((query, text)) }
            let fail = inbox.failuresLeft.withLock { left -> Bool in
                defer { left = max(0, left - 1) }
                return left > 0
            }
            return Response(status: fail ? .internalServerError : .ok)
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: SandboxHarness.logger)
        try await app.test(.live) { client in try await body(try #require(client.port), inbox) }
    }

    @Test("an add event arrives encrypted and signed, and decrypts to the platform's XML")
    func deliversEncrypted() async throws {
        try await Self.withReceiver { port, inbox in
            try await SandboxHarness.run(callbackURL: "http://127.0.0.1:\(port)/callback") { ctx in
                let way = try await ctx.client.addContactWay(ContactWay(type: 1, scene: 2, state: "门店A", user: ["zhangsan"]))
                let (added, events) = try await ctx.world.customerAdds(corpID: SandboxHarness.corp.corpID, configID: way.configID)
                let record = await ctx.sandbox.deliverer.deliver(events[0], config: try #require(await ctx.world.config(of: SandboxHarness.corp.corpID)))
                #expect(record.outcome == "delivered")
                #expect(record.attempts == 1)

                let (query, body) = try #require(inbox.received.withLock { $0.first })
                let envelope = try WeComEncryptedEnvelope.decodeXML(body)
                #expect(envelope.toUserName == SandboxHarness.corp.corpID)
                let crypto = try CallbackCrypto(token: SandboxHarness.corp.token, encodingAESKey: SandboxHarness.corp.encodingAESKey, receiveID: SandboxHarness.corp.corpID)
                let xml = try crypto.decryptMessage(
                    signature: try #require(query["msg_signature"]), timestamp: try #require(query["timestamp"]),
                    nonce: try #require(query["nonce"]), encrypted: envelope.encrypt
                )
                let callback = try WeComCallback.decode(xml)
                guard case .externalContact(.add(let add)) = callback.payload else {
                    Issue.record("decoded to \(callback.payload)")
                    return
                }
                #expect(add.contact.externalUserID == added.externalUserID)
                #expect(add.contact.userID == "zhangsan")
                #expect(add.state == "门店A")
                #expect(add.welcomeCode == added.welcomeCode)
            }
        }
    }

    @Test("a failing receiver is tried 3 times in all, then the delivery is recorded as failed")
    func retries() async throws {
        try await Self.withReceiver(failFirst: 2) { port, inbox in
            try await SandboxHarness.run(callbackURL: "http://127.0.0.1:\(port)/callback") { ctx in
                let config = try #require(await ctx.world.config(of: SandboxHarness.corp.corpID))
                let (_, events) = try await ctx.world.customerAdds(corpID: SandboxHarness.corp.corpID, userID: "zhangsan")
                let recovered = await ctx.sandbox.deliverer.deliver(events[0], config: config)
                #expect(recovered.outcome == "delivered")
                #expect(recovered.attempts == 3)
            }
        }
        try await Self.withReceiver(failFirst: 10) { port, inbox in
            try await SandboxHarness.run(callbackURL: "http://127.0.0.1:\(port)/callback") { ctx in
                let config = try #require(await ctx.world.config(of: SandboxHarness.corp.corpID))
                let (_, events) = try await ctx.world.customerAdds(corpID: SandboxHarness.corp.corpID, userID: "zhangsan")
                let failed = await ctx.sandbox.deliverer.deliver(events[0], config: config)
                #expect(failed.outcome == "failed")
                #expect(failed.attempts == 3)
                #expect(failed.lastStatus == 500)
                #expect(inbox.received.withLock { $0.count } == 3)
                #expect(await ctx.sandbox.deliverer.deliveries().last == failed)
            }
        }
    }
}
