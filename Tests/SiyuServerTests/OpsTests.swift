import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import SiyuCore
import SiyuStore
import Testing

@testable import SiyuServer

@Suite("Health, readiness, metrics, request ids, OpenAPI")
struct OpsTests {
    @Test("healthz and readyz answer on a migrated database")
    func probes() async throws {
        try await TestServer.withClient { client, _, _ in
            let health = try await client.call(.get, "/healthz", token: nil)
            #expect(health.status == .ok)
            #expect(try health.json()["status"] as? String == "ok")
            // A busy machine may answer the readiness deadline's 503 first; a migrated database is
            // ready as soon as the check gets through.
            var ready = try await client.call(.get, "/readyz", token: nil)
            for _ in 0..<20 where ready.status == .serviceUnavailable {
                #expect((try ready.json()["reason"] as? String ?? "").contains("did not answer within"))
                ready = try await client.call(.get, "/readyz", token: nil)
            }
            #expect(ready.status == .ok)
            #expect(try ready.json()["schema_version"] as? Int == Migrator.latestVersion)
        }
    }

    @Test("readyz is 503 with a reason when the schema is behind")
    func notReady() async throws {
        try await TestServer.withClient { client, store, _ in
            try await store.database.write { sql in
                try await sql.raw("DELETE FROM schema_migrations").run()
            }
            // Every answer is 503. On a busy machine an answer may instead say the database did
            // not answer within the readiness deadline, which is also right; ask again until one
            // gets through to the schema check.
            var reasons: [String] = []
            for _ in 0..<20 {
                let ready = try await client.call(.get, "/readyz", token: nil)
                #expect(ready.status == .serviceUnavailable)
                let reason = try ready.json()["reason"] as? String ?? ""
                reasons.append(reason)
                if reason.contains("siyu migrate") { break }
                #expect(reason.contains("did not answer within"), "unexpected reason: \(reason)")
            }
            #expect(reasons.last?.contains("siyu migrate") == true, "reasons: \(reasons)")
        }
    }

    @Test("metrics count requests per route and status, and report queue depth and inbox backlog")
    func metrics() async throws {
        try await TestServer.withClient { client, store, _ in
            try await store.jobs.enqueue(kind: "k", payload: "", now: Date())
            _ = try await store.inbox.record(corpID: "wwA1", payload: "<xml/>", now: Date())
            _ = try await client.call(.get, "/healthz", token: nil)
            _ = try await client.call(.get, "/healthz", token: nil)
            _ = try await client.call(.get, "/api/v1/corps", token: nil)
            _ = try await client.call(.get, "/api/v1/corps/wwZZ")
            let scrape = try await client.call(.get, "/metrics", token: nil)
            #expect(scrape.status == .ok)
            #expect(scrape.headers[.contentType]?.hasPrefix("text/plain") == true)
            let text = scrape.text
            #expect(text.contains(#"siyu_http_requests_total{route="/healthz",method="GET",status="200"} 2"#))
            #expect(text.contains(#"siyu_http_requests_total{route="/api/v1/corps",method="GET",status="401"} 1"#))
            #expect(text.contains(#"siyu_http_requests_total{route="/api/v1/corps/{corp_id}",method="GET",status="404"} 1"#))
            #expect(text.contains(#"siyu_http_request_duration_seconds_bucket{route="/healthz",method="GET",status="200",le="+Inf"} 2"#))
            #expect(text.contains(#"siyu_jobs_count{state="queued"} 1"#))
            #expect(text.contains(#"siyu_callback_inbox_count{state="pending"} 1"#))
        }
    }

    @Test("every response carries a request id; a sane incoming one is kept")
    func requestIDs() async throws {
        try await TestServer.withClient { client, _, _ in
            let generated = try await client.call(.get, "/healthz", token: nil)
            #expect(generated.headers[.xRequestID]?.count == 36)
            let kept = try await client.execute(uri: "/healthz", method: .get, headers: [.xRequestID: "trace-abc_123"])
            #expect(kept.headers[.xRequestID] == "trace-abc_123")
            let replaced = try await client.execute(uri: "/healthz", method: .get, headers: [.xRequestID: "bad id with spaces"])
            #expect(replaced.headers[.xRequestID] != "bad id with spaces")
            let failed = try await client.call(.get, "/no/such/route", token: nil)
            #expect(failed.status == .notFound)
            #expect(failed.errorCode == "not_found")
            #expect(failed.headers[.xRequestID] != nil)
        }
    }

