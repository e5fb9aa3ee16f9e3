import ArgumentParser
import Foundation
import Hummingbird
import Logging
import WeComSandbox

struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Run the sandbox alone: the WeCom API (/cgi-bin/…), the Official Account API (/mp/cgi-bin/…) and the control API (/sandbox/…)."
    )

    @Option(help: "Address to listen on") var host = "127.0.0.1"
    @Option(help: "Port to listen on") var port = 8090
    @Option(help: "Seed of the world's ids: the same seed and actions give the same world") var seed: UInt64 = 1
    @Option(help: "The platform's mass-message cap: days_in_month, 7_per_week, 1_per_day or 4_per_month") var rule = "days_in_month"
    @Option(name: .customLong("corp-id"), help: "Register this corp at start-up") var corpID: String?
    @Option(help: "Its app secret (for gettoken)") var secret: String?
    @Option(help: "Its callback token") var token: String?
    @Option(name: .customLong("aes-key"), help: "Its EncodingAESKey") var aesKey: String?
    @Option(name: .customLong("callback-url"), help: "Where its callbacks go, e.g. http://127.0.0.1:8080/callback/wecom/<corp id>") var callbackURL: String?
    @Option(help: "Members to create for the corp (zhangsan1, …)") var members = 0
    @Option(name: .customLong("mp-app-id"), help: "Register this Official Account (AppID) at start-up") var mpAppID: String?
    @Option(name: .customLong("mp-secret"), help: "Its AppSecret (for token and stable_token)") var mpSecret: String?
    @Option(name: .customLong("mp-token"), help: "Its server-configuration token") var mpToken: String?
    @Option(name: .customLong("mp-aes-key"), help: "Its EncodingAESKey (needed in compatible and secure mode)") var mpAESKey: String?
    @Option(name: .customLong("mp-mode"), help: "Its message crypto mode: plain, compatible or secure") var mpMode = "plain"
    @Option(name: .customLong("mp-callback-url"), help: "Where its pushes go, e.g. http://127.0.0.1:8080/callback/mp/<app id>") var mpCallbackURL: String?
    @Option(name: .customLong("mp-original-id"), help: "Its original id (gh_…)") var mpOriginalID = "gh_sandbox00001"

    func run() async throws {
        var logger = Logger(label: "siyu.sandbox")
        logger.logLevel = .info
        guard let massRule = MassMessageRule(rawValue: rule) else {
            throw ValidationError("--rule must be one of \(MassMessageRule.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let world = SandboxWorld(seed: seed, massMessageRule: massRule)
        if let corpID {
            guard let secret, let token, let aesKey else {
                throw ValidationError("--corp-id needs --secret, --token and --aes-key")
            }
            await world.configure(SandboxCorpConfig(corpID: corpID, secret: secret, token: token, encodingAESKey: aesKey, callbackURL: callbackURL))
            for index in 0..<members {
                _ = try await world.addMember(corpID: corpID, userID: "member\(index + 1)", name: "成员\(index + 1)")
            }
        }
        let officialAccounts = OfficialAccountWorld(seed: seed, clock: world.clock)
        if let mpAppID {
            guard let mpSecret, let mpToken else { throw ValidationError("--mp-app-id needs --mp-secret and --mp-token") }
            guard let mode = OfficialAccountConfig.Mode(rawValue: mpMode) else {
                throw ValidationError("--mp-mode must be one of \(OfficialAccountConfig.Mode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            do {
                try await officialAccounts.register(OfficialAccountConfig(
                    appID: mpAppID, secret: mpSecret, originalID: mpOriginalID, token: mpToken, encodingAESKey: mpAESKey,
                    mode: mode, callbackURL: mpCallbackURL
                ))
            } catch {
                throw ValidationError("the Official Account was refused: \(error.errmsg)")
            }
        }
        let sandbox = Sandbox(world: world, deliverer: CallbackDeliverer(logger: logger), officialAccounts: officialAccounts)
        let host = self.host
        let port = self.port
        let app = sandbox.buildApplication(host: host, port: port, logger: logger) { _ in
            FileHandle.standardOutput.write(Data("WeCom sandbox on http://\(host):\(port) (API /cgi-bin/…, Official Account API /mp/cgi-bin/…, control /sandbox/…)\n".utf8))
        }
        try await app.runService()
    }
}
