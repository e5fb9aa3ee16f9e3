import Foundation
import SiyuCore
import SiyuStore
import SiyuTestSupport
import Testing

@Suite("Console storage: the dashboard's growth figures, users, sessions, failed sign-ins")
struct ConsoleStoreTests {
    typealias F = CustomerFixtures

    @Test("growth per day: new, lost (no relation left), totals counted back from today's active customers", arguments: TestDatabases.flavors)
    func growth(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            try await CustomerQueryTests.seed(store)
            let report = try await store.customers.growth(corpID: F.corpID, from: F.at(day: 0), to: F.at(day: 7, hour: 12), calendar: .platform)
            #expect(report.days.map(\.day) == (0...7).map { String(format: "2024-03-%02d", $0 + 1) })
            #expect(report.days.map(\.new) == [0, 1, 1, 1, 1, 1, 0, 0])
            #expect(report.days.map(\.lost) == [0, 0, 0, 0, 1, 0, 1, 0])
            #expect(report.days.map(\.total) == [0, 1, 2, 3, 3, 4, 3, 3])
            #expect(report.days.map(\.net) == [0, 1, 1, 1, 0, 1, -1, 0])
            // The channels' figures over the same days, from the one channel query path.
            let period = ReportPeriod(lastDays: 8, endingAt: F.at(day: 7, hour: 12), calendar: .platform)
            let channels = try await store.channels.statistics(corpID: F.corpID, period: period)
            #expect(channels.values.map(\.totalAdds).reduce(0, +) == 5)
            #expect(channels["chnA"]?.totalAdds == 2)
            #expect(channels[""]?.totalAdds == 2)
            #expect(channels["chnA"]?.days.count == 8)
            #expect(try await store.channels.statistics(corpID: F.corpID, channelID: "chnA", period: period) == channels["chnA"])
            #expect(report.addsByMember.map(\.userID) == ["m1", "m2", "m3"])
            #expect(report.addsByMember.map(\.adds) == [2, 2, 1])

            // A window that ended before the last changes still agrees with what came after it.
            let earlier = try await store.customers.growth(corpID: F.corpID, from: F.at(day: 0), to: F.at(day: 3), calendar: .platform)
            #expect(earlier.days.map(\.total) == [0, 1, 2, 3])

            let empty = try await store.customers.growth(corpID: "wwNobody", from: F.at(day: 0), to: F.at(day: 2), calendar: .platform)
            #expect(empty.days.map(\.total) == [0, 0, 0])
            #expect(empty.addsByMember.isEmpty)

            let totals = try await store.channels.totals(corpID: F.corpID)
            #expect(totals["chnA"] == ChannelStore.Totals(adds: 2, active: 2, lost: 0))
            #expect(totals["chnB"] == ChannelStore.Totals(adds: 1, active: 1, lost: 0))
        }
    }

    @Test("users, sessions that expire and slide, and failed sign-ins", arguments: TestDatabases.flavors)
    func usersAndSessions(flavor: SQLFlavor) async throws {
        try await TestDatabases.withStore(flavor) { store in
            let users = store.consoleUsers
            _ = try await store.corps.register(CorpRegistration(
                corpID: "wwA1", name: "甲", secret: "s", callbackToken: "QDG6eK", encodingAESKey: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
            ), actor: "t", now: Date())
            let admin = try await users.create(username: "root", passwordHash: "$2b$04$x", role: .admin, corpID: nil, memberUserID: nil, now: Date())
            let employee = try await users.create(username: "emp", passwordHash: "$2b$04$y", role: .employee, corpID: "wwA1", memberUserID: "m1", now: Date())
            await #expect(throws: StoreError.self) {
                try await users.create(username: "root", passwordHash: "$2b$04$z", role: .admin, corpID: nil, memberUserID: nil, now: Date())
            }
            #expect(try await users.find(username: "emp") == employee)
            #expect(try await users.list().map(\.username) == ["emp", "root"])

            let now = Date()
            try await users.startSession(sessionHash: "h1", userID: admin.userID, csrfToken: "c1", actingCorpID: nil, lifetime: 3600, now: now)
            let session = try #require(try await users.session(hash: "h1", now: now))
            #expect(session.user == admin && session.csrfToken == "c1" && session.actingCorpID == nil)
            #expect(try await users.session(hash: "h1", now: now.addingTimeInterval(3601)) == nil)
            try await users.touchSession(hash: "h1", lifetime: 3600, now: now.addingTimeInterval(3000))
            #expect(try await users.session(hash: "h1", now: now.addingTimeInterval(3601)) != nil)
            try await users.setActingCorp(hash: "h1", corpID: "wwA1")
            #expect(try await users.session(hash: "h1", now: now)?.actingCorpID == "wwA1")
            try await users.endSession(hash: "h1")
            #expect(try await users.session(hash: "h1", now: now) == nil)

            for minute in 0..<3 { try await users.recordFailure(username: "root", address: "198.51.100.9", now: now.addingTimeInterval(Double(minute) * 60)) }
            try await users.recordFailure(username: "root", address: "203.0.113.5", now: now)
            #expect(try await users.failures(username: "root", since: now) == 4)
            #expect(try await users.failures(username: "root", address: "198.51.100.9", since: now) == 3)
            #expect(try await users.failures(username: "root", address: "198.51.100.9", since: now.addingTimeInterval(90)) == 1)
            #expect(try await users.failures(username: "emp", since: now) == 0)

            // Refused until the limit's oldest counted failure leaves the window; other addresses are not.
            let pair = [SignInLimit(.usernameAtAddress, maxFailures: 3, window: 600)]
            let later = now.addingTimeInterval(150)
            #expect(Self.near(try await users.signInRefusedUntil(username: "root", address: "198.51.100.9", limits: pair, now: later), now.addingTimeInterval(600)))
            #expect(try await users.signInRefusedUntil(username: "root", address: "203.0.113.5", limits: pair, now: later) == nil)
            #expect(try await users.signInRefusedUntil(username: "root", address: "198.51.100.9", limits: pair, now: now.addingTimeInterval(601)) == nil)
            let everywhere = [SignInLimit(.username, maxFailures: 4, window: 600)]
            #expect(Self.near(try await users.signInRefusedUntil(username: "root", address: "192.0.2.1", limits: everywhere, now: later), now.addingTimeInterval(600)))
            let address = [SignInLimit(.address, maxFailures: 3, window: 600)]
            #expect(Self.near(try await users.signInRefusedUntil(username: "emp", address: "198.51.100.9", limits: address, now: later), now.addingTimeInterval(600)))

            try await users.clearFailures(username: "root", address: "198.51.100.9", before: now)
            #expect(try await users.failures(username: "root", address: "198.51.100.9", since: now) == 0)
            #expect(try await users.failures(username: "root", since: now) == 1, "failures from other addresses stay")
        }
    }

    /// Times are stored in whole milliseconds.
    static func near(_ date: Date?, _ expected: Date) -> Bool {
        date.map { abs($0.timeIntervalSince(expected)) < 0.002 } ?? false
    }
}
