import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import SiyuCore
import SiyuStore
import SiyuTestSupport
import Testing
import WeCom
import WeComSandbox

@testable import SiyuServer

/// `GET|POST /callback/mp/{app_id}` in the three modes, and the followers the pushes make.
@Suite("Service account callbacks")
struct ServiceAccountCallbackTests {
    static let corpID = "wwmp0001"
    static let appID = "wx0123456789abcdef"
    static let originalID = "gh_0123456789ab"
    static let token = "mpToken42"
    static let aesKey = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
    static let newKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
    static let path = "/callback/mp/\(appID)"

    /// A server with the ingestor running and one account in `mode`, with reply rules.
    static func withServer(mode: CallbackMode, _ body: @Sendable (any TestClientProtocol, SiyuStore) async throws -> Void) async throws {
        try await TestDatabases.withStore(.sqlite) { store in
            _ = try await store.corps.register(TestServer.registration(corpID), actor: "test", now: Date())
            _ = try await store.serviceAccounts.register(
                ServiceAccountRegistration(corpID: corpID, appID: appID, name: "测试服务号", secret: "mp-secret", token: token, encodingAESKey: aesKey, mode: mode),
                actor: "test", now: Date()
            )
            let rules = ReplyRulesDocument(
                rules: [KeywordRule(id: "price", name: "价格", keywords: ["价格"], match: .contains, reply: .text("价格表见菜单"))],
                defaultReply: .text("您好，稍后回复您"), subscribeReply: .text("欢迎关注"),
                clickReplies: ["V1001_HOURS": .news(.init(title: "营业时间", url: "https://example.com/hours"))]
            )
            #expect(try await store.serviceAccounts.setReplies(appID: appID, rules, actor: "test", now: Date()))
            let dependencies = ServerDependencies(store: store, admin: AdminCredential(token: TestServer.adminToken), logger: TestServer.logger)
            let app = try buildApplication(configuration: .init(), dependencies: dependencies, services: [dependencies.ingestor], logger: TestServer.logger)
            try await app.test(.router) { client in try await body(client, store) }
        }
    }

    /// A push as the platform builds it.
    static func event(_ openID: String, _ event: String, at time: Int64 = 1_700_000_000, extra: String = "") -> String {
        "<xml><ToUserName><![CDATA[\(originalID)]]></ToUserName><FromUserName><![CDATA[\(openID)]]></FromUserName><CreateTime>\(time)</CreateTime>"
            + "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[\(event)]]></Event>\(extra)</xml>"
    }

    static func text(_ openID: String, _ content: String, msgID: Int64 = 6_000_000_000_000_000_001, at time: Int64 = 1_700_000_000) -> String {
        "<xml><ToUserName><![CDATA[\(originalID)]]></ToUserName><FromUserName><![CDATA[\(openID)]]></FromUserName><CreateTime>\(time)</CreateTime>"
            + "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[\(content)]]></Content><MsgId>\(msgID)</MsgId></xml>"
    }

    enum Wire { case plain, compatible, secure }

    /// The query and body of a push of `xml` as the platform sends it in `wire` mode.
    static func push(_ xml: String, wire: Wire, key: String = aesKey, token: String = token, timestamp: String = "1700000000", nonce: String = "n0nce") throws -> (query: String, body: String) {
        let signature = CallbackCrypto.plainSignature(token: token, timestamp: timestamp, nonce: nonce)
        var query = "signature=\(signature)&timestamp=\(timestamp)&nonce=\(nonce)&openid=oFollower"
        guard wire != .plain else { return (query, xml) }
        let crypto = try CallbackCrypto(token: token, encodingAESKey: key, receiveID: appID)
        let encrypted = try crypto.encrypt(xml)
        let msgSignature = crypto.signature(timestamp: timestamp, nonce: nonce, encrypted: encrypted)
        query += "&encrypt_type=aes&msg_signature=\(msgSignature)"
        let inner = wire == .compatible ? String(xml.dropFirst(5).dropLast(6)) : "<ToUserName><![CDATA[\(originalID)]]></ToUserName>"
        return (query.replacingOccurrences(of: "+", with: "%2B"), "<xml>\(inner)<Encrypt><![CDATA[\(encrypted)]]></Encrypt></xml>")
    }

