import ArgumentParser
import Foundation
import Logging
import SQLKit
import SiyuCore
import SiyuServer
import SiyuStore

/// `siyu bench campaign`: a campaign accepted and planned against a real database as the API and
/// the planning job do it — the create request's write, then the server's own `campaign.plan`
/// handler: the audience from the segment index (built once per process and kept current, so it
/// is warmed first and timed apart), planned against the ledger, reserved and recorded in chunks —
/// then its due tasks and results read as the dispatch job and the API read them. Beside it, the floor of the old design: the
/// same recipient rows and reserved touches as plain INSERTs into row-per-recipient tables.
struct CampaignStoreBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "campaign",
        abstract: "Create a campaign to every customer of a seeded corp in a real database (time per phase, peak memory)."
    )

    @Option(help: "Customers to seed (each with one relation and its timeline entry)") var customers = 100_000
    @Option(help: "Members who send") var members = 20
    @Option(help: "Database; the default is a new SQLite file under the system's temporary folder") var db: String?

    func run() async throws {
        let logger = BenchDatabase.logger
        let corpID = "wwbenchcampaign"
        try await BenchDatabase.with(db: db, name: "campaign") { database, store in
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
            var dependencies = ServerDependencies(store: store, admin: AdminCredential(token: String(repeating: "b", count: 32)), logger: logger)
            dependencies.campaignPollInterval = .seconds(3600)
            guard let planner = buildJobHandlers(dependencies, logger: logger)[CampaignStore.planJobKind] else {
                throw ValidationError(field: "jobs", message: "no handler for \(CampaignStore.planJobKind)")
            }
            /// Runs the queued planning job through the server's handler, as a job worker does.
            func runPlanningJob() async throws {
                for job in try await store.jobs.claim(owner: "bench", kinds: [CampaignStore.planJobKind], limit: 1, lease: .seconds(600), now: Date()) {
                    try await planner.perform(job)
                    _ = try await store.jobs.complete(job, owner: "bench", now: Date())
                }
            }
            func draft(_ segment: String) -> CampaignDraft {
                CampaignDraft(name: "bench", kind: .message, audience: CampaignAudience(segment: segment), content: CampaignContent(text: "hi"), sendAt: nil, deadlineHours: 24)
            }
            // A campaign to nobody builds the corp's segment index, as the first segment count or
            // preview of a process does; a running server then keeps it current.
            try await timed("segment index build (once per process, kept current)") {
                try await store.campaigns.accept(corpID: corpID, Campaign(id: "cmp_warmup", try draft("status = lost").validate(now: Date()), createdBy: "bench", now: Date()), now: Date())
                try await runPlanningJob()
            }
            let campaign = try await timed("create request: validate + accept (planning)") {
                let accepted = Campaign(id: "cmp_bench", try draft("status = active").validate(now: Date()), createdBy: "bench", now: Date())
                try await store.campaigns.accept(corpID: corpID, accepted, now: Date())
                return accepted
            }
            let retained = Self.memory().resident
            Self.trimHeap()
            // The peak is reset here, so it is the peak of planning, not of seeding or the index build.
            try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
            let before = Self.memory()
            try await timed("plan job: index targets + ledger + plan + record") { try await runPlanningJob() }
            let during = Self.memory()
            guard try await store.campaigns.find(corpID: corpID, campaignID: campaign.campaignID)?.state == .scheduled else {
                throw ValidationError(field: "campaign", message: "the campaign was not planned")
            }
            // The floor for a row per recipient (the design before migration 13): the same rows — a
            // recipient row and a reserved touch per customer, into tables with the old columns and
            // indexes — as plain multi-row INSERTs in one transaction, nothing read, nothing planned.
            try await database.write { sql in
                for statement in Self.rowPerRecipientSchema { try await sql.raw(SQLQueryString(statement)).run() }
            }
            try await timed("baseline: same rows, plain INSERTs (row per recipient)") {
                let stamp = Int64(now.timeIntervalSince1970 * 1000)
                try await database.write { sql in
                    for start in stride(from: 0, to: count, by: 4000) {
                        let range = start..<min(start + 4000, count)
                        let recipients = range.map { n -> SQLQueryString in
                            "(\(bind: corpID), 'cmp_baseline', \(bind: "wm\(n)"), \(bind: "m\(n % senders)"), 'planned', 'sent', \(bind: stamp), \(bind: stamp))"
                        }.joined(separator: ", ")
                        try await sql.raw("""
                            INSERT INTO bench_recipients (corp_id, campaign_id, recipient, sender, state, reason, send_at, updated_at) VALUES \(recipients)
                            """).run()
                        let touches = range.map { n -> SQLQueryString in
                            "(\(bind: corpID), \(bind: "cmp_baseline/wm\(n)/\(stamp)"), \(bind: "wm\(n)"), 'mass_message', \(bind: stamp), 'cmp_baseline')"
                        }.joined(separator: ", ")
                        try await sql.raw("INSERT INTO bench_touches (corp_id, touch_id, external_userid, channel, at, campaign_id) VALUES \(touches)").run()
                    }
                }
            }
            let due = try await timed("dispatch: due recipients by sender") {
                try await store.campaigns.due(corpID: corpID, campaignID: campaign.campaignID, now: now)
            }
            let tally = try await timed("results: tally") { try await store.campaigns.tally(corpID: corpID, campaignID: campaign.campaignID) }
            let results = CampaignResults(tally: tally)
            print("database \(database.location.description), customers \(count), senders \(Set(due.map(\.sender)).count), add_msg_template calls \(due.count)")
            print("planned \(results.totals.pending), skipped \(results.totals.skipped.map { "\($0.key.rawValue)=\($0.value)" }.sorted())")
            for (name, ms) in phases { print(name.padding(toLength: 56, withPad: " ", startingAt: 0) + String(format: "%10.1f ms", ms)) }
            print(String(format: "resident memory before planning %.0f MB (%.0f MB before freed heap was returned), peak while planning %.0f MB", before.resident, retained, during.peak))
        }
    }

    /// Returns the heap's free pages to the system (glibc's `malloc_trim`), so what is resident
    /// before planning is what is live: the seeding and the index build leave freed memory behind.
    static func trimHeap() {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "malloc_trim") else { return }
        typealias Trim = @convention(c) (Int) -> Int32
        _ = unsafeBitCast(symbol, to: Trim.self)(0)
    }

    /// Resident and peak resident memory of this process now, in MB (`/proc/self/status`).
    static func memory() -> (resident: Double, peak: Double) {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (0, 0) }
        func field(_ name: String) -> Double {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return 0 }
            return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
        }
        return (field("VmRSS"), field("VmHWM"))
    }

    /// The row-per-recipient tables as migrations 6 and 7 made them (with their indexes), for the baseline.
    static let rowPerRecipientSchema = [
        """
        CREATE TABLE bench_recipients (
            corp_id TEXT NOT NULL, campaign_id TEXT NOT NULL, recipient TEXT NOT NULL, sender TEXT, state TEXT NOT NULL, reason TEXT NOT NULL,
            msgid TEXT, send_at BIGINT, updated_at BIGINT NOT NULL, PRIMARY KEY (corp_id, campaign_id, recipient)
        )
        """,
        "CREATE INDEX bench_recipients_work ON bench_recipients (corp_id, campaign_id, state, send_at)",
        "CREATE INDEX bench_recipients_task ON bench_recipients (corp_id, campaign_id, msgid)",
        """
        CREATE TABLE bench_touches (
            corp_id TEXT NOT NULL, touch_id TEXT NOT NULL, external_userid TEXT NOT NULL, channel TEXT NOT NULL, at BIGINT NOT NULL,
            campaign_id TEXT, PRIMARY KEY (corp_id, touch_id)
        )
        """,
        "CREATE INDEX bench_touches_recent ON bench_touches (corp_id, at)",
        "CREATE INDEX bench_touches_campaign ON bench_touches (corp_id, campaign_id, external_userid)",
    ]
}
