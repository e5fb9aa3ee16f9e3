import ArgumentParser
import Foundation
import NIOCore
import SiyuCore
import SiyuServer
import SiyuStore

/// The `siyu` command: one binary that serves, migrates and administers Siyu.
struct Siyu: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "siyu",
        abstract: "Siyu (私域): self-hosted customer operations for WeCom and WeChat service accounts.",
        subcommands: [ServeCommand.self, DemoCommand.self, MigrateCommand.self, CorpCommand.self, AccountCommand.self, SandboxCommand.self, SimulateCommand.self, CallbackCommand.self, BenchCommand.self, SyncCommand.self, UserCommand.self]
    )
}

@main
enum SiyuMain {
    static func main() async {
        do {
            var command = try Siyu.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if let message = OperatorMessage.describe(error) {
                FileHandle.standardError.write(Data("siyu: error: \(message)\n".utf8))
                Foundation.exit(1)
            }
            Siyu.exit(withError: error)
        }
    }
}

/// The one line an operator sees for errors they can act on; nil for argument errors,
/// which ArgumentParser reports with usage.
enum OperatorMessage {
    static func describe(_ error: any Error) -> String? {
        switch error {
        case let error as StoreError: return error.message
        case let error as ConfigurationError: return error.message
        case let error as SiyuCore.ValidationError: return "\(error.field): \(error.message)"
        case let error as IOError where error.errnoCode == EADDRINUSE:
            return "the address is already in use; another process is listening on that port. Stop it or choose another with --port / SIYU_PORT"
        case let error as IOError where error.errnoCode == EADDRNOTAVAIL:
            return "cannot listen on that --host: the address does not belong to this machine"
        case let error as IOError where error.errnoCode == EACCES:
            return "not allowed to listen on that port; ports below 1024 need privileges, choose another with --port"
        case is IOError:
            return String(describing: error)
        default:
            return nil
        }
    }
}