    @Test("the OpenAPI document describes every route, and nothing that is not a route")
    func openAPICoversRouter() async throws {
        try await TestServer.withStore { store in
            let router = try buildRouter(ServerDependencies(store: store, admin: AdminCredential(token: TestServer.adminToken)))
            let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            var routed: Set<String> = []
            // The console's HTML pages (and `/` and `/favicon.ico`, which redirect to it) are not part of the API.
            for route in router.routes where !Self.isConsole(route.path.description) {
                let path = Self.openAPIPath(route.path.description)
                let method = route.method.rawValue.lowercased()
                routed.insert("\(method) \(path)")
                #expect(paths[path]?[method] != nil, "\(method.uppercased()) \(path) is routed but missing from openapi.json")
            }
            for (path, operations) in paths {
                for method in operations.keys where method != "parameters" {
                    #expect(routed.contains("\(method) \(path)"), "openapi.json documents \(method.uppercased()) \(path), which is not routed")
                }
            }
        }
    }

    @Test("the served OpenAPI document is the one tested")
    func openAPIServed() async throws {
        try await TestServer.withClient { client, _, _ in
            let served = try await client.call(.get, "/api/v1/openapi.json", token: nil)
            #expect(served.status == .ok)
            #expect(try served.text == OpenAPIDocument.json)
        }
    }

