import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SiyuCore
import SiyuStore
import SiyuTestSupport
import Testing
import WeCom
import WeComSandbox

@testable import SiyuServer

/// The served OpenAPI document against what the server really does: every operation driven to a
/// real answer (the sandbox stands in for WeCom), every answer's status documented and its body
/// valid against the documented schema; every request schema's `required` equal to what the
/// decoder requires; and one rule for `limit` on every list.
@Suite("API contract: answers, request decoders and limits against openapi.json")
struct ContractTests {
    static let corpID = "wwA1"

    struct Fixture {
        var run: ContractRun
        var store: SiyuStore
        var dependencies: ServerDependencies
        var key: String
        var readKey: String
        var world: SandboxWorld
        /// Where the sandbox's Official Account platform answers (`…/mp`).
        var officialAccountBase: String
        var officialAccounts: OfficialAccountWorld
    }

    /// The service account the fixture's sandbox plays, registered in Siyu by ``ownThings(_:)``.
    static let appID = "wx0000000000000a01"

    /// A server whose corp wwA1 talks to a sandbox with members m1 and m2, a write key and a read key.
    static func withFixture(_ body: @Sendable (Fixture) async throws -> Void) async throws {
        try await TestServer.withStore { store in
            let corp = TestServer.registration(corpID)
            let world = SandboxWorld(seed: 5, clock: SandboxClock(pinnedAt: Date()))
            await world.configure(SandboxCorpConfig(corpID: corp.corpID, secret: corp.secret, token: corp.callbackToken, encodingAESKey: corp.encodingAESKey))
            for member in ["m1", "m2"] { _ = try await world.addMember(corpID: corp.corpID, userID: member, name: "成员" + member) }
            _ = try await world.customerAdds(corpID: corp.corpID, userID: "m1", externalUserID: "wm_contract1", name: "合同客户", issueWelcomeCode: false)
            let platform = Sandbox(world: world, deliverer: CallbackDeliverer(timeout: .seconds(5), retryDelay: .milliseconds(20), logger: TestServer.logger))
            _ = try await platform.officialAccounts.register(OfficialAccountConfig(
                appID: appID, secret: "mp-contract", originalID: "gh_contract01", token: "QDG6eK", encodingAESKey: corp.encodingAESKey, mode: .secure
            ))
            try await platform.buildApplication(port: 0, logger: TestServer.logger).test(.live) { sandbox in
                _ = try await store.corps.register(corp, actor: "t", now: Date())
                try await store.mirrorMembers(corpID: corp.corpID, ["m1", "m2"])
                _ = try await store.corps.update(corp.corpID, settings: [.wecomAPIBaseURL: "http://127.0.0.1:\(sandbox.port ?? 0)"], actor: "t", now: Date())
                let key = try await store.apiKeys.create(corpID: corpID, label: "contract", scope: .write, actor: "t", now: Date()).token
                let readKey = try await store.apiKeys.create(corpID: corpID, label: "contract-read", scope: .read, actor: "t", now: Date()).token
                var dependencies = ServerDependencies(store: store, admin: AdminCredential(token: TestServer.adminToken), logger: TestServer.logger)
                dependencies.presentedAddressHeader = TestServer.addressHeader
                let built = dependencies
                let app = try buildApplication(configuration: .init(), dependencies: built, services: [built.ingestor], logger: TestServer.logger)
                try await app.test(.router) { client in
                    let run = try await ContractRun(client: client)
                    try await body(Fixture(
                        run: run, store: store, dependencies: built, key: key, readKey: readKey, world: world,
                        officialAccountBase: "http://127.0.0.1:\(sandbox.port ?? 0)/mp", officialAccounts: platform.officialAccounts
                    ))
                }
            }
        }
    }

