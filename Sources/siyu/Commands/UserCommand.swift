import ArgumentParser
import Foundation
import SiyuCore
import SiyuServer
import SiyuStore

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Console users: admins, operators of a corp, employees who see their own customers.",
        subcommands: [Add.self, List.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a console user (the password is stored as a bcrypt hash).")

        @Option(help: "Sign-in name")
        var username: String
        @Option(name: .customLong("password-env"), help: "Read the password from this environment variable (keeps it out of the shell history)")
        var passwordEnv: String?
        @Flag(help: "Read the password from the first line of standard input")
        var stdin = false
        @Option(help: "The password (at least 8 characters) as an argument (visible in ps and the shell history; prefer --password-env or --stdin)")
        var password: String?
        @Option(help: "admin, operator or employee")
        var role: String
        @Option(help: "The corp an operator or employee works for")
        var corp: String?
        @Option(help: "An employee's WeCom member userid (they see the customers this member follows)")
        var member: String?
        @OptionGroup var store: StoreOptions

        func validate() throws {
            guard [password != nil, passwordEnv != nil, stdin].filter({ $0 }).count == 1 else {
                throw ArgumentParser.ValidationError("give exactly one of --password-env, --stdin and --password")
            }
            guard ConsoleRole(rawValue: role) != nil else {
                throw ArgumentParser.ValidationError("--role is admin, operator or employee")
            }
        }

        func run() async throws {
            let logger = try store.bootstrapLogging()
            var input = SecretInput(environment: store.environment, stdin: stdin)
            let secret = try input.value("password", argument: password, env: passwordEnv)
            let role = ConsoleRole(rawValue: role) ?? .employee
            let user = try await store.withStore(logger: logger) { siyuStore in
                try await siyuStore.consoleUsers.createUser(username: username, password: secret, role: role, corpID: corp, memberUserID: member, now: Date())
            }
            print("created \(user.role.rawValue) \(user.username) (\(user.userID))")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List console users (never their passwords).")

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let logger = try store.bootstrapLogging()
            let users = try await store.withStore(logger: logger) { siyuStore in try await siyuStore.consoleUsers.list() }
            if users.isEmpty {
                print("no console users yet; add one with: siyu user add --username … --password-env … --role admin")
                return
            }
            print("username\trole\tcorp\tmember\tcreated\tstate")
            for user in users {
                print([
                    user.username, user.role.rawValue, user.corpID ?? "-", user.memberUserID ?? "-",
                    user.createdAt.formatted(.iso8601), user.disabledAt == nil ? "active" : "disabled",
                ].joined(separator: "\t"))
            }
        }
    }
}
