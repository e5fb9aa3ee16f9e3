import ArgumentParser
import Foundation
import SiyuCore
import SiyuStore

/// `siyu account`: the service accounts (服务号) connected to corps.
struct AccountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "account",
        abstract: "Connect service accounts (服务号) to corps, list them and rotate their EncodingAESKey.",
        subcommands: [Add.self, List.self, RotateKey.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Connect a service account to a corp. Its server URL is then /callback/mp/<app id>; its secrets are stored encrypted."
        )

        @Option(name: .customLong("corp-id"), help: "The corp the account belongs to (siyu corp list)")
        var corpID: String
        @Option(name: .customLong("app-id"), help: "The account's AppID (wx…), under 设置与开发 › 基本配置")
        var appID: String
        @Option(help: "Display name (default: the AppID)")
        var name: String?
        @Option(help: "The server configuration's mode: plain (明文), compatible (兼容) or secure (安全); pushes in a weaker mode are refused")
        var mode: CallbackMode = .secure
        @Option(name: .customLong("secret-env"), help: "Read the AppSecret from this environment variable")
        var secretEnv: String?
        @Option(name: .customLong("token-env"), help: "Read the server configuration's Token from this environment variable")
        var tokenEnv: String?
        @Option(name: .customLong("aes-key-env"), help: "Read the EncodingAESKey (43 characters) from this environment variable")
        var aesKeyEnv: String?
        @Flag(help: "Read the values given neither way from standard input, one a line: secret, token, AES key (in that order; no AES key line in plain mode)")
        var stdin = false
        @Option(help: "The AppSecret as an argument (visible in ps; prefer --secret-env or --stdin)")
        var secret: String?
        @Option(help: "The Token as an argument")
        var token: String?
        @Option(name: .customLong("aes-key"), help: "The EncodingAESKey as an argument (optional in plain mode)")
        var aesKey: String?
        @Option(name: .customLong("api-base-url"), help: "Where the account's API calls go instead of https://api.weixin.qq.com (a sandbox: http://127.0.0.1:8090/mp)")
        var apiBaseURL: String?
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let logger = try store.bootstrapLogging()
            var input = SecretInput(environment: store.environment, stdin: stdin)
            let secret = try input.value("secret", argument: self.secret, env: secretEnv)
            // The Token is not a secret the way the others are, but it signs pushes: it may come any way.
            let token = try input.value("token", argument: self.token, env: tokenEnv, warnIfArgument: false)
            let key: String? = mode == .plain && aesKey == nil && aesKeyEnv == nil
                ? nil : try input.value("aes-key", argument: aesKey, env: aesKeyEnv)
            let registration = ServiceAccountRegistration(
                corpID: corpID, appID: appID, name: name ?? appID, secret: secret, token: token, encodingAESKey: key, mode: mode
            )
            try registration.validate()
            let account = try await store.withStore(logger: logger) { siyuStore in
                try await siyuStore.serviceAccounts.register(registration, apiBaseURL: apiBaseURL, actor: "cli", now: Date())
            }
            print("connected service account \(account.appID) (\(account.name)) to corp \(account.corpID) in \(account.mode.rawValue) mode")
            print("server URL (服务器地址): <your address>/callback/mp/\(account.appID)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List service accounts (never shows secrets).")

        @Option(name: .customLong("corp-id"), help: "Only this corp's accounts")
        var corpID: String?
        @Flag(help: "Print JSON instead of a table")
        var json = false
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let logger = try store.bootstrapLogging()
            let accounts = try await store.withStore(logger: logger) { siyuStore in try await siyuStore.serviceAccounts.list(corpID: corpID) }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
                encoder.dateEncodingStrategy = .iso8601
                print(String(decoding: try encoder.encode(accounts), as: UTF8.self))
                return
            }
            if accounts.isEmpty {
                print("no service accounts yet; connect one with: siyu account add --corp-id … --app-id wx… --secret-env … --token … --aes-key … --mode secure")
                return
            }
            let rows = accounts.map {
                [$0.appID, $0.name, $0.corpID, $0.mode.rawValue, $0.hasPreviousKey ? "yes" : "no", $0.createdAt.formatted(.iso8601)]
            }
            print(TextTable.render(header: ["APP ID", "NAME", "CORP", "MODE", "PREVIOUS KEY", "CREATED"], rows: rows))
        }
    }

    struct RotateKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-key",
            abstract: "Replace the EncodingAESKey. The key it replaces still decrypts pushes until the next rotation."
        )

        @Option(name: .customLong("app-id")) var appID: String
        @Option(name: .customLong("aes-key-env"), help: "Read the new EncodingAESKey from this environment variable")
        var aesKeyEnv: String?
        @Flag(help: "Read the new key from standard input")
        var stdin = false
        @Option(name: .customLong("aes-key"), help: "The new EncodingAESKey as an argument")
        var aesKey: String?
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let logger = try store.bootstrapLogging()
            var input = SecretInput(environment: store.environment, stdin: stdin)
            let key = try input.value("aes-key", argument: aesKey, env: aesKeyEnv)
            let account = try await store.withStore(logger: logger) { siyuStore in
                try await siyuStore.serviceAccounts.rotateKey(appID: appID, to: key, actor: "cli", now: Date())
            }
            guard let account else { throw StoreError(.notFound, "no service account \(appID); `siyu account list` shows them") }
            print("rotated the EncodingAESKey of \(account.appID); the previous key still decrypts until the next rotation")
        }
    }
}

extension CallbackMode: ExpressibleByArgument {}
