import Foundation
import Hummingbird
import NIOCore
import SiyuStore

/// `/healthz`, `/readyz`, `/metrics` and the OpenAPI document: unauthenticated, for probes and scrapers.
struct OpsController: Sendable {
    let store: SiyuStore
    let metrics: SiyuMetrics

    struct Status: ResponseEncodable {
        var status: String
        var schemaVersion: Int?
        var database: String?
        var reason: String?
        enum CodingKeys: String, CodingKey { case status, schemaVersion = "schema_version", database, reason }
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("healthz") { _, _ in Status(status: "ok") }
        router.get("readyz", use: ready)
        router.get("metrics", use: scrape)
        router.get("api/v1/openapi.json") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json))
            )
        }
    }

    /// Ready means: the database answers and its schema is the one this build expects.
    @Sendable func ready(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Status> {
        let flavor = store.database.flavor.rawValue
        do {
            let migrator = Migrator(database: store.database)
            try await migrator.checkUpToDate()
            return EditedResponse(
                status: .ok,
                response: Status(status: "ready", schemaVersion: Migrator.latestVersion, database: flavor)
            )
        } catch {
            context.logger.warning("not ready", metadata: ["error": .string(String(describing: error))])
            return EditedResponse(
                status: .serviceUnavailable,
                response: Status(status: "unavailable", database: flavor, reason: String(describing: error))
            )
        }
    }

    @Sendable func scrape(_ request: Request, context: AppRequestContext) async throws -> Response {
        let text = try await metrics.render(store: store)
        return Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text))
        )
    }
}