    static func post(_ client: any TestClientProtocol, _ xml: String, wire: Wire, key: String = aesKey) async throws -> TestResponse {
        try await post(client, try push(xml, wire: wire, key: key))
    }

    /// POSTs until the ingestor is up (it answers 503 before it runs).
    static func post(_ client: any TestClientProtocol, _ push: (query: String, body: String), path: String = path) async throws -> TestResponse {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let response = try await client.execute(uri: "\(path)?\(push.query)", method: .post, headers: [.contentType: "text/xml"], body: ByteBuffer(string: push.body))
            if response.status != .serviceUnavailable || ContinuousClock.now > deadline { return response }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// The plain reply inside an answer: decrypted (after checking its signature) when encrypted.
    static func replyXML(_ response: TestResponse, key: String = aesKey) throws -> WeComXMLElement? {
        let text = response.text
        if text == "success" || text.isEmpty { return nil }
        let root = try WeComXML.parse(text)
        guard let encrypted = root["Encrypt"] else { return root }
        let crypto = try CallbackCrypto(token: token, encodingAESKey: key, receiveID: appID)
        let plain = try crypto.decryptMessage(
            signature: root["MsgSignature"] ?? "", timestamp: root["TimeStamp"] ?? "", nonce: root["Nonce"] ?? "", encrypted: encrypted
        )
        return try WeComXML.parse(plain)
    }

    @Test("URL verification answers the plain echostr in secure mode; a wrong signature is 403 and an unknown AppID 404")
    func verification() async throws {
        try await Self.withServer(mode: .secure) { client, _ in
            let query = try Self.push("", wire: .plain).query
            let ok = try await client.call(.get, "\(Self.path)?\(query)&echostr=4512857391", token: nil)
            #expect(ok.status == .ok)
            #expect(ok.text == "4512857391")
            let forged = try Self.push("", wire: .plain, token: "otherToken").query
            let refused = try await client.call(.get, "\(Self.path)?\(forged)&echostr=4512857391", token: nil)
            #expect(refused.status == .forbidden)
            #expect(refused.errorCode == "bad_signature")
            let unknown = try await client.call(.get, "/callback/mp/wxffffffffffffffff?\(query)&echostr=1", token: nil)
            #expect(unknown.status == .notFound)
        }
    }

    @Test("a secure account stores a follow once, answers the subscribe reply encrypted, and absorbs the redelivery")
    func secureFollow() async throws {
        try await Self.withServer(mode: .secure) { client, store in
            let push = try Self.push(Self.event("oAlice", "subscribe"), wire: .secure)
            let first = try await Self.post(client, push)
            #expect(first.status == .ok)
            let reply = try #require(try Self.replyXML(first))
            #expect(reply["ToUserName"] == "oAlice")
            #expect(reply["FromUserName"] == Self.originalID)
            #expect(reply["MsgType"] == "text")
            #expect(reply["Content"] == "欢迎关注")
            let again = try await Self.post(client, push)
            #expect(again.status == .ok)
            #expect(try Self.replyXML(again)?["Content"] == "欢迎关注")
            #expect(try await store.inbox.backlog()["pending"] == 1)
        }
    }

    @Test("a push in a weaker mode than configured is refused 403, a stronger one accepted; a bad signature is 403 in every mode")
    func modes() async throws {
        try await Self.withServer(mode: .secure) { client, store in
            for wire in [Wire.plain, .compatible] {
                let refused = try await Self.post(client, Self.event("oMallory", "subscribe"), wire: wire)
                #expect(refused.status == .forbidden)
                #expect(refused.errorCode == "mode_refused")
            }
            #expect(try await store.inbox.backlog()["pending"] == 0)
        }
        try await Self.withServer(mode: .compatible) { client, store in
            let answer1 = try await Self.post(client, Self.event("oA", "subscribe"), wire: .plain)
            #expect(answer1.status == .forbidden)
            let answer2 = try await Self.post(client, Self.event("oB", "subscribe"), wire: .compatible)
            #expect(answer2.status == .ok)
            let answer3 = try await Self.post(client, Self.event("oC", "subscribe"), wire: .secure)
            #expect(answer3.status == .ok)
            #expect(try await store.inbox.backlog()["pending"] == 2)
        }
        for mode in CallbackMode.allCases {
            try await Self.withServer(mode: mode) { client, store in
                let wire: Wire = mode == .plain ? .plain : mode == .compatible ? .compatible : .secure
                var forged = try Self.push(Self.event("oEve", "subscribe"), wire: wire)
                forged.query = forged.query.replacingOccurrences(of: "signature=", with: "signature=0", options: .anchored)
                let refused = try await Self.post(client, forged)
                #expect(refused.status == .forbidden, "\(mode)")
                #expect(refused.errorCode == "bad_signature", "\(mode)")
                if wire != .plain {
                    // The outer signature right, msg_signature over other ciphertext.
                    var tampered = try Self.push(Self.event("oEve", "subscribe"), wire: wire)
                    tampered.query = tampered.query.replacingOccurrences(of: "msg_signature=", with: "msg_signature=00")
                    let answer4 = try await Self.post(client, tampered)
                    #expect(answer4.status == .forbidden, "\(mode)")
                }
                #expect(try await store.inbox.backlog()["pending"] == 0)
            }
        }
    }

    @Test("after a key rotation a push encrypted with the previous key still opens, and the reply is encrypted with it")
    func previousKey() async throws {
        try await Self.withServer(mode: .secure) { client, store in
            #expect(try await store.serviceAccounts.rotateKey(appID: Self.appID, to: Self.newKey, actor: "test", now: Date())?.hasPreviousKey == true)
            let old = try await Self.post(client, Self.text("oAlice", "请问价格"), wire: .secure, key: Self.aesKey)
            #expect(old.status == .ok)
            #expect(try Self.replyXML(old, key: Self.aesKey)?["Content"] == "价格表见菜单")
            let new = try await Self.post(client, Self.text("oAlice", "hello", msgID: 2), wire: .secure, key: Self.newKey)
            #expect(new.status == .ok)
            #expect(try Self.replyXML(new, key: Self.newKey)?["Content"] == "您好，稍后回复您")
            let stranger = try await Self.post(client, Self.text("oAlice", "x", msgID: 3), wire: .secure, key: "ZZZZefghijklmnopqrstuvwxyz0123456789ABCDEFG")
            #expect(stranger.status == .badRequest)
        }
    }

    @Test("plain mode: keyword, default and menu replies; malformed XML 400; an oversize body refused; two distinct pushes in one second both kept")
    func plainReplies() async throws {
        try await Self.withServer(mode: .plain) { client, store in
            let keyword = try await Self.post(client, Self.text("oBob", "  价格？ "), wire: .plain)
            #expect(try Self.replyXML(keyword)?["Content"] == "价格表见菜单")
            let click = try await Self.post(client, Self.event("oBob", "CLICK", extra: "<EventKey><![CDATA[V1001_HOURS]]></EventKey>"), wire: .plain)
            let news = try #require(try Self.replyXML(click))
            #expect(news["MsgType"] == "news")
            #expect(news["ArticleCount"] == "1")
            #expect(news.child(named: "Articles")?.child(named: "item")?["Url"] == "https://example.com/hours")
            let location = try await Self.post(client, 
                Self.event("oBob", "LOCATION", extra: "<Latitude>23.137466</Latitude><Longitude>113.352425</Longitude><Precision>119.385040</Precision>"), wire: .plain
            )
            #expect(location.text == "success")
            #expect(try await store.inbox.backlog()["pending"] == 3)

            let malformed = try await Self.post(client, "<xml><ToUserName>broken", wire: .plain)
            #expect(malformed.status == .badRequest)
            let oversize = try await Self.post(client, "<xml>" + String(repeating: "a", count: 70_000) + "</xml>", wire: .plain)
            #expect(oversize.status == .contentTooLarge)
            #expect(try await store.inbox.backlog()["pending"] == 3)
        }
    }

    @Test("followers: a follow through a QR scene, messages on the timeline, an unfollow that clears the profile but keeps the counts; a job run twice counts once")
    func followers() async throws {
        try await Self.withServer(mode: .plain) { client, store in
            let day: Int64 = 1_700_000_000
            for xml in [
                Self.event("oCara", "subscribe", at: day, extra: "<EventKey><![CDATA[qrscene_poster_a]]></EventKey><Ticket><![CDATA[T1]]></Ticket>"),
                Self.text("oCara", "价格", at: day + 10),
                Self.event("oDan", "subscribe", at: day + 20),
                Self.event("oCara", "LOCATION", at: day + 30, extra: "<Latitude>23.1</Latitude><Longitude>113.3</Longitude><Precision>10</Precision>"),
            ] {
                let answer5 = try await Self.post(client, xml, wire: .plain)
                #expect(answer5.status == .ok)
            }
            try await TestServer.runJobs(store, kinds: [ServiceAccountCallbackController.applyJobKind])
            let cara = try #require(try await store.followers.find(corpID: Self.corpID, appID: Self.appID, openID: "oCara"))
            #expect(cara.subscribed)
            #expect(cara.qrScene == "poster_a")
            let timeline = try await store.followers.timeline(corpID: Self.corpID, appID: Self.appID, openID: "oCara")
            #expect(timeline.map(\.kind) == ["location", "message", "follow"])
            #expect(timeline[1].detail["text"] == "价格")

            let answer6 = try await Self.post(client, Self.event("oCara", "unsubscribe", at: day + 40), wire: .plain)
            #expect(answer6.status == .ok)
            try await TestServer.runJobs(store, kinds: [ServiceAccountCallbackController.applyJobKind])
            let gone = try #require(try await store.followers.find(corpID: Self.corpID, appID: Self.appID, openID: "oCara"))
            #expect(!gone.subscribed)
            #expect(gone.qrScene.isEmpty && gone.unionID == nil && gone.lastSeenAt == nil)
            #expect(try await store.followers.timeline(corpID: Self.corpID, appID: Self.appID, openID: "oCara").isEmpty)
            // A late push from before the unfollow brings nothing back.
            let answer7 = try await Self.post(client, Self.text("oCara", "迟到的消息", msgID: 9, at: day + 35), wire: .plain)
            #expect(answer7.status == .ok)
            try await TestServer.runJobs(store, kinds: [ServiceAccountCallbackController.applyJobKind])
            #expect(try await store.followers.timeline(corpID: Self.corpID, appID: Self.appID, openID: "oCara").isEmpty)

            let calendar = try await store.contacts.calendar(corpID: Self.corpID)
            let when = Date(timeIntervalSince1970: TimeInterval(day))
            let growth = try await store.followers.growth(corpID: Self.corpID, appID: Self.appID, from: when, to: when, calendar: calendar)
            #expect(growth.map(\.new) == [2])
            #expect(growth.map(\.lost) == [1])
            #expect(growth.map(\.total) == [1])
            #expect(try await store.followers.list(corpID: Self.corpID, appID: Self.appID).map(\.openID) == ["oDan"])

            // Applying a push again (a job that ran twice) changes nothing.
            let key = CallbackInbox.dedupeKey(for: Self.event("oDan", "subscribe", at: day + 20))
            #expect(try await store.inbox.find(corpID: Self.corpID, dedupeKey: key)?.state == "applied")
            let event = FollowerEvent(openID: "oDan", at: when, kind: .follow(scene: nil))
            #expect(try await store.followers.apply(
                corpID: Self.corpID, appID: Self.appID, inboxKey: key, event, channelID: nil, calendar: calendar, now: Date()
            ) == .alreadyApplied)
            #expect(try await store.followers.growth(corpID: Self.corpID, appID: Self.appID, from: when, to: when, calendar: calendar).map(\.new) == [2])
        }
    }

    @Test("a QR channel: a follow through its scene gets the channel's welcome and is attributed to it; a scan by a follower gets the welcome too; counts per channel")
    func qrChannel() async throws {
        try await Self.withServer(mode: .plain) { client, store in
            let now = Date()
            var settings = ChannelSettings(members: ["m1"])
            settings.followerWelcome = .text("欢迎来自门店海报")
            _ = try await store.channels.create(corpID: Self.corpID, Channel(
                channelID: "chn_poster", name: "门店海报", state: "poster_a", configID: nil, qrCode: nil, settings: settings, activeMembers: ["m1"],
                createdAt: now, updatedAt: now
            ), actor: "test")
            let qr = ChannelQRCode(appID: Self.appID, scene: "poster_a", ticket: "T1", url: "http://weixin.qq.com/q/T1", expiresAt: nil)
            #expect(try await store.channels.setOfficialAccountQR(corpID: Self.corpID, channelID: "chn_poster", qr, actor: "test", now: now)?.officialAccountQR == qr)

            let day: Int64 = 1_700_000_000
            let follow = try await Self.post(client, Self.event("oEva", "subscribe", at: day, extra: "<EventKey><![CDATA[qrscene_poster_a]]></EventKey><Ticket><![CDATA[T1]]></Ticket>"), wire: .plain)
            #expect(try Self.replyXML(follow)?["Content"] == "欢迎来自门店海报")
            let plainFollow = try await Self.post(client, Self.event("oFay", "subscribe", at: day + 1), wire: .plain)
            #expect(try Self.replyXML(plainFollow)?["Content"] == "欢迎关注")
            let scan = try await Self.post(client, Self.event("oFay", "SCAN", at: day + 2, extra: "<EventKey><![CDATA[poster_a]]></EventKey><Ticket><![CDATA[T1]]></Ticket>"), wire: .plain)
            #expect(try Self.replyXML(scan)?["Content"] == "欢迎来自门店海报")
            try await TestServer.runJobs(store, kinds: [ServiceAccountCallbackController.applyJobKind])

            #expect(try await store.followers.find(corpID: Self.corpID, appID: Self.appID, openID: "oEva")?.channelID == "chn_poster")
            #expect(try await store.followers.find(corpID: Self.corpID, appID: Self.appID, openID: "oFay")?.channelID == nil)
            #expect(try await store.followers.list(corpID: Self.corpID, appID: Self.appID, channelID: "chn_poster").map(\.openID) == ["oEva"])
            let calendar = try await store.contacts.calendar(corpID: Self.corpID)
            let when = Date(timeIntervalSince1970: TimeInterval(day))
            let byChannel = try await store.followers.growth(corpID: Self.corpID, appID: Self.appID, channelID: "chn_poster", from: when, to: when, calendar: calendar)
            #expect(byChannel.map(\.new) == [1])
            #expect(byChannel.map(\.total) == [1])
            let timeline = try await store.followers.timeline(corpID: Self.corpID, appID: Self.appID, openID: "oFay")
            #expect(timeline.first?.kind == "scan")
            #expect(timeline.first?.detail["channel_id"] == "chn_poster")
        }
    }

    @Test("pushes applied out of order converge: a follow behind a message still attributes its channel, and a loss counted before its follow moves to that follow's channel")
    func reordered() async throws {
        try await Self.withServer(mode: .plain) { _, store in
            let day: Int64 = 1_700_000_000
            let calendar = try await store.contacts.calendar(corpID: Self.corpID)
            func apply(_ xml: String, _ event: FollowerEvent, channel: String?) async throws {
                #expect(try await store.inbox.record(corpID: Self.corpID, payload: xml, now: Date()) == .stored)
                #expect(try await store.followers.apply(
                    corpID: Self.corpID, appID: Self.appID, inboxKey: CallbackInbox.dedupeKey(for: xml), event, channelID: channel, calendar: calendar, now: Date()
                ) == .applied)
            }
            let at = { (offset: Int64) in Date(timeIntervalSince1970: TimeInterval(day + offset)) }
            // oX: the message (t+20) is applied before the follow through channel A (t+10).
            try await apply(Self.text("oX", "你好", at: day + 20), FollowerEvent(openID: "oX", at: at(20), kind: .message(type: "text", detail: ["text": "你好"])), channel: nil)
            try await apply(Self.event("oX", "subscribe", at: day + 10), FollowerEvent(openID: "oX", at: at(10), kind: .follow(scene: "a")), channel: "chn_a")
            let x = try #require(try await store.followers.find(corpID: Self.corpID, appID: Self.appID, openID: "oX"))
            #expect(x.subscribed && x.channelID == "chn_a" && x.qrScene == "a")
            #expect(try await store.followers.timeline(corpID: Self.corpID, appID: Self.appID, openID: "oX").map(\.kind) == ["message", "follow"])
            // oY: the unfollow (t+40) is applied before the follow through channel B (t+30) it ends.
            try await apply(Self.event("oY", "unsubscribe", at: day + 40), FollowerEvent(openID: "oY", at: at(40), kind: .unfollow), channel: nil)
            try await apply(Self.event("oY", "subscribe", at: day + 30), FollowerEvent(openID: "oY", at: at(30), kind: .follow(scene: "b")), channel: "chn_b")
            let y = try #require(try await store.followers.find(corpID: Self.corpID, appID: Self.appID, openID: "oY"))
            #expect(!y.subscribed && y.channelID == nil)
            #expect(try await store.followers.timeline(corpID: Self.corpID, appID: Self.appID, openID: "oY").isEmpty)
            let when = at(0)
            let b = try await store.followers.growth(corpID: Self.corpID, appID: Self.appID, channelID: "chn_b", from: when, to: when, calendar: calendar)
            #expect(b.map(\.new) == [1] && b.map(\.lost) == [1])
            let none = try await store.followers.growth(corpID: Self.corpID, appID: Self.appID, channelID: "", from: when, to: when, calendar: calendar)
            #expect(none.map(\.lost) == [0])
            let all = try await store.followers.growth(corpID: Self.corpID, appID: Self.appID, from: when, to: when, calendar: calendar)
            #expect(all.map(\.new) == [2] && all.map(\.lost) == [1] && all.map(\.total) == [1])
        }
    }

    @Test("a sync mirrors the platform's followers (user/get and user/info/batchget) with their tags, and clears those who left without a push")
    func sync() async throws {
        let world = SandboxWorld(seed: 9, clock: SandboxClock(pinnedAt: Date()))
        let platform = Sandbox(world: world, deliverer: CallbackDeliverer(logger: TestServer.logger))
        _ = try await platform.officialAccounts.register(OfficialAccountConfig(
            appID: Self.appID, secret: "mp-secret", originalID: Self.originalID, token: Self.token, encodingAESKey: Self.aesKey, mode: .secure
        ))
        var followed: [String] = []
        for _ in 0..<5 { followed.append(try await platform.officialAccounts.simulate(.follow, appID: Self.appID, PersonAction()).openID) }
        let openIDs = followed
        try await platform.buildApplication(port: 0, logger: TestServer.logger).test(.live) { sandbox in
            try await TestDatabases.withStore(.sqlite) { store in
                _ = try await store.corps.register(TestServer.registration(Self.corpID), actor: "test", now: Date())
                _ = try await store.serviceAccounts.register(
                    ServiceAccountRegistration(corpID: Self.corpID, appID: Self.appID, name: "服务号", secret: "mp-secret", token: Self.token, encodingAESKey: Self.aesKey, mode: .secure),
                    apiBaseURL: "http://127.0.0.1:\(sandbox.port ?? 0)/mp", actor: "test", now: Date()
                )
                let accounts = ServiceAccountConnections(store: store, logger: TestServer.logger)
                let client = try #require(try await accounts.connection(appID: Self.appID)).client
                let tag = try await client.createFollowerTag(name: "老客户")
                try await client.setFollowerTag(tag.id, on: [openIDs[0], openIDs[1]])
                let sync = FollowerSync(store: store, accounts: accounts, time: .system, logger: TestServer.logger)

                #expect(try await sync.run(corpID: Self.corpID, appID: Self.appID) == .init(listed: 5, cleared: 0))
                let mirrored = try await store.followers.list(corpID: Self.corpID, appID: Self.appID)
                #expect(Set(mirrored.map(\.openID)) == Set(openIDs))
                #expect(Set(mirrored.filter { $0.tagIDs == [tag.id] }.map(\.openID)) == [openIDs[0], openIDs[1]])

                _ = try await platform.officialAccounts.simulate(.unfollow, appID: Self.appID, PersonAction(openID: openIDs[4]))
                #expect(try await sync.run(corpID: Self.corpID, appID: Self.appID) == .init(listed: 4, cleared: 1))
                #expect(try await store.followers.find(corpID: Self.corpID, appID: Self.appID, openID: openIDs[4])?.subscribed == false)
                #expect(Set(try await store.followers.list(corpID: Self.corpID, appID: Self.appID).map(\.openID)) == Set(openIDs.prefix(4)))
            }
        }
    }
}

