import Foundation
import Hummingbird
import HummingbirdTesting
import SiyuCore
import SiyuStore
import Testing

@testable import SiyuServer

@Suite("Console: sign-in, sessions, CSRF and roles")
struct ConsoleAuthTests {
    @Test("signing in sets an HttpOnly, SameSite=Lax session cookie on / and lands on the dashboard")
    func signIn() async throws {
        try await ConsoleTestServer.run { fixture in
            try await fixture.user("alice", .admin)
            let browser = fixture.browser()
            let form = try await browser.get("/console/login")
            #expect(form.status == .ok)
            #expect(form.text.contains(#"name="_csrf""#))
            let signedIn = try await browser.post("/console/login", [("username", "alice"), ("password", ConsoleTestServer.password)])
            #expect(signedIn.status == .seeOther)
            #expect(signedIn.headers[.location] == "/console")
            let cookie = try #require(signedIn.headers[values: .setCookie].first { $0.hasPrefix("siyu_session=") })
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Lax"))
            #expect(cookie.contains("Path=/"))
            #expect(!cookie.contains("Secure"))
            let home = try await browser.get("/console")
            #expect(home.headers[.location] == "/console/dashboard")
            #expect(try await browser.get("/console/dashboard").status == .ok)

            // Only the hash of the cookie's token is stored.
            let token = try #require(await browser.cookies["siyu_session"])
            #expect(try await fixture.store.consoleUsers.session(hash: token, now: Date()) == nil)
            #expect(try await fixture.store.consoleUsers.session(hash: ConsolePasswords.tokenHash(token), now: Date()) != nil)
        }
    }

    @Test("SIYU_COOKIE_SECURE adds Secure to the session cookie")
    func secureCookie() async throws {
        #expect(ConsoleSettings.fromEnvironment(["SIYU_COOKIE_SECURE": "1"]).secureCookies)
        #expect(!ConsoleSettings.fromEnvironment([:]).secureCookies)
        try await ConsoleTestServer.run(settings: ConsoleSettings(secureCookies: true)) { fixture in
            try await fixture.user("alice", .admin)
            let browser = fixture.browser()
            try await browser.get("/console/login")
            let signedIn = try await browser.post("/console/login", [("username", "alice"), ("password", ConsoleTestServer.password)])
            let cookie = try #require(signedIn.headers[values: .setCookie].first { $0.hasPrefix("siyu_session=") })
            #expect(cookie.contains("Secure"))
        }
    }

    @Test("a wrong password or an unknown user is refused with the same message, and pages send the browser to sign in")
    func signInFailure() async throws {
        try await ConsoleTestServer.run { fixture in
            try await fixture.user("alice", .admin)
            let browser = fixture.browser()
            let wrong = try await browser.signIn("alice", "not the password")
            #expect(wrong.status == .unauthorized)
            #expect(wrong.text.contains("用户名或密码错误"))
            #expect(!wrong.headers[values: .setCookie].contains { $0.hasPrefix("siyu_session=") })
            let unknown = try await browser.signIn("nobody", "whatever123")
            #expect(unknown.status == .unauthorized)
            #expect(unknown.text.contains("用户名或密码错误"))

            let page = try await browser.get("/console/customers?q=x")
            #expect(page.status == .seeOther)
            #expect(page.headers[.location]?.hasPrefix("/console/login?next=") == true)
            // An off-site `next` is ignored.
            #expect(ConsoleAuthController.localTarget("//evil.example/console") == "/console")
            #expect(ConsoleAuthController.localTarget("https://evil.example") == "/console")
            #expect(ConsoleAuthController.localTarget("/console/customers?q=x") == "/console/customers?q=x")
        }
    }

