import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SiyuCore
import SiyuServer
import SiyuStore
import SiyuTestSupport
import Testing
import WeCom
import WeComSandbox

@Suite("End to end: a service account (服务号)", .serialized)
struct ServiceAccountTests {
    @Test("a secure account with two QR channels: welcomes, keyword, default and menu replies, a key rotation, unfollows; growth, followers and timelines match the platform's record")
    func followersThroughQRChannels() async throws {
        try await ServiceAccountEndToEnd.run { mp in
            let e2e = mp.e2e
            let account = "/api/v1/accounts/\(ServiceAccountEndToEnd.appID)"

            // Replies, the menu (published to the platform), a follower tag, and two QR channels
            // with a welcome each: A permanent and tagging its followers, B for 7 days.
            let rule: [String: Any] = [
                "id": "hours", "name": "营业时间", "keywords": ["营业时间"], "match": "contains", "priority": 0,
                "reply": ["type": "text", "text": "每天 9:00–21:00 营业"],
            ]
            let rules: [String: Any] = [
                "rules": [rule],
                "default_reply": ["type": "text", "text": "您好，客服稍后回复您"],
                "subscribe_reply": ["type": "text", "text": "欢迎关注端到端咖啡"],
                "click_replies": ["HOURS": ["type": "text", "text": "门店营业时间：每天 9:00–21:00"]],
            ]
            let (repliesStatus, replies) = try await e2e.api(.put, "\(account)/replies", rules)
            #expect(repliesStatus == .ok, "\(replies)")
            let buttons: [[String: Any]] = [
                ["type": "click", "name": "营业时间", "key": "HOURS"],
                ["name": "更多", "sub_button": [["type": "view", "name": "官网", "url": "https://example.com"]]],
            ]
            let (menuStatus, menu) = try await e2e.api(.put, "\(account)/menu", ["button": buttons])
            #expect(menuStatus == .ok, "\(menu)")
            let published = try await mp.accounts.snapshot(appID: ServiceAccountEndToEnd.appID)
            #expect(published.menu != nil)
            let tagID = try await mp.createPlatformTag("门店海报")
            let channelA = try await mp.qrChannel("门店海报", members: ["m1", "m2"], welcome: "欢迎来自门店海报！", tagIDs: [tagID], expireSeconds: nil)
            let channelB = try await mp.qrChannel("线上活动", members: ["m3"], welcome: "欢迎参加线上活动！", tagIDs: [], expireSeconds: 7 * 86400)
            #expect(channelA.scene != channelB.scene)

            // 1. New followers through A, through B, and one without a code.
            let fromA = ["oA1", "oA2", "oA3", "oA4"], fromB = ["oB1", "oB2", "oB3"]
            for openID in fromA {
                let (followed, delivery) = try await mp.person("follow", ["openid": openID, "ticket": channelA.ticket])
                #expect(followed == openID)
                #expect(try mp.repliedText(delivery) == channelA.welcome, "\(openID)")
            }
            for openID in fromB {
                let (_, delivery) = try await mp.person("follow", ["openid": openID, "ticket": channelB.ticket])
                #expect(try mp.repliedText(delivery) == channelB.welcome, "\(openID)")
            }
            let (_, plainFollow) = try await mp.person("follow", ["openid": "oN1"])
            #expect(try mp.repliedText(plainFollow) == "欢迎关注端到端咖啡")
            // One person's pushes come seconds apart in life; here each phase is applied before the next.
            try await e2e.settle()

            // 2. A follower from A scans B's code.
            let (_, scan) = try await mp.person("scan", ["openid": "oA1", "ticket": channelB.ticket])
            #expect(scan["event"] as? String == "SCAN")
            #expect(try mp.repliedText(scan) == channelB.welcome)

            // 3. A text matching the keyword rule, another matching nothing.
            let (_, keyword) = try await mp.person("text", ["openid": "oA1", "content": "请问营业时间？"])
            #expect(try mp.repliedText(keyword) == "每天 9:00–21:00 营业")
            let (_, unmatched) = try await mp.person("text", ["openid": "oB1", "content": "有燕麦奶吗"])
            #expect(try mp.repliedText(unmatched) == "您好，客服稍后回复您")

            // 4. The menu button with a click reply.
            let (_, click) = try await mp.person("click", ["openid": "oA1", "key": "HOURS"])
            #expect(click["event"] as? String == "CLICK")
            #expect(try mp.repliedText(click) == "门店营业时间：每天 9:00–21:00")

            // 5. Siyu rotates the EncodingAESKey while the platform still pushes with the old one:
            // the push opens with the previous key and the reply is sealed so the platform reads it.
            let rotated = try await mp.rotateKey(to: ServiceAccountEndToEnd.newKey)
            #expect(rotated["has_previous_key"] as? Bool == true, "\(rotated)")
            let stillOld = await mp.accounts.config(of: ServiceAccountEndToEnd.appID)
            #expect(stillOld?.encodingAESKey == ServiceAccountEndToEnd.oldKey)
            let (_, oldKeyText) = try await mp.person("text", ["openid": "oA2", "content": "营业时间"])
            #expect(try mp.repliedText(oldKeyText) == "每天 9:00–21:00 营业")
            // Then the platform switches to the new key.
            let switched = try await mp.accounts.changeAESKey(appID: ServiceAccountEndToEnd.appID, to: ServiceAccountEndToEnd.newKey)
            #expect(switched.encodingAESKey == ServiceAccountEndToEnd.newKey)
            let (_, newKeyText) = try await mp.person("text", ["openid": "oB2", "content": "谢谢"])
            #expect(try mp.repliedText(newKeyText) == "您好，客服稍后回复您")
            try await e2e.settle()

            // 6. One follower from A and one from B leave.
            for openID in ["oA4", "oB3"] {
                let (_, unfollow) = try await mp.person("unfollow", ["openid": openID])
                #expect(unfollow["outcome"] as? String == "no_reply", "\(unfollow)")
            }

            // 7. Everything applied; Siyu's figures against the platform's own record.
            try await e2e.settle()
            let inbox = try await e2e.store.inbox.backlog()
            #expect(inbox["applied"] == 16)
            #expect(inbox["failed", default: 0] == 0)
            #expect(try await e2e.store.jobs.depth()["dead", default: 0] == 0)
            let snapshot = try await mp.accounts.snapshot(appID: ServiceAccountEndToEnd.appID)

            // Every push reached Siyu and every answer was one the platform accepts.
            #expect(snapshot.deliveries.count == 16)
            let refused = snapshot.deliveries.filter { !["replied", "no_reply"].contains($0.outcome) }
            let described = refused.map { "#\($0.sequence) \($0.msgType) \($0.event ?? "") \($0.outcome): \($0.replyError ?? $0.lastError ?? "")" }
            #expect(refused.isEmpty, "\(described)")
            #expect(snapshot.deliveries.filter { $0.outcome == "no_reply" }.map(\.event) == ["unsubscribe", "unsubscribe"])

            // Growth per day, of the account and of each channel, as the platform counted it.
            let days = Set(snapshot.followCounts.map(\.day)).sorted()
            let first = try #require(days.first), last = try #require(days.last)
            let scopes: [(channelID: String?, scene: String?)] = [(nil, nil), (channelA.id, channelA.scene), (channelB.id, channelB.scene)]
            for scope in scopes {
                let label = scope.channelID ?? "the account"
                let growth = try await mp.growth(from: first, to: last, channelID: scope.channelID)
                #expect(growth.first?.day == first && growth.last?.day == last, "\(label): \(growth)")
                let counts = snapshot.followCounts.filter { scope.scene == nil || $0.scene == scope.scene }
                #expect(growth == ServiceAccountEndToEnd.GrowthLine.expected(days: growth.map(\.day), counts: counts), "\(label)")
                let following = snapshot.followers.filter { $0.subscribed && (scope.scene == nil || $0.qrSceneStr == scope.scene) }
                #expect(growth.last?.total == following.count, "\(label)")
            }
            let accountGrowth = try await mp.growth(from: first, to: last, channelID: nil)
            #expect(accountGrowth.map(\.new).reduce(0, +) == 8)
            #expect(accountGrowth.map(\.lost).reduce(0, +) == 2)
            #expect(accountGrowth.last?.total == 6)
            let growthA = try await mp.growth(from: first, to: last, channelID: channelA.id)
            #expect(growthA.map(\.new).reduce(0, +) == 4)
            #expect(growthA.map(\.lost).reduce(0, +) == 1)
            let growthB = try await mp.growth(from: first, to: last, channelID: channelB.id)
            #expect(growthB.map(\.new).reduce(0, +) == 3)
            #expect(growthB.map(\.lost).reduce(0, +) == 1)

            // The follower lists: the platform's subscribed followers, and each channel's.
            let subscribed = snapshot.followers.filter(\.subscribed)
            let listed = try await mp.followerIDs()
            #expect(listed.count == 6)
            #expect(Set(listed) == Set(subscribed.map(\.openID)))
            let listedA = try await mp.followerIDs(channelID: channelA.id), listedB = try await mp.followerIDs(channelID: channelB.id)
            #expect(Set(listedA) == Set(subscribed.filter { $0.qrSceneStr == channelA.scene }.map(\.openID)))
            #expect(Set(listedB) == Set(subscribed.filter { $0.qrSceneStr == channelB.scene }.map(\.openID)))
            #expect(Set(listedA) == ["oA1", "oA2", "oA3"])
            // Channel A's tag went on its followers on the platform.
            #expect(subscribed.filter { $0.qrSceneStr == channelA.scene }.allSatisfy { $0.tagIDs.contains(tagID) })
            #expect(subscribed.filter { $0.qrSceneStr != channelA.scene }.allSatisfy { !$0.tagIDs.contains(tagID) })

            // A follower's profile and timeline, oldest first: follow through A, scan of B, the text, the click.
            let (profileStatus, profile) = try await e2e.api(.get, "\(account)/followers/oA1")
            #expect(profileStatus == .ok, "\(profile)")
            let follower = try #require(profile["follower"] as? [String: Any])
            #expect(follower["subscribed"] as? Bool == true)
            #expect(follower["channel_id"] as? String == channelA.id)
            #expect(follower["qr_scene"] as? String == channelA.scene)
            let timeline = Array(try #require(profile["timeline"] as? [[String: Any]]).reversed())
            #expect(timeline.compactMap { $0["kind"] as? String } == ["follow", "scan", "message", "click"])
            let details = timeline.map { $0["detail"] as? [String: String] ?? [:] }
            if details.count == 4 {
                #expect(details[0]["scene"] == channelA.scene && details[0]["channel_id"] == channelA.id, "\(details[0])")
                #expect(details[1]["scene"] == channelB.scene && details[1]["channel_id"] == channelB.id, "\(details[1])")
                #expect(details[2]["type"] == "text" && details[2]["text"] == "请问营业时间？", "\(details[2])")
                #expect(details[3]["key"] == "HOURS", "\(details[3])")
            }

            // Those who left: their profile cleared, their follow and loss still counted (above).
            for (openID, channel) in [("oA4", channelA), ("oB3", channelB)] {
                let (status, gone) = try await e2e.api(.get, "\(account)/followers/\(openID)")
                #expect(status == .ok, "\(gone)")
                let left = try #require(gone["follower"] as? [String: Any])
                #expect(left["subscribed"] as? Bool == false, "\(openID)")
                #expect(left["qr_scene"] as? String == "", "\(openID)")
                #expect(ServiceAccountEndToEnd.isAbsent(left["channel_id"]), "\(openID)")
                #expect((gone["timeline"] as? [Any])?.isEmpty == true, "\(openID)")
                let onPlatform = snapshot.followers.first { $0.openID == openID }
                #expect(onPlatform?.subscribed == false && onPlatform?.qrSceneStr == channel.scene, "\(openID)")
            }
        }
    }
}

/// Siyu, the WeCom sandbox and its Official Account platform in one process: ``EndToEnd`` plus
/// the platform's world and an HTTP client on the sandbox, to act as people through its control
/// API (which delivers each push to Siyu and records the reply it got).
struct ServiceAccountEndToEnd: Sendable {
    static let appID = "wxe2e0000000000a01"
    static let secret = "mp-e2e-secret"
    static let originalID = "gh_e2e0000000a1"
    static let token = "mpE2EToken42"
    static let oldKey = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
    static let newKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"