    @Test("every operation answers as documented: each status listed on it, each JSON body valid against its schema")
    func answersMatchTheDocument() async throws {
        try await Self.withFixture { fixture in
            let run = fixture.run
            let (key, admin) = (fixture.key, TestServer.adminToken)
            try await Self.addCustomer(fixture.store, "wm_contract1", name: "合同客户")

            // Probes and the document.
            for path in ["/healthz", "/readyz", "/metrics", "/api/v1/openapi.json"] { try await run.call(.get, path, token: nil, expect: 200) }

            // Corps, keys and the audit log (admin).
            let registration = #"{"corp_id":"wwContract2","name":"合同","secret":"s","token":"QDG6eK","aes_key":"jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"}"#
            try await run.call(.post, "/api/v1/corps", token: admin, json: registration, expect: 201)
            try await run.call(.post, "/api/v1/corps", token: admin, json: registration, expect: 409)
            try await run.call(.post, "/api/v1/corps", token: admin, json: #"{"corp_id":"w","name":"x","secret":"s","token":"t","aes_key":"short"}"#, expect: 422)
            try await run.call(.get, "/api/v1/corps?limit=1", token: admin, expect: 200)
            try await run.call(.get, "/api/v1/corps/\(Self.corpID)", token: key, expect: 200)
            try await run.call(.patch, "/api/v1/corps/\(Self.corpID)", token: admin, json: #"{"name":"合同品牌"}"#, expect: 200)
            try await run.call(.patch, "/api/v1/corps/\(Self.corpID)", token: key, json: #"{"secret":"x"}"#, expect: 403)
            let created = try await run.call(.post, "/api/v1/corps/\(Self.corpID)/keys", token: admin, json: #"{"label":"ci","scope":"read"}"#, expect: 201)
            try await run.call(.post, "/api/v1/corps/\(Self.corpID)/keys", token: admin, expect: 201)
            try await run.call(.get, "/api/v1/corps/\(Self.corpID)/keys", token: key, expect: 200)
            try await run.call(.delete, "/api/v1/corps/\(Self.corpID)/keys/\(try created.value("key_id"))", token: admin, expect: 204)
            try await run.call(.delete, "/api/v1/corps/\(Self.corpID)/keys/nokey", token: admin, expect: 404)
            try await run.call(.get, "/api/v1/corps/\(Self.corpID)/audit", token: key, expect: 200)
            try await run.call(.get, "/api/v1/audit?limit=5", token: admin, expect: 200)
            try await run.call(.get, "/api/v1/audit?since=yesterday", token: admin, expect: 400)

            // Tags (on the sandbox first, then mirrored).
            let groups = try await run.call(.post, "/api/v1/tag_groups", token: key, json: #"{"name":"会员","tags":["VIP","普通"]}"#, expect: 201)
            let groupID = try groups.value("tag_groups", "0", "group_id")
            let tagID = try groups.value("tag_groups", "0", "tags", "0", "tag_id")
            try await run.call(.get, "/api/v1/tag_groups", token: key, expect: 200)
            try await run.call(.patch, "/api/v1/tag_groups/\(groupID)", token: key, json: #"{"name":"会员等级"}"#, expect: 200)
            let added = try await run.call(.post, "/api/v1/tag_groups/\(groupID)/tags", token: key, json: #"{"name":"金卡"}"#, expect: 201)
            let spareTag = try added.value("tag_groups", "0", "tags", "2", "tag_id")
            try await run.call(.patch, "/api/v1/tags/\(tagID)", token: key, json: #"{"name":"VIP会员"}"#, expect: 200)
            try await run.call(.patch, "/api/v1/tags/et_none", token: key, json: #"{"name":"x"}"#, expect: 404)

            // Channels.
            let channel = try await run.call(
                .post, "/api/v1/channels", token: key,
                json: #"{"name":"门店","members":["m1","m2"],"auto_tag_ids":["\#(tagID)"],"welcome":{"text":"你好{nickname}"}}"#, expect: 201
            )
            let channelID = try channel.value("channel_id")
            try await run.calls(token: key, [
                (.post, "/api/v1/channels", #"{"name":"门店","members":[]}"#, 422),
                (.get, "/api/v1/channels", nil, 200),
                (.get, "/api/v1/channels/\(channelID)", nil, 200),
                (.patch, "/api/v1/channels/\(channelID)", #"{"daily_cap":50,"strategy":"least_loaded"}"#, 200),
                (.get, "/api/v1/channels/\(channelID)/stats?from=2026-01-01&to=2026-01-31", nil, 200),
                (.get, "/api/v1/channels/\(channelID)/stats?from=soon", nil, 400),
                (.get, "/api/v1/channels/chn_none/stats", nil, 404),
            ])

            // Customers.
            try await run.calls(token: key, [
                (.get, "/api/v1/customers?limit=10&status=active", nil, 200),
                (.get, "/api/v1/customers?status=gone", nil, 400),
                (.get, "/api/v1/customers/wm_contract1", nil, 200),
                (.get, "/api/v1/customers/wm_none", nil, 404),
                (.patch, "/api/v1/customers/wm_contract1", #"{"custom_fields":{"城市":"上海"}}"#, 200),
                (.post, "/api/v1/customer_tags", #"{"external_userids":["wm_contract1"],"add":["\#(tagID)"]}"#, 200),
                (.post, "/api/v1/customer_tags", #"{"external_userids":["wm_contract1"]}"#, 422),
                (.get, "/api/v1/lost_customers", nil, 200),
                (.get, "/api/v1/customer_counts", nil, 200),
                (.get, "/api/v1/exports/customers.csv", nil, 200),
            ])
            try await run.call(
                .post, "/api/v1/imports/customers", token: key, body: "external_userid,field:等级\nwm_contract1,金\nwm_none,银\n", contentType: "text/csv", expect: 200
            )
            try await run.call(.post, "/api/v1/imports/customers", token: key, body: "name\nx\n", contentType: "text/csv", expect: 400)
            try await run.call(.post, "/api/v1/sync", token: key, expect: 202)
            try await run.call(.get, "/api/v1/groups", token: key, expect: 200)
            let members = try await run.call(.get, "/api/v1/members", token: key, expect: 200)
            #expect(try members.value("members", "0", "userid") == "m1")

            // Orders.
            try await run.call(
                .post, "/api/v1/orders", token: key,
                json: #"{"orders":[{"order_id":"o1","external_userid":"wm_contract1","amount":"199.00","ordered_at":"2026-01-02T10:00:00+08:00"},{"order_id":"o2","external_userid":"wm_contract1","amount":"1.234","ordered_at":"2026-01-02T10:00:00Z"}]}"#,
                expect: 200
            )
            try await run.call(.get, "/api/v1/orders?customer=wm_contract1", token: key, expect: 200)
            try await run.call(
                .post, "/api/v1/imports/orders", token: key,
                body: "order_id,external_userid,amount,ordered_at\no3,wm_contract1,5.00,2026-01-03T10:00:00Z\no4,wm_contract1,x,2026-01-03\n", contentType: "text/csv", expect: 200
            )

            // Segments.
            try await run.call(.post, "/api/v1/segments/count", token: key, json: #"{"expression":"status = active"}"#, expect: 200)
            try await run.call(.post, "/api/v1/segments/count", token: key, json: #"{"expression":"status = = active"}"#, expect: 422)
            let segment = try await run.call(.post, "/api/v1/segments", token: key, json: #"{"name":"活跃","expression":"status = active"}"#, expect: 201)
            let segmentID = try segment.value("segment_id")
            try await run.calls(token: key, [
                (.post, "/api/v1/segments", #"{"name":"活跃","expression":"status = active"}"#, 409),
                (.get, "/api/v1/segments", nil, 200),
                (.get, "/api/v1/segments/\(segmentID)", nil, 200),
                (.patch, "/api/v1/segments/\(segmentID)", #"{"name":"活跃客户"}"#, 200),
            ])

            // The contact policy and campaigns.
            try await run.calls(token: key, [
                (.get, "/api/v1/contact_policy", nil, 200),
                (.put, "/api/v1/contact_policy", #"{"platform_rule":"days_in_month","brand_cap":{"max_touches":2,"days":7}}"#, 200),
                (.post, "/api/v1/campaigns/preview", #"{"audience":"status = active"}"#, 200),
            ])
            let campaign = try await run.call(
                .post, "/api/v1/campaigns", token: key, json: #"{"name":"新品","audience":{"segment":"status = active"},"text":"秋季新品到店"}"#, expect: 202
            )
            let campaignID = try campaign.value("campaign_id")
            try await fixture.dependencies.campaigns.plan(corpID: Self.corpID, campaignID: campaignID)
            try await run.call(.post, "/api/v1/campaigns/\(campaignID)/remind", token: key, expect: 409)
            try await fixture.dependencies.campaigns.dispatch(corpID: Self.corpID, campaignID: campaignID)
            try await run.calls(token: key, [
                (.get, "/api/v1/campaigns?limit=5", nil, 200),
                (.get, "/api/v1/campaigns?cursor=x", nil, 400),
                (.get, "/api/v1/campaigns/\(campaignID)", nil, 200),
                (.get, "/api/v1/campaigns/\(campaignID)/recipients?state=submitted", nil, 200),
                (.get, "/api/v1/campaigns/\(campaignID)/recipients?reason=not_friend", nil, 200),
                (.post, "/api/v1/campaigns/\(campaignID)/remind", nil, 200),
                (.post, "/api/v1/campaigns/\(campaignID)/cancel", nil, 200),
                (.post, "/api/v1/campaigns/\(campaignID)/cancel", nil, 409),
                (.get, "/api/v1/campaigns/cmp_none", nil, 404),
            ])

            // Webhooks.
            let webhook = try await run.call(
                .post, "/api/v1/webhooks", token: key, json: #"{"url":"https://hooks.example.com/contract","event_types":["customer.added"]}"#, expect: 201
            )
            let webhookID = try webhook.value("webhook_id")
            try await run.calls(token: key, [
                (.post, "/api/v1/webhooks", #"{"url":"http://127.0.0.1/x","event_types":["customer.added"]}"#, 422),
                (.get, "/api/v1/webhooks", nil, 200),
                (.get, "/api/v1/webhooks/\(webhookID)/deliveries", nil, 200),
            ])

            // Callbacks, signed as the platform signs them.
            let crypto = try CallbackCrypto(token: "QDG6eK", encodingAESKey: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", receiveID: Self.corpID)
            let echo = try crypto.encryptReply("echo-contract", timestamp: "1700000000", nonce: "n1")
            let echoQuery = "msg_signature=\(echo.signature)&timestamp=1700000000&nonce=n1&echostr=\(Self.queryEscaped(echo.encrypt))"
            try await run.call(.get, "/callback/wecom/\(Self.corpID)?\(echoQuery)", token: nil, expect: 200)
            try await run.call(.get, "/callback/wecom/\(Self.corpID)", token: nil, expect: 400)
            let event = "<xml><ToUserName><![CDATA[\(Self.corpID)]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1700000001</CreateTime>"
                + "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[add_external_contact]]></ChangeType>"
                + "<UserID><![CDATA[m1]]></UserID><ExternalUserID><![CDATA[wm_contract2]]></ExternalUserID></xml>"
            let sealed = try crypto.encryptReply(event, timestamp: "1700000001", nonce: "n2")
            let envelope = "<xml><ToUserName><![CDATA[\(Self.corpID)]]></ToUserName><Encrypt><![CDATA[\(sealed.encrypt)]]></Encrypt></xml>"
            try await run.call(.post, "/callback/wecom/\(Self.corpID)?msg_signature=\(sealed.signature)&timestamp=1700000001&nonce=n2", token: nil, body: envelope, expect: 200)
            try await run.call(.post, "/callback/wecom/\(Self.corpID)?msg_signature=bad&timestamp=1700000001&nonce=n2", token: nil, body: envelope, expect: 403)
            try await run.call(.post, "/callback/wecom/wwNobody?msg_signature=bad&timestamp=1&nonce=n", token: nil, body: envelope, expect: 404)

            // Service accounts: the admin connects one and changes it; the corp's key reads and edits its rules and menu.
            try await Self.connectAccount(fixture)
            let account = "/api/v1/corps/\(Self.corpID)/accounts"
            try await run.calls(token: admin, [
                (.post, account, #"{"app_id":"\#(Self.appID)","secret":"s","token":"QDG6eK","mode":"plain"}"#, 409),
                (.post, account, #"{"app_id":"wx-bad","secret":"s","token":"QDG6eK","mode":"plain"}"#, 422),
                (.post, account, #"{"app_id":"wx0000000000000a02","secret":"s","token":"QDG6eK","mode":"secure"}"#, 422),
                (.get, account, nil, 200),
                (.patch, "\(account)/\(Self.appID)", #"{"name":"合同服务号（改）"}"#, 200),
                (.patch, "\(account)/wx0000000000000a09", #"{"name":"x"}"#, 404),
                (.post, "\(account)/\(Self.appID)/rotate_key", #"{"aes_key":"too-short"}"#, 422),
                (.post, "\(account)/\(Self.appID)/rotate_key", #"{"aes_key":"jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"}"#, 200),
            ])
            let accountPath = "/api/v1/accounts/\(Self.appID)"
            try await run.calls(token: key, [
                (.get, "/api/v1/accounts", nil, 200),
                (.get, accountPath, nil, 200),
                (.get, "/api/v1/accounts/wx0000000000000a09", nil, 404),
                (.put, "\(accountPath)/replies", #"{"rules":[{"id":"r1","name":"价格","keywords":["价格"],"match":"contains","reply":{"type":"text","text":"见菜单"}}],"subscribe_reply":{"type":"text","text":"欢迎"}}"#, 200),
                (.put, "\(accountPath)/replies", #"{"rules":[{"id":"r1","name":"","keywords":[],"match":"exact","reply":{"type":"text","text":""}}]}"#, 422),
                (.get, "\(accountPath)/replies", nil, 200),
                (.put, "\(accountPath)/menu", #"{"button":[{"type":"click","name":"营业时间","key":"HOURS"},{"name":"更多","sub_button":[{"type":"view","name":"官网","url":"https://example.com"}]}]}"#, 200),
                (.put, "\(accountPath)/menu", #"{"button":[{"type":"click","name":"一个非常非常长的按钮名字","key":"K"}]}"#, 422),
                (.get, "\(accountPath)/menu", nil, 200),
                (.get, "\(accountPath)/followers", nil, 200),
                (.get, "\(accountPath)/followers?limit=1", nil, 200),
                (.get, "\(accountPath)/followers/oContract1", nil, 200),
                (.get, "\(accountPath)/followers/oNobody", nil, 404),
                (.get, "\(accountPath)/growth", nil, 200),
                (.get, "\(accountPath)/growth?from=2026-13-01", nil, 400),
                (.post, "\(accountPath)/sync", nil, 202),
            ])
            let tag = try await run.call(.post, "\(accountPath)/tags", token: key, json: #"{"name":"老客户"}"#, expect: 201)
            let followerTag = try tag.value("id")
            try await run.calls(token: key, [
                (.post, "\(accountPath)/tags", #"{"name":"这是一个超过三十个字节的标签名字"}"#, 422),
                (.get, "\(accountPath)/tags", nil, 200),
            ])
            _ = try await fixture.officialAccounts.simulate(.follow, appID: Self.appID, PersonAction(openID: "oContract1"))
            try await run.calls(token: key, [
                (.post, "\(accountPath)/tags/\(followerTag)/followers", #"{"openids":["oContract1"]}"#, 200),
                (.post, "\(accountPath)/tags/\(followerTag)/followers", #"{"openids":[]}"#, 422),
                (.post, "\(accountPath)/tags/notanumber/followers", #"{"openids":["oContract1"]}"#, 404),
            ])
            try await run.call(.post, "\(accountPath)/media?type=image&filename=logo.png", token: key, body: "\u{89}PNG-contract", contentType: "image/png", expect: 201)
            try await run.call(.post, "\(accountPath)/media?type=picture", token: key, body: "x", contentType: "image/png", expect: 400)
            try await run.call(.post, "\(accountPath)/media", token: key, body: "", contentType: "image/png", expect: 422)
            let channels = try await run.call(.get, "/api/v1/channels", token: key, expect: 200)
            let qrChannel = try channels.value("channels", "0", "channel_id")
            try await run.calls(token: key, [
                (.post, "/api/v1/channels/\(qrChannel)/qrcode", #"{"app_id":"\#(Self.appID)","expire_seconds":604800}"#, 200),
                (.post, "/api/v1/channels/\(qrChannel)/qrcode", #"{"app_id":"\#(Self.appID)"}"#, 200),
                (.post, "/api/v1/channels/\(qrChannel)/qrcode", #"{"app_id":"\#(Self.appID)","expire_seconds":10}"#, 422),
                (.post, "/api/v1/channels/\(qrChannel)/qrcode", #"{"app_id":"wx0000000000000a09"}"#, 422),
                (.post, "/api/v1/channels/nochannel/qrcode", #"{"app_id":"\#(Self.appID)"}"#, 404),
            ])

            // A service account's pushes: plain verification in secure mode, an encrypted follow answered with success.
            let appID = "wx00000000contract"
            _ = try await fixture.store.serviceAccounts.register(
                ServiceAccountRegistration(corpID: Self.corpID, appID: appID, name: "合同服务号", secret: "s", token: "QDG6eK", encodingAESKey: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", mode: .secure),
                actor: "t", now: Date()
            )
            let mpCrypto = try CallbackCrypto(token: "QDG6eK", encodingAESKey: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", receiveID: appID)
            let mpSigned = "signature=\(CallbackCrypto.plainSignature(token: "QDG6eK", timestamp: "1700000002", nonce: "n3"))&timestamp=1700000002&nonce=n3"
            try await run.call(.get, "/callback/mp/\(appID)?\(mpSigned)&echostr=42", token: nil, expect: 200)
            try await run.call(.get, "/callback/mp/\(appID)?signature=bad&timestamp=1&nonce=n&echostr=42", token: nil, expect: 403)
            try await run.call(.get, "/callback/mp/\(appID)", token: nil, expect: 403)
            try await run.call(.get, "/callback/mp/wx0000000000nobody?\(mpSigned)&echostr=42", token: nil, expect: 404)
            let follow = "<xml><ToUserName><![CDATA[gh_contract]]></ToUserName><FromUserName><![CDATA[oContract]]></FromUserName><CreateTime>1700000002</CreateTime>"
                + "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event></xml>"
            let mpSealed = try mpCrypto.encryptReply(follow, timestamp: "1700000002", nonce: "n3")
            let mpBody = "<xml><ToUserName><![CDATA[gh_contract]]></ToUserName><Encrypt><![CDATA[\(mpSealed.encrypt)]]></Encrypt></xml>"
            try await run.call(.post, "/callback/mp/\(appID)?\(mpSigned)&encrypt_type=aes&msg_signature=\(mpSealed.signature)", token: nil, body: mpBody, expect: 200)
            try await run.call(.post, "/callback/mp/\(appID)?\(mpSigned)", token: nil, body: follow, expect: 403)
            try await run.call(.post, "/callback/mp/\(appID)?\(mpSigned)&encrypt_type=aes&msg_signature=\(mpSealed.signature)", token: nil, body: "<xml>", expect: 400)

            // What any route can answer: no credential, a read key's change, a body that is not the
            // JSON the route expects, one that is too large.
            try await run.call(.get, "/api/v1/channels", token: nil, expect: 401)
            try await run.call(.post, "/api/v1/segments", token: fixture.readKey, json: #"{"name":"x","expression":"status = active"}"#, expect: 403)
            try await run.call(.get, "/api/v1/channels", token: admin, expect: 403)
            try await run.call(.post, "/api/v1/segments/count", token: key, json: #"{"expression":7}"#, expect: 400)
            try await run.call(.post, "/api/v1/segments/count", token: key, json: "{", expect: 400)
            let large = #"{"expression":""# + String(repeating: "a", count: AppRequestContext.maxBodyBytes) + #""}"#
            try await run.call(.post, "/api/v1/segments/count", token: key, json: large, expect: 413)

            // Deletions last.
            try await run.calls(token: key, [
                (.delete, "/api/v1/webhooks/\(webhookID)", nil, 204),
                (.delete, "/api/v1/webhooks/\(webhookID)", nil, 404),
                (.delete, "/api/v1/segments/\(segmentID)", nil, 204),
                (.delete, "/api/v1/channels/\(channelID)", nil, 204),
                (.delete, "/api/v1/tags/\(spareTag)", nil, 204),
                (.delete, "/api/v1/tag_groups/\(groupID)", nil, 204),
            ])

            for problem in run.problems { Issue.record(Comment(rawValue: problem)) }
            #expect(run.neverSucceeded.isEmpty, "never answered 2xx: \(run.neverSucceeded.joined(separator: ", "))")
            let answers = run.seen.values.reduce(0) { $0 + $1.count }
            print("contract: \(run.operations.count) operations, \(answers) distinct answers checked against their schemas")
        }
    }

    @Test("every request schema's required fields are exactly what the decoder requires")
    func requiredFieldsMatchTheDecoders() async throws {
        try await Self.withFixture { fixture in
            let run = fixture.run
            try await Self.addCustomer(fixture.store, "wm_contract1", name: "合同客户")
            let ids = try await Self.ownThings(fixture)
            var checked = 0
            // The API's bodies; a callback's JSON envelope is the platform's, checked by CallbackEndpointTests.
            for operation in run.operations where operation.template.hasPrefix("/api/v1/") {
                guard let schema = operation.jsonBody else { continue }
                var uri = operation.template
                for (name, id) in ids { uri = uri.replacingOccurrences(of: "{\(name)}", with: id) }
                let method = HTTPRequest.Method(operation.method.uppercased())!
                let token = Self.adminOnly.contains(operation.key) ? TestServer.adminToken : fixture.key
                let shape = RequestShape(schemas: run.schemas)
                let minimal = shape.minimal(schema)
                let answer = try await run.call(method, uri, token: token, json: Self.encode(minimal))
                #expect(answer.status != .badRequest, "\(operation.key): the body built from `required` alone was refused by the decoder: \(answer.text)")
                // Every optional object, present with only its own required fields, decodes too.
                for (name, value) in shape.optionalObjects(schema) {
                    guard case .object(var body) = minimal else { continue }
                    body[name] = value
                    let fuller = try await run.call(method, uri, token: token, json: Self.encode(.object(body)))
                    #expect(fuller.status != .badRequest, "\(operation.key): \(name) with only its required fields was refused by the decoder: \(fuller.text)")
                }
                for name in shape.required(schema) {
                    guard case .object(var body) = minimal else { continue }
                    body[name] = nil
                    let without = try await run.call(method, uri, token: token, json: Self.encode(.object(body)))
                    #expect(
                        [400, 422].contains(without.status.code),
                        "\(operation.key): \(name) is documented as required, yet a body without it answered \(without.status.code) \(without.text.prefix(200))"
                    )
                    checked += 1
                }
            }
            for problem in run.problems { Issue.record(Comment(rawValue: problem)) }
            #expect(checked >= 20, "only \(checked) required fields were checked")
        }
    }

    @Test("on every documented list, limit=0 and limit=max+1 answer 400 naming the maximum; limit=max answers 200")
    func limitsAreOneRule() async throws {
        try await Self.withFixture { fixture in
            let run = fixture.run
            let ids = try await Self.ownThings(fixture)
            var lists = 0
            for operation in run.operations where operation.method == "get" {
                guard let limit = operation.parameters(run.schemas).first(where: { $0["name"]?.string == "limit" }) else { continue }
                lists += 1
                guard case .number(let minimum) = limit["schema"]?["minimum"], case .number(let maximum) = limit["schema"]?["maximum"] else {
                    Issue.record("\(operation.key): limit has no minimum and maximum")
                    continue
                }
                #expect(minimum == 1, "\(operation.key): limit starts at \(minimum)")
                var uri = operation.template
                for (name, id) in ids { uri = uri.replacingOccurrences(of: "{\(name)}", with: id) }
                let token = Self.adminOnly.contains(operation.key) ? TestServer.adminToken : fixture.key
                for value in ["0", String(Int(maximum) + 1), "-1", "ten"] {
                    let answer = try await run.call(.get, "\(uri)?limit=\(value)", token: token, expect: 400)
                    #expect(answer.text.contains("\(Int(maximum))"), "\(operation.key) limit=\(value) does not name the maximum: \(answer.text)")
                    #expect(answer.errorCode == "bad_request")
                }
                try await run.call(.get, "\(uri)?limit=\(Int(maximum))", token: token, expect: 200)
            }
            #expect(lists >= 9, "only \(lists) lists take a limit")
            for problem in run.problems { Issue.record(Comment(rawValue: problem)) }
        }
    }

    @Test("the schema check itself finds a wrong type, a missing required field, an undeclared property, a bad time and an unknown keyword")
    func schemaCheckFindsProblems() throws {
        let document = try JSONValue(parsing: #"""
            {"components": {"schemas": {"Thing": {"type": "object", "required": ["id", "at"], "additionalProperties": false, "properties": {
              "id": {"type": "string"}, "at": {"type": "string", "format": "date-time"}, "state": {"enum": ["a", "b"]},
              "n": {"type": ["integer", "null"]}, "items": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}}}}}}
            """#)
        let check = JSONSchemaCheck(document: document)
        let schema = JSONValue.object(["$ref": .string("#/components/schemas/Thing")])
        #expect(check.problems(try JSONValue(parsing: #"{"id": "x", "at": "2026-01-01T00:00:00Z", "n": null, "items": []}"#), schema).isEmpty)
        let bad = check.problems(try JSONValue(parsing: #"{"id": 1, "at": "yesterday", "state": "c", "n": 1.5, "extra": true, "items": [{"id": "y"}]}"#), schema)
        for expected in ["$.id: 1.0 is not of type string", "$.at: \"yesterday\" is not a date-time", "$.state: \"c\" is not one of",
                         "$.n: 1.5 is not of type integer or null", "$: extra is not a declared property", "$.items[0]: at is required but absent"] {
            #expect(bad.contains { $0.hasPrefix(expected) }, "missing \(expected) in \(bad)")
        }
        #expect(check.problems(.string("x"), .object(["nullable": .bool(true)])).first?.contains("does not know") == true)
    }

    /// Operations only the admin token may call.
    static let adminOnly: Set<String> = [
        "POST /api/v1/corps", "GET /api/v1/corps", "POST /api/v1/corps/{corp_id}/keys", "GET /api/v1/audit",
        "POST /api/v1/corps/{corp_id}/accounts", "PATCH /api/v1/corps/{corp_id}/accounts/{app_id}", "POST /api/v1/corps/{corp_id}/accounts/{app_id}/rotate_key",
    ]

    /// One of everything a path can name, in corp wwA1.
    static func ownThings(_ fixture: Fixture) async throws -> [String: String] {
        let run = fixture.run
        let groups = try await run.call(.post, "/api/v1/tag_groups", token: fixture.key, json: #"{"name":"会员","tags":["VIP"]}"#, expect: 201)
        let channel = try await run.call(.post, "/api/v1/channels", token: fixture.key, json: #"{"name":"门店","members":["m1"]}"#, expect: 201)
        let segment = try await run.call(.post, "/api/v1/segments", token: fixture.key, json: #"{"name":"活跃","expression":"status = active"}"#, expect: 201)
        let webhook = try await run.call(
            .post, "/api/v1/webhooks", token: fixture.key, json: #"{"url":"https://hooks.example.com/x","event_types":["customer.added"]}"#, expect: 201
        )
        let campaign = try await run.call(.post, "/api/v1/campaigns", token: fixture.key, json: #"{"name":"活动","kind":"moment","text":"新品"}"#, expect: 202)
        let keyID = try #require(try await fixture.store.apiKeys.list(corpID: corpID).first?.keyID)
        try await connectAccount(fixture)
        return [
            "corp_id": corpID, "key_id": keyID, "group_id": try groups.value("tag_groups", "0", "group_id"),
            "tag_id": try groups.value("tag_groups", "0", "tags", "0", "tag_id"), "channel_id": try channel.value("channel_id"),
            "external_userid": "wm_contract1", "segment_id": try segment.value("segment_id"), "webhook_id": try webhook.value("webhook_id"),
            "id": try campaign.value("campaign_id"), "app_id": appID, "openid": "oContract1", "follower_tag_id": "100",
        ]
    }

    /// Connects the sandbox's service account through the admin API, with one follower.
    static func connectAccount(_ fixture: Fixture) async throws {
        try await fixture.run.call(.post, "/api/v1/corps/\(corpID)/accounts", token: TestServer.adminToken, json: """
            {"app_id":"\(appID)","name":"合同服务号","secret":"mp-contract","token":"QDG6eK","aes_key":"jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C","mode":"secure","api_base_url":"\(fixture.officialAccountBase)"}
            """, expect: 201)
        try await fixture.store.followers.reconcile(corpID: corpID, appID: appID, [FollowerProfile(openID: "oContract1", subscribed: true, remark: "合同粉丝")], syncedAt: Date())
    }

    static func addCustomer(_ store: SiyuStore, _ externalUserID: String, name: String) async throws {
        _ = try await store.customers.reconcile(corpID: corpID, ContactObservation(
            externalUserID: externalUserID, event: .added, userID: "m1", state: nil, at: Date(),
            customer: CustomerFacts(externalUserID: externalUserID, name: name), relations: [RelationFacts(userID: "m1", state: nil, addedAt: Date(), tagIDs: [])]
        ), now: Date())
    }

    static func encode(_ value: JSONValue) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }

    static func queryEscaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}

/// Request bodies built from a schema: the smallest one `required` allows, with values of the
/// declared types (first enum value, a date-time, the minimum).
struct RequestShape {
    let schemas: JSONSchemaCheck

    /// Properties and required names, `allOf` merged and references resolved. Of a `oneOf`,
    /// the first option: the current shape (later ones are deprecated forms).
    func flattened(_ schema: JSONValue) -> (properties: [String: JSONValue], required: [String]) {
        var schema = schemas.dereferenced(schema)
        if let first = schema["oneOf"]?.arrayValue?.first { schema = schemas.dereferenced(first) }
        var properties = schema["properties"]?.objectValue ?? [:]
        var required = (schema["required"]?.arrayValue ?? []).compactMap(\.string)
        for part in schema["allOf"]?.arrayValue ?? [] {
            let merged = flattened(part)
            properties.merge(merged.properties) { first, _ in first }
            required += merged.required
        }
        return (properties, required)
    }

    func required(_ schema: JSONValue) -> [String] { flattened(schema).required }

    func minimal(_ schema: JSONValue) -> JSONValue {
        let resolved = schemas.dereferenced(schema)
        if let enumeration = resolved["enum"]?.arrayValue, let first = enumeration.first { return first }
        let type: String? = switch resolved["type"] {
        case .string(let one): one
        case .array(let many): many.first?.string
        default: resolved["allOf"] != nil || resolved["oneOf"] != nil || resolved["properties"] != nil ? "object" : nil
        }
        switch type {
        case "object":
            let (properties, required) = flattened(resolved)
            return .object(Dictionary(uniqueKeysWithValues: required.map { ($0, properties[$0].map(minimal) ?? .string("x")) }))
        case "array":
            let count = if case .number(let least) = resolved["minItems"] { Int(least) } else { 0 }
            return .array(Array(repeating: resolved["items"].map(minimal) ?? .string("x"), count: count))
        case "integer", "number":
            if case .number(let least) = resolved["minimum"] { return .number(least) }
            return .number(1)
        case "boolean":
            return .bool(false)
        default:
            if resolved["format"]?.string == "date-time" { return .string("2030-01-01T00:00:00Z") }
            if case .number(let length) = resolved["minLength"] { return .string(String(repeating: "a", count: Int(length))) }
            return .string("x")
        }
    }

    /// The optional properties that are objects, each built with only its own required fields.
    func optionalObjects(_ schema: JSONValue) -> [(String, JSONValue)] {
        let (properties, required) = flattened(schema)
        return properties.sorted { $0.key < $1.key }.compactMap { name, property in
            guard !required.contains(name), case .object = minimal(property), schemas.dereferenced(property)["additionalProperties"] == nil else { return nil }
            return (name, minimal(property))
        }
    }
}
