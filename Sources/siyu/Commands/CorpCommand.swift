import ArgumentParser
import Foundation
import SiyuCore
import SiyuStore

struct CorpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corp",
        abstract: "Register enterprises (corps) and manage their API keys.",
        subcommands: [Add.self, List.self, Key.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a corp. Its secret, token and AES key are stored encrypted.")

        @Option(name: .customLong("corp-id"), help: "企业ID, e.g. ww1234abcd")
        var corpID: String
        @Option(help: "Display name")
        var name: String
        @Option(name: .customLong("secret-env"), help: "Read the app secret (for gettoken; customer-contact APIs need a self-built app's) from this environment variable")
        var secretEnv: String?
        @Option(name: .customLong("token-env"), help: "Read the callback token (Token) from this environment variable")
        var tokenEnv: String?
        @Option(name: .customLong("aes-key-env"), help: "Read the callback EncodingAESKey (43 characters) from this environment variable")
        var aesKeyEnv: String?
        @Flag(help: "Read the values given neither way from standard input, one a line: secret, token, AES key (in that order)")
        var stdin = false
        @Option(help: "The app secret as an argument (visible in ps and the shell history; prefer --secret-env or --stdin)")
        var secret: String?
        @Option(help: "The callback token as an argument (visible in ps; prefer --token-env or --stdin)")
        var token: String?
        @Option(name: .customLong("aes-key"), help: "The EncodingAESKey as an argument (visible in ps; prefer --aes-key-env or --stdin)")
        var aesKey: String?
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let logger = try store.bootstrapLogging()
            var input = SecretInput(environment: store.environment, stdin: stdin)
            let registration = CorpRegistration(
                corpID: corpID, name: name, secret: try input.value("secret", argument: secret, env: secretEnv),
                callbackToken: try input.value("token", argument: token, env: tokenEnv),
                encodingAESKey: try input.value("aes-key", argument: aesKey, env: aesKeyEnv)
            )
            try registration.validate()
            let corp = try await store.withStore(logger: logger) { siyuStore in
                try await siyuStore.corps.register(registration, actor: "cli", now: Date())
            }
            print("registered corp \(corp.corpID) (\(corp.name))")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List registered corps (never shows secrets).")

        @Flag(help: "Print JSON instead of a table")
        var json = false
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let logger = try store.bootstrapLogging()
            let corps = try await store.withStore(logger: logger) { siyuStore in try await siyuStore.corps.list() }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
                encoder.dateEncodingStrategy = .iso8601
                encoder.keyEncodingStrategy = .convertToSnakeCase
                print(String(decoding: try encoder.encode(corps), as: UTF8.self))
                return
            }
            if corps.isEmpty {
                print("no corps yet; add one with: siyu corp add --corp-id … --name … --secret-env … --token-env … --aes-key-env … (or --stdin)")
                return
            }
            let rows = corps.map { [$0.corpID, $0.name, $0.createdAt.formatted(.iso8601)] }
            print(TextTable.render(header: ["CORP ID", "NAME", "CREATED"], rows: rows))
        }
    }

    struct Key: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create, list and revoke a corp's API keys.",
            subcommands: [Create.self, List.self, Revoke.self]
        )

        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Create an API key; it is printed once and stored only hashed.")
            @Option(name: .customLong("corp-id")) var corpID: String
            @Option(help: "What the key is for") var label: String = ""
            @Option(help: "read (GET routes, segment counts, previews) or write (also changes); no scope changes credentials")
            var scope: APIKeyScope = .write
            @OptionGroup var store: StoreOptions

            func run() async throws {
                let logger = try store.bootstrapLogging()
                let created = try await store.withStore(logger: logger) { siyuStore in
                    try await siyuStore.apiKeys.create(corpID: corpID, label: label, scope: scope, actor: "cli", now: Date())
                }
                print("API key \(created.info.keyID) (\(scope.rawValue)) for \(corpID) (shown once):\n  \(created.token)")
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List a corp's API keys (ids and labels only).")
            @Option(name: .customLong("corp-id")) var corpID: String
            @OptionGroup var store: StoreOptions

            func run() async throws {
                let logger = try store.bootstrapLogging()
                let keys = try await store.withStore(logger: logger) { siyuStore in try await siyuStore.apiKeys.list(corpID: corpID) }
                let rows = keys.map { [$0.keyID, $0.label, $0.scope.rawValue, $0.createdAt.formatted(.iso8601), $0.revokedAt.map { $0.formatted(.iso8601) } ?? "-"] }
                print(TextTable.render(header: ["KEY ID", "LABEL", "SCOPE", "CREATED", "REVOKED"], rows: rows))
            }
        }

        struct Revoke: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Revoke an API key.")
            @Option(name: .customLong("corp-id")) var corpID: String
            @Option(name: .customLong("key-id")) var keyID: String
            @OptionGroup var store: StoreOptions

            func run() async throws {
                let logger = try store.bootstrapLogging()
                let revoked = try await store.withStore(logger: logger) { siyuStore in
                    try await siyuStore.apiKeys.revoke(corpID: corpID, keyID: keyID, actor: "cli", now: Date())
                }
                guard revoked else { throw StoreError(.notFound, "corp \(corpID) has no active key \(keyID)") }
                print("revoked key \(keyID) of \(corpID)")
            }
        }
    }
}

/// Left-aligned columns for terminal output; width counts CJK characters as two.
enum TextTable {
    static func render(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { displayWidth($0[column]) }.max() ?? 0 }
        return all.map { row in
            row.indices.map { column in
                let cell = row[column]
                return column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - displayWidth(cell) + 2)
            }.joined()
        }.joined(separator: "\n")
    }

    static func displayWidth(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x1100 && $1.properties.isIdeographic || (0xFF00...0xFFEF).contains($1.value) ? 2 : 1) }
    }
}

extension APIKeyScope: ExpressibleByArgument {}