    let e2e: EndToEnd
    let accounts: OfficialAccountWorld
    let platform: any TestClientProtocol

    /// As ``EndToEnd/run(members:_:)``, with a secure-mode account registered on both sides: the
    /// platform pushes to Siyu's `/callback/mp/<app_id>`, Siyu calls the platform under `/mp`.
    static func run(_ body: @Sendable (ServiceAccountEndToEnd) async throws -> Void) async throws {
        let corp = EndToEnd.corp, logger = EndToEnd.logger
        let members = ["m1", "m2", "m3", "m4"]
        try await TestDatabases.withStore(.sqlite) { store in
            let start = ProcessInfo.processInfo.environment["SIYU_E2E_START"].flatMap(TimeInterval.init).map(Date.init(timeIntervalSince1970:)) ?? Date()
            let clock = SandboxClock(pinnedAt: start)
            let world = SandboxWorld(seed: 11, clock: clock)
            await world.configure(corp)
            for member in members { _ = try await world.addMember(corpID: corp.corpID, userID: member, name: "成员" + member) }
            let accounts = OfficialAccountWorld(seed: 11, clock: clock)
            let sandbox = Sandbox(
                world: world, deliverer: CallbackDeliverer(timeout: .seconds(5), retryDelay: .milliseconds(20), logger: logger), officialAccounts: accounts
            )
            try await sandbox.buildApplication(port: 0, logger: logger).test(.live) { platform in
                let sandboxURL = "http://127.0.0.1:\(try #require(platform.port))"
                var dependencies = ServerDependencies(
                    store: store, admin: AdminCredential(token: EndToEnd.adminToken), time: TimeSource { clock.running }, logger: logger
                )
                dependencies.outboundPolicy = OutboundAddressPolicy(allowing: [try IPAddressRange("127.0.0.1/32")])
                let app = try buildApplication(
                    configuration: .init(
                        host: "127.0.0.1", port: 0, limits: ConnectionLimits(headerTimeout: .seconds(3600), idleTimeout: .seconds(3600))
                    ), dependencies: dependencies,
                    services: dependencies.backgroundServices(workers: 2, jobPollInterval: .milliseconds(10)), logger: logger
                )
                try await app.test(.live) { siyu in
                    let siyuPort = try #require(siyu.port)
                    _ = try await store.corps.register(
                        CorpRegistration(corpID: corp.corpID, name: "端到端咖啡", secret: corp.secret, callbackToken: corp.token, encodingAESKey: corp.encodingAESKey),
                        actor: "e2e", now: Date()
                    )
                    _ = try await store.corps.update(corp.corpID, name: nil, settings: [.wecomAPIBaseURL: sandboxURL], actor: "e2e", now: Date())
                    try await store.mirrorMembers(corpID: corp.corpID, members)
                    let key = try await store.apiKeys.create(corpID: corp.corpID, label: "e2e", actor: "e2e", now: Date())
                    _ = try await accounts.register(OfficialAccountConfig(
                        appID: appID, secret: secret, originalID: originalID, token: token, encodingAESKey: oldKey, mode: .secure,
                        callbackURL: "http://127.0.0.1:\(siyuPort)/callback/mp/\(appID)"
                    ))
                    _ = try await store.serviceAccounts.register(
                        ServiceAccountRegistration(corpID: corp.corpID, appID: appID, name: "端到端咖啡服务号", secret: secret, token: token, encodingAESKey: oldKey, mode: .secure),
                        apiBaseURL: sandboxURL + "/mp", actor: "e2e", now: Date()
                    )
                    let e2e = EndToEnd(store: store, world: world, deliverer: sandbox.deliverer, siyu: siyu, apiKey: key.token, clock: clock)
                    try await body(ServiceAccountEndToEnd(e2e: e2e, accounts: accounts, platform: platform))
                }
            }
        }
    }

