import Foundation
import SiyuCore
import Testing

@Suite("Core rules")
struct CoreTests {
    static let registration = CorpRegistration(
        corpID: "ww5823bf96d3bd56c7", name: "星巴克测试", secret: "app-secret-XYZ-123",
        callbackToken: "QDG6eK", encodingAESKey: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
    )

    @Test("a valid registration passes")
    func validRegistration() throws {
        try Self.registration.validate()
    }

    @Test("invalid registrations name the field")
    func validation() {
        var bad = CoreTests.registration
        bad.encodingAESKey = "short"
        #expect(throws: ValidationError.self) { try bad.validate() }
        bad = CoreTests.registration
        bad.corpID = "ww 12"
        do {
            try bad.validate()
            Issue.record("a corp id with a space was accepted")
        } catch {
            #expect(error.field == "corp_id")
        }
        bad = CoreTests.registration
        bad.callbackToken = "has-dash"
        #expect(throws: ValidationError.self) { try bad.validate() }
    }

    @Test("backoff doubles and stops at the ceiling")
    func backoffPolicy() {
        let policy = RetryPolicy(base: .seconds(2), maximum: .seconds(60), maxAttempts: 8)
        #expect((1...7).map { policy.delay(afterFailedAttempts: $0) } == [2, 4, 8, 16, 32, 60, 60].map { Duration.seconds($0) })
        #expect(policy.isExhausted(afterFailedAttempts: 8))
        #expect(!policy.isExhausted(afterFailedAttempts: 7))
        #expect(policy.delay(afterFailedAttempts: 500) == .seconds(60))
    }

    @Test("a welcome message decodes without attachments or without text")
    func welcomeDecoding() throws {
        let textOnly = try JSONDecoder().decode(WelcomeMessage.self, from: Data(#"{"text":"你好{nickname}"}"#.utf8))
        #expect(textOnly == WelcomeMessage(text: "你好{nickname}"))
        let linkOnly = try JSONDecoder().decode(WelcomeMessage.self, from: Data(#"{"attachments":[{"type":"link","title":"t","url":"https://x"}]}"#.utf8))
        #expect(linkOnly.text.isEmpty)
        try linkOnly.validate()
        #expect(throws: ValidationError.self) { try WelcomeMessage(text: "").validate() }
    }
}
