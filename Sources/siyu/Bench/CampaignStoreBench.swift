import ArgumentParser
import Foundation
import Logging
import SQLKit
import SiyuCore
import SiyuStore

/// `siyu bench campaign`: a campaign created against a real database — the audience read from
/// it, planned against the ledger, reserved, and every recipient written — then grouped into
/// per-sender tasks of at most 10,000, as the dispatch job reads them.
struct CampaignStoreBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "campaign",
        abstract: "Create a campaign to every customer of a seeded corp in a real database (time per phase, peak memory)."
    )

    @Option(help: "Customers to seed (each with one relation and its timeline entry)") var customers = 100_000
    @Option(help: "Members who send") var members = 20
    @Option(help: "Database; the default is a new SQLite file under the system's temporary folder") var db: String?

    func run() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("siyu-bench-campaign-\(getpid()).db").path
        let location = try DatabaseLocation(parsing: db ?? "sqlite:\(path)")
        defer { if db == nil { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } } }
        var logger = Logger(label: "siyu.bench")
        logger.logLevel = .error
        let corpID = "wwbenchcampaign"
        try await SiyuDatabase.withDatabase(location, logger: logger) { database in
            try await Migrator(database: database).migrate()
            let store = try await SiyuStore.open(database: database, masterKey: .generate())
            _ = try await store.corps.register(CorpRegistration(
                corpID: corpID, name: "bench", secret: "s", callbackToken: "t", encodingAESKey: String(repeating: "a", count: 43)
            ), actor: "bench", now: Date())
            var phases: [(String, Double)] = []
            func timed<T>(_ name: String, _ body: () async throws -> T) async rethrows -> T {
                let start = ContinuousClock.now
                let result = try await body()
                phases.append((name, (ContinuousClock.now - start).timeInterval * 1000))
                return result
            }
            let now = Date()
            let count = customers
            let senders = members
            try await timed("seed customers (bench only)") {
                for start in stride(from: 0, to: count, by: 5_000) {
                    try await database.write { sql in
                        for chunk in stride(from: start, to: min(start + 5_000, count), by: 500) {
                            let range = chunk..<min(chunk + 500, count)
                            let added = Int64(now.timeIntervalSince1970 * 1000) - 86_400_000
                            let people = range.map { n -> SQLQueryString in
                                "(\(bind: corpID), \(bind: "wm\(n)"), \(bind: added), \(bind: added))"
                            }.joined(separator: ", ")
                            try await sql.raw("INSERT INTO customers (corp_id, external_userid, first_added_at, updated_at) VALUES \(people)").run()
                            let relations = range.map { n -> SQLQueryString in
                                "(\(bind: corpID), \(bind: "wm\(n)"), \(bind: "m\(n % senders)"), 'active', \(bind: added), \(bind: added))"
                            }.joined(separator: ", ")
                            try await sql.raw("INSERT INTO follow_relations (corp_id, external_userid, userid, status, added_at, updated_at) VALUES \(relations)").run()
                            // The "added" timeline entry each real add leaves (the sender is chosen from the timeline).
                            let entries = range.map { n -> SQLQueryString in
                                "(\(bind: corpID), \(bind: "tl\(n)"), \(bind: "wm\(n)"), \(bind: added), 'added', \(bind: "m\(n % senders)"))"
                            }.joined(separator: ", ")
                            try await sql.raw("INSERT INTO customer_timeline (corp_id, entry_id, external_userid, at, kind, userid) VALUES \(entries)").run()
                        }
                    }
                }
            }
            try await store.contacts.setPolicy(
                corpID: corpID, ContactPolicy(platformRule: .daysInMonth, brandCap: BrandCap(maxTouches: 2, days: 7)), actor: "bench", now: now
            )
            // A third of the customers were reached yesterday.
            try await timed("seed ledger history") {
                try await store.contacts.record(corpID: corpID, touches: stride(from: 0, to: count, by: 3).map {
                    ("wm\($0)", .massMessage, now.addingTimeInterval(-86_400), "earlier")
                })
            }
            let targets = (0..<count).map { CampaignTarget("wm\($0)", sender: nil) }
            let draft = CampaignDraft(
                name: "bench", kind: .message, audience: CampaignAudience(segment: "status = active"), content: CampaignContent(text: "hi"),
                sendAt: now, deadlineHours: 24
            )
            let campaign = Campaign(id: "cmp_bench", try draft.validate(now: now), createdBy: "bench", now: now)
            try await timed("create: plan + reserve + write recipients") {
                _ = try await store.campaigns.create(corpID: corpID, campaign, targets: targets, now: now)
            }
            // The floor for a row per recipient: the same rows (a recipient row and a reserved touch
            // per customer, into the same tables and indexes) as plain multi-row INSERTs in one
            // transaction, with nothing read and nothing planned.
            try await timed("baseline: same rows, plain INSERTs") {
                let stamp = Int64(now.timeIntervalSince1970 * 1000)
                try await database.write { sql in
                    for start in stride(from: 0, to: count, by: 4000) {
                        let range = start..<min(start + 4000, count)
                        let recipients = range.map { n -> SQLQueryString in
                            "(\(bind: corpID), 'cmp_baseline', \(bind: "wm\(n)"), \(bind: "m\(n % senders)"), 'planned', 'sent', \(bind: stamp), \(bind: stamp))"
                        }.joined(separator: ", ")
                        try await sql.raw("""
                            INSERT INTO campaign_recipients (corp_id, campaign_id, recipient, sender, state, reason, send_at, updated_at) VALUES \(recipients)
                            """).run()
                        let touches = range.map { n -> SQLQueryString in
                            "(\(bind: corpID), \(bind: "cmp_baseline/wm\(n)/\(stamp)"), \(bind: "wm\(n)"), 'mass_message', \(bind: stamp), 'cmp_baseline')"
                        }.joined(separator: ", ")
                        try await sql.raw("INSERT INTO contact_touches (corp_id, touch_id, external_userid, channel, at, campaign_id) VALUES \(touches)").run()
                    }
                }
            }
            let due = try await timed("dispatch: due recipients by sender") {
                try await store.campaigns.due(corpID: corpID, campaignID: campaign.campaignID, now: now)
            }
            let tally = try await timed("results: tally") { try await store.campaigns.tally(corpID: corpID, campaignID: campaign.campaignID) }
            let results = CampaignResults(tally: tally)
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            print("database \(location.description), customers \(count), senders \(due.count), add_msg_template calls \(due.values.reduce(0) { $0 + ($1.count + 9_999) / 10_000 })")
            print("planned \(results.totals.pending), skipped \(results.totals.skipped.map { "\($0.key.rawValue)=\($0.value)" }.sorted())")
            for (name, ms) in phases { print(name.padding(toLength: 44, withPad: " ", startingAt: 0) + String(format: "%10.1f ms", ms)) }
            print(String(format: "peak resident memory %.0f MB", Double(usage.ru_maxrss) / 1024))
        }
    }
}