    /// A person's action through the control API (`follow`, `scan`, `text`, `click`, `unfollow`…),
    /// a second after the last one so a timeline's order is the order of the actions. Answers the
    /// openid and the platform's record of the push's delivery.
    @discardableResult
    func person(_ action: String, _ body: [String: Any]) async throws -> (openID: String, delivery: [String: Any]) {
        e2e.clock.advance(by: 1)
        let answer = try await platformCall(.post, "/sandbox/mp/accounts/\(Self.appID)/\(action)", body)
        #expect(answer["errcode"] as? Int == 0, "\(action) \(body): \(answer)")
        let openID = try #require(answer["openid"] as? String, "\(action): \(answer)")
        let delivery = try #require(answer["delivery"] as? [String: Any], "\(action): \(answer)")
        return (openID, delivery)
    }

    /// The text of the passive reply to a delivery, as the platform decrypted it; records an issue
    /// unless the platform accepted an encrypted reply.
    func repliedText(_ delivery: [String: Any]) throws -> String? {
        #expect(delivery["outcome"] as? String == "replied", "\(delivery)")
        #expect(delivery["reply_encrypted"] as? Bool == true, "\(delivery)")
        guard let xml = delivery["reply_xml"] as? String else { return nil }
        return try WeComXML.parse(xml)["Content"]
    }

