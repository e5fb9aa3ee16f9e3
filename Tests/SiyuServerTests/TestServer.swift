import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SiyuCore
import SiyuStore
import SiyuTestSupport

@testable import SiyuServer

/// A server over a fresh migrated SQLite file, driven through the router without a socket.
enum TestServer {
    static let adminToken = "adm.test-token-0123456789abcdef"
    /// The header router tests present a client address in (see `ServerDependencies.presentedAddressHeader`).
    static let addressHeader = HTTPField.Name("X-Test-Client-Address")!

    static let logger: Logger = {
        var logger = Logger(label: "siyu.server.test")
        logger.logLevel = .warning
        return logger
    }()

    static func withStore<T: Sendable>(_ body: @Sendable (SiyuStore) async throws -> T) async throws -> T {
        try await TestDatabases.withStore(.sqlite, body)
    }

    static func withClient(
        _ body: @Sendable (any TestClientProtocol, SiyuStore, SiyuMetrics) async throws -> Void
    ) async throws {
        try await withStore { store in
            let metrics = SiyuMetrics()
            var dependencies = ServerDependencies(store: store, admin: AdminCredential(token: adminToken), metrics: metrics)
            dependencies.presentedAddressHeader = addressHeader
            let app = try buildApplication(configuration: .init(), dependencies: dependencies, logger: logger)
            try await app.test(.router) { client in try await body(client, store, metrics) }
        }
    }

    /// Runs the jobs of `kinds` that are due now through the server's own handlers, as the job
    /// worker a test server does not run would (campaign planning, by default).
    /// A job that fails is recorded as failed (retried later, or dead-lettered) and its error rethrown.
    static func runJobs(_ store: SiyuStore, kinds: [String] = [CampaignStore.planJobKind], now: Date = Date()) async throws {
        let dependencies = ServerDependencies(store: store, admin: AdminCredential(token: adminToken), logger: logger)
        let handlers = buildJobHandlers(dependencies, logger: logger)
        while true {
            let claimed = try await store.jobs.claim(owner: "test", kinds: kinds, limit: 8, lease: .seconds(60), now: now)
            if claimed.isEmpty { return }
            for job in claimed {
                let handler = handlers[job.kind]!
                do {
                    try await handler.perform(job)
                } catch {
                    _ = try await store.jobs.fail(job, owner: "test", error: String(describing: error), policy: handler.retry, now: now)
                    throw error
                }
                try await store.jobs.complete(job, owner: "test", now: now)
            }
        }
    }

    static func registration(_ corpID: String, name: String = "测试品牌") -> CorpRegistration {
        CorpRegistration(
            corpID: corpID, name: name, secret: "secret-\(corpID)", callbackToken: "QDG6eK",
            encodingAESKey: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
        )
    }
}

extension TestClientProtocol {
    @discardableResult
    func call(
        _ method: HTTPRequest.Method, _ uri: String, token: String? = TestServer.adminToken, json: String? = nil, from address: String? = nil
    ) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let address { headers[TestServer.addressHeader] = address }
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    func json() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
    }

    /// The `error.code` of an error body.
    var errorCode: String? {
        ((try? json())?["error"] as? [String: Any])?["code"] as? String
    }
}
