import ArgumentParser
import Foundation
import SiyuServer

/// Where a command reads a secret from: an environment variable (`--…-env NAME`), standard input
/// (one value per line, in the order the command documents), or an argument, which works but is
/// visible to every user of the machine in `ps` and stays in the shell history.
struct SecretInput {
    private var environment: [String: String]
    private var standardInput: (() -> String?)?
    private var warn: (String) -> Void

    /// `stdin`: read values from standard input for secrets given neither way.
    init(environment: [String: String], stdin: Bool, warn: @escaping (String) -> Void = SecretInput.printWarning) {
        self.environment = environment
        self.standardInput = stdin ? { readLine(strippingNewline: true) } : nil
        self.warn = warn
    }

    /// The value of the secret called `flag` (e.g. `secret` for `--secret` and `--secret-env`):
    /// exactly one of the argument, the variable named by `env`, or the next line of standard input.
    mutating func value(_ flag: String, argument: String?, env: String?, warnIfArgument: Bool = true) throws -> String {
        if argument != nil, env != nil {
            throw ArgumentParser.ValidationError("give only one of --\(flag) and --\(flag)-env")
        }
        if let env {
            guard let value = environment[env], !value.isEmpty else {
                throw ConfigurationError("the environment variable \(env) (--\(flag)-env) is not set")
            }
            return value
        }
        if let argument {
            if warnIfArgument { warn("warning: --\(flag) is visible to other users in `ps` and stays in the shell history; prefer --\(flag)-env or standard input") }
            return argument
        }
        guard let standardInput else {
            throw ArgumentParser.ValidationError("give --\(flag)-env NAME, or the value on standard input with --stdin")
        }
        guard let line = standardInput(), !line.isEmpty else {
            throw ConfigurationError("standard input ended before the \(flag) (one value per line)")
        }
        return line
    }

    static func printWarning(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