    struct QRChannel: Sendable {
        var id: String
        var scene: String
        var ticket: String
        var welcome: String
    }

    /// `POST /api/v1/channels` with a follower welcome (and tags), then its QR code of the account.
    func qrChannel(_ name: String, members: [String], welcome: String, tagIDs: [Int], expireSeconds: Int?) async throws -> QRChannel {
        var body: [String: Any] = ["name": name, "members": members, "follower_welcome": ["type": "text", "text": welcome]]
        if !tagIDs.isEmpty { body["follower_tag_ids"] = tagIDs }
        let (status, created) = try await e2e.api(.post, "/api/v1/channels", body)
        #expect(status == .created, "\(created)")
        let channelID = try #require(created["channel_id"] as? String, "\(created)")
        var request: [String: Any] = ["app_id": Self.appID]
        if let expireSeconds { request["expire_seconds"] = expireSeconds }
        let (qrStatus, channel) = try await e2e.api(.post, "/api/v1/channels/\(channelID)/qrcode", request)
        #expect(qrStatus == .ok, "\(channel)")
        let qr = try #require(channel["mp_qr_code"] as? [String: Any], "\(channel)")
        #expect(qr["scene"] as? String == channel["state"] as? String)
        #expect(Self.isAbsent(qr["expires_at"]) == (expireSeconds == nil), "\(qr)")
        return QRChannel(
            id: channelID, scene: try #require(qr["scene"] as? String), ticket: try #require(qr["ticket"] as? String), welcome: welcome
        )
    }

