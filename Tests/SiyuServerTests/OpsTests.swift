import Foundation
import Hummingbird
import HummingbirdTesting
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
            let ready = try await client.call(.get, "/readyz", token: nil)
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
            let ready = try await client.call(.get, "/readyz", token: nil)
            #expect(ready.status == .serviceUnavailable)
            #expect((try ready.json()["reason"] as? String)?.contains("siyu migrate") == true)
        }
    }

    @Test("metrics count requests per route and status, and report queue depth and inbox backlog")
    func metrics() async throws {
        try await TestServer.withClient { client, store, _ in
            try await store.jobs.enqueue(kind: "k", payload: "")
            _ = try await store.inbox.record(corpID: "wwA1", payload: "<xml/>")
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
            let router = buildRouter(ServerDependencies(store: store, admin: AdminCredential(token: TestServer.adminToken)))
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
            #expect(served.text == OpenAPIDocument.json)
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
