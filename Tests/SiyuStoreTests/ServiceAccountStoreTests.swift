import Foundation
import SiyuCore
import SiyuTestSupport
import Testing

@testable import SiyuStore

/// Service accounts and followers on SQLite and PostgreSQL alike.
@Suite("Service account and follower stores")
struct ServiceAccountStoreTests {
    static let corpID = "wwsa0001"
    static let appID = "wx000000store00001"
    static let key = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
    static let newKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"

    static func setUp(_ store: SiyuStore) async throws {
        _ = try await store.corps.register(
            CorpRegistration(corpID: corpID, name: "门店", secret: "s", callbackToken: "QDG6eK", encodingAESKey: key), actor: "t", now: Date()
        )
        _ = try await store.serviceAccounts.register(
            ServiceAccountRegistration(corpID: corpID, appID: appID, name: "服务号", secret: "mp-secret", token: "mpToken", encodingAESKey: key, mode: .secure),
            actor: "t", now: Date()
        )
    }

    static var app: String { appID }

    @Test("an account's secrets are sealed, a rotation keeps the previous key, a duplicate AppID and an encrypting mode without a key are refused", arguments: TestDatabases.flavors)
    func accounts(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            try await Self.setUp(store)
            let raw = try await store.database.read { sql in try await sql.raw("SELECT secret_enc, token_enc, aes_key_enc FROM service_accounts").all() }
            for column in ["secret_enc", "token_enc", "aes_key_enc"] {
                let sealed = try raw[0].decode(column: column, as: String.self)
                #expect(sealed.hasPrefix("v1:") && !sealed.contains("mp-secret") && !sealed.contains(Self.key))
            }
            #expect(try await store.serviceAccounts.list(corpID: Self.corpID).map(\.hasPreviousKey) == [false])
            let rotated = try #require(try await store.serviceAccounts.rotateKey(appID: Self.app, to: Self.newKey, actor: "t", now: Date()))
            #expect(rotated.hasPreviousKey)
            let secrets = try #require(try await store.serviceAccounts.secrets(appID: Self.app))
            #expect(secrets.encodingAESKey == Self.newKey && secrets.previousAESKey == Self.key && secrets.secret == "mp-secret")
            await #expect(throws: StoreError.self) {
                _ = try await store.serviceAccounts.register(
                    ServiceAccountRegistration(corpID: Self.corpID, appID: Self.app, name: "x", secret: "s", token: "tok", encodingAESKey: nil, mode: .plain),
                    actor: "t", now: Date()
                )
            }
            #expect(throws: ValidationError.self) {
                try ServiceAccountRegistration(corpID: Self.corpID, appID: "wx000000store00002", name: "x", secret: "s", token: "tok", encodingAESKey: nil, mode: .secure).validate()
            }
            let audit = try await store.audit.recent(corpID: Self.corpID).map(\.action)
            #expect(audit.contains("service_account.register") && audit.contains("service_account.rotate_key"))
        }
    }

    @Test("follows, messages and unfollows count per day and channel once, converge when reordered, and a sync clears who left", arguments: TestDatabases.flavors)
    func followers(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            try await Self.setUp(store)
            let calendar = BusinessCalendar.platform
            let start = Date(timeIntervalSince1970: 1_700_000_000)
            var pushes = 0
            func push(_ event: FollowerEvent, channel: String? = nil) async throws -> FollowerStore.ApplyOutcome {
                pushes += 1
                let payload = "<xml><n>\(pushes)</n></xml>"
                _ = try await store.inbox.record(corpID: Self.corpID, payload: payload, now: Date())
                return try await store.followers.apply(
                    corpID: Self.corpID, appID: Self.app, inboxKey: CallbackInbox.dedupeKey(for: payload), event, channelID: channel, calendar: calendar, now: Date()
                )
            }
            let at = { (seconds: Double) in start.addingTimeInterval(seconds) }
            #expect(try await push(FollowerEvent(openID: "o1", at: at(0), kind: .follow(scene: "a")), channel: "chn_a") == .applied)
            #expect(try await push(FollowerEvent(openID: "o2", at: at(60), kind: .follow(scene: nil))) == .applied)
            #expect(try await push(FollowerEvent(openID: "o1", at: at(120), kind: .location(latitude: 23.1, longitude: 113.3, precision: 10))) == .applied)
            #expect(try await push(FollowerEvent(openID: "o3", at: at(86_400 + 10), kind: .unfollow)) == .applied)
            #expect(try await push(FollowerEvent(openID: "o3", at: at(86_400), kind: .follow(scene: "a")), channel: "chn_a") == .applied)
            #expect(try await push(FollowerEvent(openID: "o1", at: at(86_400 + 20), kind: .unfollow)) == .applied)

            let days = try await store.followers.growth(corpID: Self.corpID, appID: Self.app, from: at(0), to: at(86_400), calendar: calendar)
            #expect(days.map(\.new) == [2, 1])
            #expect(days.map(\.lost) == [0, 2])
            #expect(days.map(\.total) == [2, 1])
            let a = try await store.followers.growth(corpID: Self.corpID, appID: Self.app, channelID: "chn_a", from: at(0), to: at(86_400), calendar: calendar)
            #expect(a.map(\.new) == [1, 1] && a.map(\.lost) == [0, 2] && a.map(\.total) == [1, 0])
            #expect(try await store.followers.list(corpID: Self.corpID, appID: Self.app).map(\.openID) == ["o2"])
            #expect(try await store.followers.timeline(corpID: Self.corpID, appID: Self.app, openID: "o1").isEmpty)

            try await store.followers.reconcile(corpID: Self.corpID, appID: Self.app, [
                FollowerProfile(openID: "o4", subscribed: true, remark: "新来的", tagIDs: [100]),
            ], syncedAt: at(2 * 86_400))
            #expect(try await store.followers.find(corpID: Self.corpID, appID: Self.app, openID: "o4")?.tagIDs == [100])
            try await store.followers.setTag(corpID: Self.corpID, appID: Self.app, tagID: 101, openIDs: ["o4"], tagged: true)
            #expect(try await store.followers.find(corpID: Self.corpID, appID: Self.app, openID: "o4")?.tagIDs == [100, 101])
            #expect(try await store.followers.clearMissing(corpID: Self.corpID, appID: Self.app, listed: ["o4"], syncStartedAt: at(3 * 86_400)) == 1)
            #expect(try await store.followers.list(corpID: Self.corpID, appID: Self.app).map(\.openID) == ["o4"])
        }
    }
}