    /// A follower tag on the platform (`tags/create`), as the account's console would make it.
    func createPlatformTag(_ name: String) async throws -> Int {
        let grant = try await platformCall(.get, "/mp/cgi-bin/token?grant_type=client_credential&appid=\(Self.appID)&secret=\(Self.secret)")
        let accessToken = try #require(grant["access_token"] as? String, "\(grant)")
        let created = try await platformCall(.post, "/mp/cgi-bin/tags/create?access_token=\(accessToken)", ["tag": ["name": name]])
        return try #require((created["tag"] as? [String: Any])?["id"] as? Int, "\(created)")
    }

    /// `POST /api/v1/corps/{corp_id}/accounts/{app_id}/rotate_key` as the admin: the route that
    /// also drops the cached connection, so the new key is current at once.
    func rotateKey(to key: String) async throws -> [String: Any] {
        let response = try await e2e.siyu.execute(
            uri: "/api/v1/corps/\(e2e.corpID)/accounts/\(Self.appID)/rotate_key", method: .post,
            headers: [.authorization: "Bearer \(EndToEnd.adminToken)", .contentType: "application/json"],
            body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: ["aes_key": key]))
        )
        #expect(response.status == .ok, "\(String(buffer: response.body))")
        return (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
    }

    /// The openids `GET /api/v1/accounts/{app_id}/followers` lists (of one channel when given).
    func followerIDs(channelID: String? = nil) async throws -> [String] {
        let query = "limit=500" + (channelID.map { "&channel_id=\($0)" } ?? "")
        let (status, page) = try await e2e.api(.get, "/api/v1/accounts/\(Self.appID)/followers?\(query)")
        #expect(status == .ok, "\(page)")
        return (page["followers"] as? [[String: Any]] ?? []).compactMap { $0["openid"] as? String }
    }