    @Test("a missing or malformed OpenAPI document stops the router from being built, saying which file and why")
    func openAPIDocumentFailsTheStart() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("siyu-openapi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let broken = folder.appendingPathComponent("broken.json")
        try Data(#"{"openapi": "3.1.0", "paths": {"#.utf8).write(to: broken)
        let swagger = folder.appendingPathComponent("swagger.json")
        try Data(#"{"swagger": "2.0", "paths": {"/x": {}}}"#.utf8).write(to: swagger)
        let cases: [(URL?, String)] = [
            (nil, "missing from the build"), (folder.appendingPathComponent("absent.json"), "cannot be read"),
            (broken, "is not valid JSON"), (swagger, "is not an OpenAPI 3.1 document"),
        ]
        try await TestServer.withStore { store in
            for (url, problem) in cases {
                var dependencies = ServerDependencies(store: store, admin: AdminCredential(token: TestServer.adminToken))
                dependencies.openAPIDocumentURL = url
                do {
                    _ = try buildRouter(dependencies)
                    Issue.record("a router was built with \(url?.path ?? "no document")")
                } catch let error as ConfigurationError {
                    #expect(error.message.contains(problem), "\(error.message)")
                    if let url { #expect(error.message.contains(url.lastPathComponent), "\(error.message)") }
                }
            }
        }
        #expect(try OpenAPIDocument.load(from: OpenAPIDocument.bundledURL).text.hasPrefix("{"))
    }

    @Test("TRACE and CONNECT answer 405 with Allow; a routed path asked with a method it lacks answers 405, an unknown path 404")
    func methodNotAllowed() async throws {
        try await TestServer.withClient { client, _, _ in
            let trace = try await client.execute(uri: "/healthz", method: .trace)
            #expect(trace.status == .methodNotAllowed)
            #expect(trace.headers[.allow] == "GET")
            #expect(trace.errorCode == "method_not_allowed")
            let connect = try await client.execute(uri: "/no/such/route", method: .connect)
            #expect(connect.status == .methodNotAllowed)
            #expect(connect.headers[.allow]?.contains("POST") == true)
            let delete = try await client.call(.delete, "/readyz", token: nil)
            #expect(delete.status == .methodNotAllowed)
            #expect(delete.headers[.allow] == "GET")
            let callback = try await client.call(.put, "/callback/wecom/wwX1", token: nil)
            #expect(callback.status == .methodNotAllowed)
            #expect(callback.headers[.allow] == "GET, POST")
            let unknown = try await client.call(.delete, "/no/such/route", token: nil)
            #expect(unknown.status == .notFound)
        }
    }

    @Test("with SIYU_METRICS_TOKEN set, /metrics needs it from everyone, loopback included")
    func metricsToken() async throws {
        let configuration = ServerConfiguration(metricsAccess: MetricsAccess(token: "metrics-secret-0123"))
        try await Self.withClient(configuration, .router) { client in
            let missing = try await client.call(.get, "/metrics", token: nil)
            #expect(missing.status == .unauthorized)
            let wrong = try await client.call(.get, "/metrics", token: "metrics-secret-9999")
            #expect(wrong.status == .unauthorized)
            let right = try await client.call(.get, "/metrics", token: "metrics-secret-0123")
            #expect(right.status == .ok)
        }
    }

    @Test("without a metrics token, /metrics answers loopback clients and refuses others (seen through a trusted proxy)")
    func metricsLoopbackOnly() async throws {
        let configuration = ServerConfiguration(port: 0, trustedProxies: TrustedProxies(ranges: [IPAddressRange(cidr: "127.0.0.1")!]))
        try await Self.withClient(configuration, .live) { client in
            let local = try await client.call(.get, "/metrics", token: nil)
            #expect(local.status == .ok)
            let proxied = try await client.execute(uri: "/metrics", method: .get, headers: [.xForwardedFor: "203.0.113.7, 127.0.0.1"])
            #expect(proxied.status == .forbidden)
            let proxiedLocal = try await client.execute(uri: "/metrics", method: .get, headers: [.xForwardedFor: "127.0.0.1"])
            #expect(proxiedLocal.status == .ok)
        }
    }

    @Test("a peer that is not a trusted proxy cannot claim another address with X-Forwarded-For")
    func forwardedIgnoredFromUntrustedPeer() async throws {
        try await Self.withClient(ServerConfiguration(port: 0), .live) { client in
            let spoofed = try await client.execute(uri: "/metrics", method: .get, headers: [.xForwardedFor: "203.0.113.7"])
            #expect(spoofed.status == .ok)  // still the loopback peer
        }
    }

    @Test("an unavailable database is 503 database_unavailable with Retry-After")
    func databaseUnavailable() throws {
        let error = APIError.from(StoreError(.unavailable, "PostgreSQL at 127.0.0.1:5432 is not available"))
        #expect(error.status == .serviceUnavailable)
        #expect(error.code == "database_unavailable")
        #expect(error.headers[.retryAfter] == "2")
    }

    @Test("a callback while another process holds the SQLite write lock answers 503 database_unavailable, not after the lock")
    func callbackUnderLock() async throws {
        try await CallbackEndpointTests.withTemporaryFile { path in
            try await CallbackEndpointTests.withServer(path: path, masterKey: .generate()) { client, _ in
                let body = CallbackEndpointTests.xmlEnvelope(CallbackEndpointTests.postEncrypt)
                #expect(try await CallbackEndpointTests.post(client, body: body).status == .ok)
                try await SiyuDatabase.withDatabase(.sqlite(path: path), logger: TestServer.logger) { other in
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        // The lock is held for 8 s; the callback's deadline is 2.5 s. A bound well under the
                        // lock (not a tight timing) keeps this from failing on a busy machine.
                        group.addTask { try await other.write { _ in try await Task.sleep(for: .seconds(8)) } }
                        try await Task.sleep(for: .milliseconds(300))
                        let start = ContinuousClock.now
                        let response = try await client.execute(
                            uri: "\(CallbackEndpointTests.path)?\(CallbackEndpointTests.postQuery)", method: .post,
                            headers: [.contentType: "text/xml"], body: ByteBuffer(string: body)
                        )
                        let elapsed = ContinuousClock.now - start
                        #expect(response.status == .serviceUnavailable)
                        #expect(response.errorCode == "database_unavailable")
                        #expect(response.headers[.retryAfter] == "2")
                        #expect(elapsed < .seconds(6), "answered after \(elapsed), not when the lock was released")
                        try await group.waitForAll()
                    }
                }
            }
        }
    }

    static func withClient(
        _ configuration: ServerConfiguration, _ mode: TestingSetup, _ body: @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        try await TestServer.withStore { store in
            let dependencies = ServerDependencies(store: store, admin: AdminCredential(token: TestServer.adminToken))
            let app = try buildApplication(configuration: configuration, dependencies: dependencies, logger: TestServer.logger)
            try await app.test(mode) { client in try await body(client) }
        }
    }

    static func isConsole(_ routerPath: String) -> Bool {
        let path = openAPIPath(routerPath)
        return path == "/" || path == "/favicon.ico" || path == "/console" || path.hasPrefix("/console/")
    }

    /// `/api/v1/corps/:corp_id` or `{corp_id}` → `/api/v1/corps/{corp_id}`.
    static func openAPIPath(_ routerPath: String) -> String {
        let components = routerPath.split(separator: "/").map { part -> String in
            part.hasPrefix(":") ? "{\(part.dropFirst())}" : String(part)
        }
        return "/" + components.joined(separator: "/")
    }
}