    @Test("five failures for a username from one address refuse that address, say how long to wait, and leave other addresses alone")
    func throttlingPerAddress() async throws {
        // Time stands still (on a whole second, as stored times are milliseconds), so the wait shown is
        // the whole window however slowly bcrypt runs on a busy machine.
        try await ConsoleTestServer.run(settings: ConsoleSettings(throttleWindow: 100), time: .fixed(Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)))) { fixture in
            try await fixture.user("alice", .admin)
            try await fixture.user("bob", .admin)
            let attacker = fixture.browser()
            await attacker.move(to: "198.51.100.9")
            for _ in 1...5 { #expect(try await attacker.signIn("alice", "wrong-password").status == .unauthorized) }
            let throttled = try await attacker.signIn("alice", ConsoleTestServer.password)
            #expect(throttled.status == .tooManyRequests)
            #expect(throttled.text.contains("请在 1 分 40 秒后再试"), "the wait is shown in minutes and seconds")
            try await attacker.get("/console/lang/en")
            #expect(try await attacker.signIn("alice", ConsoleTestServer.password).text.contains("Try again in 1 min 40 s."))
            // The same user from their own address, and another user from the attacker's, still sign in.
            let owner = fixture.browser()
            await owner.move(to: "203.0.113.5")
            #expect(try await owner.signIn("alice", ConsoleTestServer.password).status == .seeOther)
            #expect(try await attacker.signIn("bob", ConsoleTestServer.password).status == .seeOther)
            // Requests without an address share one bucket, "unknown".
            let anonymous = fixture.browser()
            for _ in 1...5 { #expect(try await anonymous.signIn("alice", "wrong-password").status == .unauthorized) }
            #expect(try await fixture.browser().signIn("alice", ConsoleTestServer.password).status == .tooManyRequests)
        }
    }

    @Test("guesses sent all at once are counted before their password checks: no more than the limit get through")
    func throttlingConcurrentGuesses() async throws {
        try await ConsoleTestServer.run { fixture in
            try await fixture.user("alice", .admin)
            let browsers = (0..<12).map { _ in fixture.browser() }
            for browser in browsers { await browser.move(to: "198.51.100.9") }
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for browser in browsers { group.addTask { try await browser.signIn("alice", "wrong-password").status } }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .unauthorized }.count == 5, "\(statuses)")
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 7)
        }
    }

    @Test("many usernames tried from one address are throttled at that address")
    func throttlingAcrossUsernames() async throws {
        try await ConsoleTestServer.run { fixture in
            try await fixture.user("bob", .admin)
            let attacker = fixture.browser()
            await attacker.move(to: "198.51.100.9")
            for index in 1...20 { #expect(try await attacker.signIn("guess\(index)", "wrong-password").status == .unauthorized) }
            let refused = try await attacker.signIn("bob", ConsoleTestServer.password)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.text.contains(/请在 1[45] 分 \d+ 秒后再试/))
            let elsewhere = fixture.browser()
            await elsewhere.move(to: "203.0.113.5")
            #expect(try await elsewhere.signIn("bob", ConsoleTestServer.password).status == .seeOther)
        }
    }

    @Test("failures for one username from many addresses hold that username everywhere, for a short window only")
    func throttlingDistributed() async throws {
        try await ConsoleTestServer.run { fixture in
            try await fixture.user("alice", .admin)
            for index in 1...20 {
                let browser = fixture.browser()
                await browser.move(to: "10.0.0.\(index)")
                #expect(try await browser.signIn("alice", "wrong-password").status == .unauthorized)
            }
            let owner = fixture.browser()
            await owner.move(to: "203.0.113.5")
            let refused = try await owner.signIn("alice", ConsoleTestServer.password)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.text.contains(/请在 [45] 分 \d+ 秒后再试/), "the per-username hold lasts 5 minutes, not 15")
        }
    }

    @Test("signing out ends the session on the server and clears the cookie")
    func signOut() async throws {
        try await ConsoleTestServer.run { fixture in
            let browser = try await fixture.signedIn("alice", .admin)
            let token = try #require(await browser.cookies["siyu_session"])
            try await browser.get("/console/dashboard")
            let out = try await browser.post("/console/logout")
            #expect(out.status == .seeOther)
            #expect(out.headers[.location] == "/console/login")
            #expect(await browser.cookies["siyu_session"] == nil)
            #expect(try await fixture.store.consoleUsers.session(hash: ConsolePasswords.tokenHash(token), now: Date()) == nil)
            #expect(try await browser.get("/console/dashboard").status == .seeOther)
        }
    }

    @Test("a POST without the CSRF token, or with a wrong one, is refused with a page that says why")
    func csrf() async throws {
        try await ConsoleTestServer.run { fixture in
            let browser = try await fixture.adminWithCorp()
            try await browser.get("/console/tags")
            let missing = try await browser.post("/console/tags/groups", [("name", "兴趣"), ("tags", "咖啡")], withToken: false)
            #expect(missing.status == .forbidden)
            #expect(missing.text.contains("CSRF"))
            let wrong = try await browser.post("/console/tags/groups", [("name", "兴趣"), ("tags", "咖啡"), ("_csrf", "forged")])
            #expect(wrong.status == .forbidden)
            let logout = try await browser.post("/console/logout", withToken: false)
            #expect(logout.status == .forbidden)
            #expect(await browser.cookies["siyu_session"] != nil)

            // JSON calls carry it in X-CSRF-Token.
            let json = #"{"audience":"status = active"}"#
            #expect(try await browser.postJSON("/console/campaigns/preview", json, token: nil).status == .forbidden)
            #expect(try await browser.postJSON("/console/campaigns/preview", json, token: "forged").status == .forbidden)

            // The sign-in form has its own token, bound to a cookie.
            let fresh = fixture.browser()
            let noCookie = try await fresh.post("/console/login", [("username", "alice"), ("password", ConsoleTestServer.password), ("_csrf", "made-up")])
            #expect(noCookie.status == .forbidden)
        }
    }

    @Test("an employee sees only the customers their member follows; an operator only their corp")
    func roles() async throws {
        try await ConsoleTestServer.run { fixture in
            let store = fixture.store
            _ = try await store.corps.register(TestServer.registration("wwA1", name: "甲品牌"), actor: "t", now: Date())
            _ = try await store.corps.register(TestServer.registration("wwB2", name: "乙品牌"), actor: "t", now: Date())
            try await SegmentAPITests.seed(store, corpID: "wwA1")
            try await SegmentAPITests.seed(store, corpID: "wwB2")
            try await fixture.addCustomer("wwB2", "wmB", name: "乙客户")

            // m2 follows wm2, wm4 and wm6 in the seed.
            let employee = try await fixture.signedIn("emp", .employee, corp: "wwA1", member: "m2")
            #expect(try await employee.get("/console").headers[.location] == "/console/customers")
            let list = try await employee.get("/console/customers")
            #expect(list.status == .ok)
            for own in ["客户2", "客户4", "客户6"] { #expect(list.text.contains(own)) }
            for other in ["客户1", "客户3", "客户5"] { #expect(!list.text.contains(other)) }
            // Asking for another member's customers changes nothing.
            #expect(!(try await employee.get("/console/customers?member=m1").text.contains("客户1")))
            #expect(try await employee.get("/console/customers/wm2").status == .ok)
            #expect(try await employee.get("/console/customers/wm1").status == .notFound)
            #expect(try await employee.get("/console/dashboard").status == .forbidden)
            #expect(try await employee.get("/console/tags").status == .forbidden)
            #expect(try await employee.get("/console/channels").status == .forbidden)
            #expect(!list.text.contains(#"href="/console/tags""#))
            // Scoping fails closed: an employee whose member is blank sees no one, not everyone.
            let blank = try await fixture.signedIn("emp0", .employee, corp: "wwA1", member: "m9")
            try await store.database.write { sql in try await sql.raw("UPDATE console_users SET member_userid = '' WHERE username = 'emp0'").run() }
            for path in ["/console/customers", "/console/customers/wm2", "/console/campaigns"] {
                let answer = try await blank.get(path)
                #expect(answer.status == .forbidden, "\(path): \(answer.status)")
                #expect(!answer.text.contains("客户2"), "\(path)")
            }

            let operatorA = try await fixture.signedIn("op", .operator, corp: "wwA1")
            let customers = try await operatorA.get("/console/customers")
            #expect(customers.text.contains("客户1"))
            #expect(!customers.text.contains("乙客户"))
            #expect(try await operatorA.get("/console/customers/wmB").status == .notFound)
            #expect(try await operatorA.post("/console/corp", [("corp_id", "wwB2")]).status == .forbidden)
            #expect(try await operatorA.get("/console/dashboard").text.contains("甲品牌"))

            // An admin switches corps; the session remembers the choice.
            let admin = try await fixture.signedIn("root", .admin)
            #expect(try await admin.get("/console/customers").text.contains("客户1"))
            try await admin.get("/console/dashboard")
            #expect(try await admin.post("/console/corp", [("corp_id", "wwB2")]).status == .seeOther)
            #expect(try await admin.get("/console/customers").text.contains("乙客户"))
        }
    }

    @Test("users need a valid role, corp and password; usernames are unique")
    func userRules() async throws {
        try await ConsoleTestServer.run { fixture in
            let users = fixture.store.consoleUsers
            _ = try await fixture.store.corps.register(TestServer.registration("wwA1"), actor: "t", now: Date())
            await #expect(throws: ValidationError.self) { try await users.createUser(username: "a", password: "short", role: .admin, bcryptCost: 4, now: Date()) }
            await #expect(throws: ValidationError.self) { try await users.createUser(username: "b", password: "long enough", role: .operator, bcryptCost: 4, now: Date()) }
            await #expect(throws: ValidationError.self) { try await users.createUser(username: "c", password: "long enough", role: .employee, corpID: "wwA1", bcryptCost: 4, now: Date()) }
            await #expect(throws: StoreError.self) { try await users.createUser(username: "d", password: "long enough", role: .operator, corpID: "wwNO", bcryptCost: 4, now: Date()) }
            let created = try await users.createUser(username: "e", password: "long enough", role: .employee, corpID: "wwA1", memberUserID: "m1", bcryptCost: 4, now: Date())
            #expect(created.passwordHash.hasPrefix("$2"))
            #expect(ConsolePasswords.verify("long enough", hash: created.passwordHash))
            await #expect(throws: StoreError.self) { try await users.createUser(username: "e", password: "long enough", role: .admin, bcryptCost: 4, now: Date()) }
            #expect(try await users.list().map(\.username) == ["e"])
        }
    }
}
