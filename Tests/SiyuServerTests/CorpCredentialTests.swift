import Foundation
import Hummingbird
import HummingbirdTesting
import SiyuCore
import SiyuStore
import Testing

@testable import SiyuServer

/// Credentials and the endpoints they are sent to change only with the admin token; corp keys
/// have scopes; settings are typed.
@Suite("Corp credentials, settings and key scopes")
struct CorpCredentialTests {
    @Test("a corp's own key cannot point its secret elsewhere or replace its credentials; nothing changes")
    func corpKeyCannotRedirectSecret() async throws {
        try await TestServer.withClient { client, store, _ in
            let (keyA, _) = try await WebhookTests.twoCorps(store)
            for json in [
                #"{"settings":{"wecom_api_base_url":"http://127.0.0.1:19999"}}"#,
                #"{"settings":{"wecom_api_base_url":null}}"#,
                #"{"secret":"attacker-chosen"}"#,
                #"{"token":"abc"}"#,
                #"{"aes_key":"jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"}"#,
                #"{"name":"改名","settings":{"wecom_api_base_url":"http://127.0.0.1:19999"}}"#,
            ] {
                let refused = try await client.call(.patch, "/api/v1/corps/wwA1", token: keyA, json: json)
                #expect(refused.status == .forbidden, "\(json)")
                #expect(refused.errorCode == "forbidden")
            }
            let corp = try #require(try await store.corps.find("wwA1"))
            #expect(corp.settings.wecomAPIBaseURL == nil)
            #expect(corp.name == "测试品牌", "a refused change changes nothing, the name included")
            #expect(try await store.corps.secrets(of: "wwA1")?.secret == "secret-wwA1")

            let renamed = try await client.call(.patch, "/api/v1/corps/wwA1", token: keyA, json: #"{"name":"新名字"}"#)
            #expect(renamed.status == .ok, "a write key may still rename its corp")
        }
    }

    @Test("the admin sets an http(s) base URL (loopback allowed) and removes it with null; anything else is 422")
    func adminBaseURLValidated() async throws {
        try await TestServer.withClient { client, store, _ in
            _ = try await store.corps.register(TestServer.registration("wwA1"), actor: "t", now: Date())
            for bad in ["file:///etc/passwd", "gopher://127.0.0.1:70/", "not a url", "http://", "http://user:pw@example.com", "https://x.test/?q=1", "http://exa mple.com", "http://a.test/\\u0007"] {
                let refused = try await client.call(.patch, "/api/v1/corps/wwA1", json: #"{"settings":{"wecom_api_base_url":"\#(bad)"}}"#)
                #expect(refused.status == .unprocessableContent, "\(bad)")
                #expect(try (refused.json()["error"] as? [String: Any])?["field"] as? String == "settings.wecom_api_base_url")
            }
            let set = try await client.call(.patch, "/api/v1/corps/wwA1", json: #"{"settings":{"wecom_api_base_url":"http://127.0.0.1:8090"}}"#)
            #expect(set.status == .ok)
            #expect(try (set.json()["settings"] as? [String: String]) == ["wecom_api_base_url": "http://127.0.0.1:8090"])
            let removed = try await client.call(.patch, "/api/v1/corps/wwA1", json: #"{"settings":{"wecom_api_base_url":null}}"#)
            #expect(try (removed.json()["settings"] as? [String: String]) == [:])
            #expect(try await store.corps.find("wwA1")?.settings == CorpSettings())
        }
    }

    @Test("unknown settings, internal state and control characters are refused; previews keep working")
    func settingsAreTyped() async throws {
        try await TestServer.withClient { client, store, _ in
            let (keyA, _) = try await WebhookTests.twoCorps(store)
            let garbage = try await client.call(.patch, "/api/v1/corps/wwA1", token: keyA, json: #"{"settings":{"contact_policy":"{garbage"}}"#)
            #expect(garbage.status == .unprocessableContent)
            #expect(try (garbage.json()["error"] as? [String: Any])?["field"] as? String == "settings.contact_policy")
            let unknown = try await client.call(.patch, "/api/v1/corps/wwA1", token: keyA, json: #"{"settings":{"colour":"blue"}}"#)
            #expect(unknown.status == .unprocessableContent)
            let control = try await client.call(.patch, "/api/v1/corps/wwA1", token: keyA, json: #"{"name":"a\u0001b"}"#)
            #expect(control.status == .unprocessableContent)
            #expect(try await store.corps.find("wwA1")?.name == "测试品牌")

            let preview = try await client.call(.post, "/api/v1/campaigns/preview", token: keyA, json: #"{"audience":"status = active"}"#)
            #expect(preview.status == .ok, "\(preview.text)")
            let policy = try await client.call(.get, "/api/v1/contact_policy", token: keyA)
            #expect(policy.status == .ok)
        }
    }

    @Test("the admin rotates a corp's credentials; the answer and the audit entry never carry them")
    func adminRotatesCredentials() async throws {
        try await TestServer.withClient { client, store, _ in
            _ = try await store.corps.register(TestServer.registration("wwA1"), actor: "t", now: Date())
            let rotated = try await client.call(.patch, "/api/v1/corps/wwA1", json: #"{"secret":"new-secret-123","token":"NewTok9"}"#)
            #expect(rotated.status == .ok)
            #expect(!rotated.text.contains("new-secret-123") && !rotated.text.contains("NewTok9"))
            let secrets = try #require(try await store.corps.secrets(of: "wwA1"))
            #expect(secrets.secret == "new-secret-123")
            #expect(secrets.callbackToken == "NewTok9")
            let audit = try await client.call(.get, "/api/v1/corps/wwA1/audit")
            #expect(audit.text.contains("secret,token"))
            #expect(!audit.text.contains("new-secret-123"))
            let invalid = try await client.call(.patch, "/api/v1/corps/wwA1", json: #"{"token":"has space"}"#)
            #expect(invalid.status == .unprocessableContent)
            #expect(try await store.corps.secrets(of: "wwA1")?.callbackToken == "NewTok9")
        }
    }

    @Test("keys are created read or write; a read key reads, counts and previews, and changes nothing")
    func keyScopes() async throws {
        try await TestServer.withClient { client, store, _ in
            _ = try await store.corps.register(TestServer.registration("wwA1"), actor: "t", now: Date())
            let created = try await client.call(.post, "/api/v1/corps/wwA1/keys", json: #"{"label":"bi","scope":"read"}"#)
            #expect(created.status == .created)
            #expect(try created.json()["scope"] as? String == "read")
            let readKey = try #require(try created.json()["key"] as? String)
            let defaulted = try await client.call(.post, "/api/v1/corps/wwA1/keys", json: #"{"label":"crm"}"#)
            #expect(try defaulted.json()["scope"] as? String == "write")
            let badScope = try await client.call(.post, "/api/v1/corps/wwA1/keys", json: #"{"scope":"root"}"#)
            #expect(badScope.status == .badRequest)
            #expect(try (badScope.json()["error"] as? [String: Any])?["field"] as? String == "scope", "the refusal names the field")
            let wrongType = try await client.call(.patch, "/api/v1/corps/wwA1", json: #"{"settings":{"wecom_api_base_url":8090}}"#)
            #expect(wrongType.status == .badRequest)
            #expect(wrongType.text.contains("settings.wecom_api_base_url"), "the refusal names the field: \(wrongType.text)")
            let missing = try await client.call(.post, "/api/v1/corps", json: #"{"corp_id":"wwZ9"}"#)
            #expect(missing.status == .badRequest && missing.text.contains("`name`"), "\(missing.text)")

            #expect(try await client.call(.get, "/api/v1/customers", token: readKey).status == .ok)
            #expect(try await client.call(.get, "/api/v1/corps/wwA1", token: readKey).status == .ok)
            #expect(try await client.call(.post, "/api/v1/segments/count", token: readKey, json: #"{"expression":"status = active"}"#).status == .ok)
            for (method, path, json) in [
                (HTTPRequest.Method.patch, "/api/v1/corps/wwA1", #"{"name":"x"}"#),
                (.post, "/api/v1/tag_groups", #"{"name":"组","tags":["a"]}"#),
                (.put, "/api/v1/contact_policy", #"{}"#),
                (.post, "/api/v1/segments", #"{"name":"s","expression":"status = active"}"#),
                (.post, "/api/v1/webhooks", #"{"url":"https://example.com/h","event_types":["customer.added"]}"#),
                (.delete, "/api/v1/channels/chn_x", nil),
            ] {
                let refused = try await client.call(method, path, token: readKey, json: json)
                #expect(refused.status == .forbidden, "\(method) \(path)")
                #expect(refused.errorCode == "insufficient_scope")
            }
            #expect(try await store.corps.find("wwA1")?.name == "测试品牌")
            #expect(try await store.segments.list(corpID: "wwA1").isEmpty)
            let keys = try await client.call(.get, "/api/v1/corps/wwA1/keys").json()["keys"] as? [[String: Any]]
            #expect(Set(keys?.compactMap { $0["scope"] as? String } ?? []) == ["read", "write"])
        }
    }
}
