import Foundation
import Testing
import WeCom

@testable import WeComSandbox

@Suite("Official Account pushes, replies and windows")
struct OfficialAccountDeliveryTests {
    typealias H = OfficialAccountHarness

    @Test("plain mode: signed query with openid, the platform's XML, a plain text reply read back")
    func plainMode() async throws {
        let receiver = H.Receiver { push in
            let root = try? WeComXML.parse(push.body)
            return root?["MsgType"] == "text" ? (.ok, H.textReply(to: push, content: "您好")) : (.ok, "success")
        }
        try await H.withReceiver(receiver) { url in
            try await H.run(mode: .plain, callbackURL: url) { ctx in
                let followed = try await ctx.person("follow", [:])
                let openID = try #require(followed["openid"] as? String)
                let delivery = try #require(followed["delivery"] as? [String: Any])
                #expect(delivery["outcome"] as? String == "no_reply")
                #expect(delivery["event"] as? String == "subscribe")

                let push = try #require(receiver.last)
                #expect(push.query["openid"] == openID)
                #expect(push.query["encrypt_type"] == nil)
                let signature = CallbackCrypto.plainSignature(token: H.token, timestamp: push.query["timestamp"] ?? "", nonce: push.query["nonce"] ?? "")
                #expect(push.query["signature"] == signature)
                let root = try WeComXML.parse(push.body)
                #expect(root["ToUserName"] == H.originalID)
                #expect(root["FromUserName"] == openID)
                #expect(root["CreateTime"] == "1800000000")
                #expect(root["MsgType"] == "event")
                #expect(root["Event"] == "subscribe")
                #expect(root["EventKey"] == nil)

                let text = try #require(try await ctx.person("text", ["openid": openID, "content": "你好"])["delivery"] as? [String: Any])
                #expect(text["outcome"] as? String == "replied")
                #expect((text["reply_xml"] as? String)?.contains("您好") == true)
                let message = try WeComXML.parse(try #require(receiver.last).body)
                #expect(message["Content"] == "你好")
                #expect(Int64(message["MsgId"] ?? "").map { $0 > 1 << 53 } == true)
            }
        }
    }

    @Test("compatible mode: plain fields plus Encrypt, msg_signature verifies; an encrypted reply is decrypted")
    func compatibleMode() async throws {
        let receiver = H.Receiver { push in
            let reply = H.textReply(to: push, content: "加密回复")
            return (.ok, (try? H.encrypted(reply)) ?? "")
        }
        try await H.withReceiver(receiver) { url in
            try await H.run(mode: .compatible, callbackURL: url) { ctx in
                let openID = try await ctx.newFollower()
                let answer = try await ctx.person("text", ["openid": openID, "content": "hello"])
                let delivery = try #require(answer["delivery"] as? [String: Any])
                #expect(delivery["outcome"] as? String == "replied")
                #expect(delivery["reply_encrypted"] as? Bool == true)
                #expect((delivery["reply_xml"] as? String)?.contains("加密回复") == true)

                let push = try #require(receiver.last)
                #expect(push.query["encrypt_type"] == "aes")
                let root = try WeComXML.parse(push.body)
                #expect(root["Content"] == "hello")
                let crypto = try CallbackCrypto(token: H.token, encodingAESKey: H.aesKey, receiveID: H.appID)
                let decrypted = try crypto.decryptMessage(
                    signature: try #require(push.query["msg_signature"]), timestamp: try #require(push.query["timestamp"]),
                    nonce: try #require(push.query["nonce"]), encrypted: try #require(root["Encrypt"])
                )
                #expect(decrypted == delivery["xml"] as? String)
            }
        }
    }

    @Test("secure mode: only ToUserName and Encrypt; a plain reply is the platform's error; a key change is followed")
    func secureMode() async throws {
        let receiver = H.Receiver { push in (.ok, H.textReply(to: push, content: "plain")) }
        try await H.withReceiver(receiver) { url in
            try await H.run(mode: .secure, callbackURL: url) { ctx in
                let followed = try await ctx.person("follow", [:])
                let delivery = try #require(followed["delivery"] as? [String: Any])
                #expect(delivery["outcome"] as? String == "invalid_reply")
                #expect((delivery["reply_error"] as? String)?.contains("secure") == true)
                let root = try WeComXML.parse(try #require(receiver.last).body)
                #expect(root.children.map(\.name) == ["ToUserName", "Encrypt"])

                _ = try await ctx.post("/sandbox/mp/accounts/\(H.appID)/aes_key", ["aes_key": H.otherKey])
                let openID = try #require(followed["openid"] as? String)
                _ = try await ctx.person("click", ["openid": openID, "key": "V1001"])
                let push = try #require(receiver.last)
                let encrypted = try #require(try WeComXML.parse(push.body)["Encrypt"])
                let newKey = try CallbackCrypto(token: H.token, encodingAESKey: H.otherKey, receiveID: H.appID)
                #expect(try newKey.decrypt(encrypted).message.contains("<Event><![CDATA[CLICK]]></Event>"))
                let oldKey = try CallbackCrypto(token: H.token, encodingAESKey: H.aesKey, receiveID: H.appID)
                #expect(throws: WeComCryptoError.self) { _ = try oldKey.decrypt(encrypted) }
            }
        }
    }

    @Test("a reply encrypted with the previous key is still read after a key change")
    func previousKeyReply() async throws {
        let receiver = H.Receiver { push in (.ok, (try? H.encrypted(H.textReply(to: push, content: "old key"), key: H.aesKey)) ?? "") }
        try await H.withReceiver(receiver) { url in
            try await H.run(mode: .secure, callbackURL: url) { ctx in
                _ = try await ctx.post("/sandbox/mp/accounts/\(H.appID)/aes_key", ["aes_key": H.otherKey])
                let delivery = try #require(try await ctx.person("follow", [:])["delivery"] as? [String: Any])
                #expect(delivery["outcome"] as? String == "replied")
            }
        }
    }

    @Test("a failing server is tried 3 times; a reply to the wrong person is refused")
    func retriesAndBadReplies() async throws {
        let receiver = H.Receiver { push in
            let root = try? WeComXML.parse(push.body)
            if root?["Event"] == "subscribe" { return (.internalServerError, "") }
            var writer = WeComXMLWriter()
            writer.text("ToUserName", "osomeoneelse")
            writer.text("FromUserName", H.originalID)
            writer.integer("CreateTime", 1)
            writer.text("MsgType", "text")
            writer.text("Content", "x")
            return (.ok, writer.finish())
        }
        try await H.withReceiver(receiver) { url in
            try await H.run(mode: .plain, callbackURL: url) { ctx in
                let followed = try await ctx.person("follow", [:])
                let delivery = try #require(followed["delivery"] as? [String: Any])
                #expect(delivery["outcome"] as? String == "failed")
                #expect(delivery["attempts"] as? Int == 3)
                #expect(delivery["last_status"] as? Int == 500)
                #expect(receiver.pushes.withLock { $0.count } == 3)
                let openID = try #require(followed["openid"] as? String)
                let text = try #require(try await ctx.person("text", ["openid": openID, "content": "hi"])["delivery"] as? [String: Any])
                #expect(text["outcome"] as? String == "invalid_reply")
                #expect((text["reply_error"] as? String)?.contains("ToUserName") == true)
            }
        }
    }

    @Test("a QR scan attributes the follow: qrscene_ EventKey and Ticket, user/info's scene, SCAN for a follower, counts per scene")
    func scanAttribution() async throws {
        let receiver = H.Receiver()
        try await H.withReceiver(receiver) { url in
            try await H.run(callbackURL: url) { ctx in
                let token = try await ctx.accessToken()
                let code = try await ctx.api("qrcode/create", token: token, ["expire_seconds": 604_800, "action_name": "QR_STR_SCENE", "action_info": ["scene": ["scene_str": "ch_42"]]])
                let ticket = try #require(code["ticket"] as? String)
                let openID = try await ctx.newFollower(["scene": "ch_42"])
                let subscribe = try WeComXML.parse(try #require(receiver.last).body)
                #expect(subscribe["Event"] == "subscribe")
                #expect(subscribe["EventKey"] == "qrscene_ch_42")
                #expect(subscribe["Ticket"] == ticket)
                let info = try await ctx.api("user/info?openid=\(openID)", token: token)
                #expect(info["subscribe_scene"] as? String == "ADD_SCENE_QR_CODE")
                #expect(info["qr_scene_str"] as? String == "ch_42")

                let scan = try #require(try await ctx.person("scan", ["openid": openID, "ticket": ticket])["delivery"] as? [String: Any])
                #expect(scan["event"] as? String == "SCAN")
                #expect(scan["event_key"] as? String == "ch_42")

                let numeric = try await ctx.api("qrcode/create", token: token, ["action_name": "QR_LIMIT_SCENE", "action_info": ["scene": ["scene_id": 123]]])
                _ = try await ctx.newFollower(["ticket": try #require(numeric["ticket"] as? String)])
                #expect(try WeComXML.parse(try #require(receiver.last).body)["EventKey"] == "qrscene_123")
                _ = try await ctx.person("unfollow", ["openid": openID])
                _ = try await ctx.newFollower()

                let record = try await ctx.get("/sandbox/mp/accounts/\(H.appID)")
                let counts = try #require(record["follow_counts"] as? [[String: Any]])
                let byScene = Dictionary(uniqueKeysWithValues: counts.map { (($0["scene"] as? String) ?? "", $0) })
                #expect(byScene["ch_42"]?["subscribe"] as? Int == 1)
                #expect(byScene["ch_42"]?["unsubscribe"] as? Int == 1)
                #expect(byScene["123"]?["subscribe"] as? Int == 1)
                #expect(byScene[""]?["subscribe"] as? Int == 1)
                #expect(counts.allSatisfy { $0["day"] as? String == "2027-01-15" })
                #expect((record["deliveries"] as? [Any])?.count == 5)

                // An expired temporary code gives no event.
                ctx.world.clock.advance(by: 604_801)
                #expect(try await ctx.person("follow", ["ticket": ticket])["errcode"] as? Int == 40035)
            }
        }
    }

    @Test("custom messages: 3 in a minute after a follow, 5 in 48 hours after a message, none after unfollowing")
    func customWindows() async throws {
        try await H.run { ctx in
            let token = try await ctx.accessToken()
            let openID = try await ctx.newFollower()
            let text = { (content: String) -> [String: Any] in ["touser": openID, "msgtype": "text", "text": ["content": content]] }
            for index in 0..<3 { #expect(try await ctx.api("message/custom/send", token: token, text("m\(index)"))["errcode"] as? Int == 0) }
            #expect(try await ctx.api("message/custom/send", token: token, text("m3"))["errcode"] as? Int == 45047)
            ctx.world.clock.advance(by: 61)
            #expect(try await ctx.api("message/custom/send", token: token, text("late"))["errcode"] as? Int == 45015)

            _ = try await ctx.person("text", ["openid": openID, "content": "在吗"])
            let news: [String: Any] = ["touser": openID, "msgtype": "news", "news": ["articles": [["title": "a", "url": "https://e.com"], ["title": "b"]]]]
            #expect(try await ctx.api("message/custom/send", token: token, news)["errcode"] as? Int == 45008)
            let image: [String: Any] = ["touser": openID, "msgtype": "image", "image": ["media_id": "nosuchmedia"]]
            #expect(try await ctx.api("message/custom/send", token: token, image)["errcode"] as? Int == 40007)
            #expect(try await ctx.api("message/custom/send", token: token, ["touser": openID, "msgtype": "fax"])["errcode"] as? Int == 40008)
            #expect(try await ctx.api("message/custom/send", token: token, ["touser": "onobody", "msgtype": "text", "text": ["content": "x"]])["errcode"] as? Int == 40003)
            for index in 0..<5 { #expect(try await ctx.api("message/custom/send", token: token, text("r\(index)"))["errcode"] as? Int == 0) }
            #expect(try await ctx.api("message/custom/send", token: token, text("r5"))["errcode"] as? Int == 45047)

            // A click-type menu event opens 3 more; a VIEW does not.
            _ = try await ctx.person("view", ["openid": openID, "url": "https://example.com"])
            #expect(try await ctx.api("message/custom/send", token: token, text("v"))["errcode"] as? Int == 45047)
            _ = try await ctx.person("click", ["openid": openID, "key": "K"])
            #expect(try await ctx.api("message/custom/send", token: token, text("c"))["errcode"] as? Int == 0)

            _ = try await ctx.person("unfollow", ["openid": openID])
            #expect(try await ctx.api("message/custom/send", token: token, text("gone"))["errcode"] as? Int == 45015)

            let follower = try await ctx.get("/sandbox/mp/accounts/\(H.appID)/followers/\(openID)")
            let sent = try #require(follower["custom_messages"] as? [[String: Any]])
            #expect(sent.count == 9)
            #expect((sent.last?["body"] as? String)?.contains("\"c\"") == true)
        }
    }

    @Test("location message and LOCATION event carry the platform's fields")
    func locations() async throws {
        let receiver = H.Receiver()
        try await H.withReceiver(receiver) { url in
            try await H.run(callbackURL: url) { ctx in
                let openID = try await ctx.newFollower()
                _ = try await ctx.person("location", ["openid": openID, "latitude": 23.134521, "longitude": 113.358803, "label": "广州"])
                let message = try WeComXML.parse(try #require(receiver.last).body)
                #expect(message["MsgType"] == "location")
                #expect(message["Location_X"] == "23.134521")
                #expect(message["Location_Y"] == "113.358803")
                #expect(message["Scale"] == "15")
                #expect(message["Label"] == "广州")
                #expect(message["MsgId"] != nil)
                _ = try await ctx.person("location_event", ["openid": openID, "latitude": 23.1, "longitude": 113.3])
                let event = try WeComXML.parse(try #require(receiver.last).body)
                #expect(event["Event"] == "LOCATION")
                #expect(event["Latitude"] == "23.100000")
                #expect(event["Precision"] != nil)
                #expect(event["MsgId"] == nil)
            }
        }
    }
}

@Suite("Official Account world replay")
struct OfficialAccountReplayTests {
    @Test("the same seed and actions give the same openids, tickets, MsgIds and XML")
    func replays() async throws {
        func run() async throws -> [String] {
            let world = OfficialAccountWorld(seed: 3, clock: SandboxClock(pinnedAt: Date(timeIntervalSince1970: 1_800_000_000)))
            try await world.register(OfficialAccountConfig(appID: "wxreplay", secret: "s", originalID: "gh_replay", token: "t"))
            let code = try await world.createQRCode("wxreplay", QRCodeRequest(actionName: "QR_LIMIT_SCENE", actionInfo: .init(scene: .init(sceneID: LenientInt(9)))))
            let follow = try await world.simulate(.follow, appID: "wxreplay", PersonAction())
            var text = PersonAction(openID: follow.openID)
            text.content = "hi"
            let message = try await world.simulate(.text, appID: "wxreplay", text)
            return [code.ticket, code.url, follow.openID, follow.nonce, message.xml(originalID: "gh_replay")]
        }
        let first = try await run()
        #expect(try await run() == first)
        #expect(Set(first).count == first.count)
    }
}