    /// One day of `GET /api/v1/accounts/{app_id}/growth`.
    struct GrowthLine: Sendable, Equatable, CustomStringConvertible {
        var day: String
        var new: Int
        var lost: Int
        var total: Int
        var description: String { "\(day) +\(new) -\(lost) =\(total)" }

        /// The days as the platform's follow counts have them; no one followed before the first.
        static func expected(days: [String], counts: [FollowCounts]) -> [GrowthLine] {
            var total = 0
            return days.map { day in
                let onDay = counts.filter { $0.day == day }
                let new = onDay.map(\.subscribe).reduce(0, +), lost = onDay.map(\.unsubscribe).reduce(0, +)
                total += new - lost
                return GrowthLine(day: day, new: new, lost: lost, total: total)
            }
        }
    }

    func growth(from: String, to: String, channelID: String?) async throws -> [GrowthLine] {
        let query = "from=\(from)&to=\(to)" + (channelID.map { "&channel_id=\($0)" } ?? "")
        let (status, answer) = try await e2e.api(.get, "/api/v1/accounts/\(Self.appID)/growth?\(query)")
        #expect(status == .ok, "\(answer)")
        return (answer["days"] as? [[String: Any]] ?? []).map { day in
            GrowthLine(day: day["day"] as? String ?? "?", new: day["new"] as? Int ?? -1, lost: day["lost"] as? Int ?? -1, total: day["total"] as? Int ?? -1)
        }
    }

    /// Calls the sandbox over HTTP; answers its JSON object.
    func platformCall(_ method: HTTPRequest.Method, _ path: String, _ body: [String: Any]? = nil) async throws -> [String: Any] {
        var headers: HTTPFields = [:]
        var buffer: ByteBuffer?
        if let body {
            headers[.contentType] = "application/json"
            buffer = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body))
        }
        let response = try await platform.execute(uri: path, method: method, headers: headers, body: buffer)
        let json = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any]
        return try #require(json, "\(path): \(response.status) \(String(buffer: response.body))")
    }

    /// A JSON value left out or null.
    static func isAbsent(_ value: Any?) -> Bool {
        value == nil || value is NSNull
    }
}
