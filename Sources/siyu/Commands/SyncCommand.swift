import ArgumentParser
import Foundation
import SiyuServer
import SiyuStore

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Pull members, departments, tags and every customer from WeCom and repair what callbacks missed."
    )

    @Option(name: .customLong("corp-id"), help: "The corp to sync (all corps when omitted)") var corpID: String?
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let logger = try store.bootstrapLogging()
        let baseURL = try store.wecomBaseURL()
        let only = corpID
        try await store.withStore(logger: logger) { siyuStore in
            let connections = WeComConnections(corps: siyuStore.corps, defaultBaseURL: baseURL, logger: logger)
            let sync = CorpSync(store: siyuStore, wecom: connections, logger: logger)
            let corps = try await siyuStore.corps.list().map(\.corpID).filter { only == nil || $0 == only }
            guard !corps.isEmpty else { throw StoreError(.notFound, only.map { "corp \($0) is not registered" } ?? "no corps registered") }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            for corp in corps {
                let report = try await sync.run(corpID: corp, now: Date())
                print("\(corp)\t" + String(decoding: try encoder.encode(report), as: UTF8.self))
            }
        }
    }
}
