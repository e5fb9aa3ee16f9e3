import Foundation
import Hummingbird
import NIOCore
import SiyuStore

/// `/healthz`, `/readyz`, `/metrics` and the OpenAPI document: unauthenticated, for probes and scrapers.
struct OpsController: Sendable {
    let store: SiyuStore
    let metrics: SiyuMetrics
    var metricsAccess = MetricsAccess(token: nil)
    /// The OpenAPI document, read at start-up.
    let document: OpenAPIDocument
    /// `/readyz` answers within this, also when the database does not.
    static let readinessDeadline: Duration = .milliseconds(800)
    /// `/metrics` reads two counts from the database; it gives up (503) after this.
    static let scrapeDeadline: Duration = .seconds(2)

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("healthz") { _, _ in Wire.Status(status: "ok") }
        router.get("readyz", use: ready)
        router.get("metrics", use: scrape)
        let body = ByteBuffer(string: document.text)
        router.get("api/v1/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: body))
        }
    }

    /// Ready means: the database answers (within ``readinessDeadline``) and its schema is the one
    /// this build expects.
    @Sendable func ready(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Wire.Status> {
        let flavor = store.database.flavor.rawValue
        do {
            let migrator = Migrator(database: store.database)
            try await Deadline.run(within: Self.readinessDeadline) { try await migrator.checkUpToDate() }
            return EditedResponse(
                status: .ok,
                response: Wire.Status(status: "ready", schemaVersion: Migrator.latestVersion, database: flavor)
            )
        } catch {
            context.logger.warning("not ready", metadata: ["error": .string(String(describing: error))])
            return EditedResponse(
                status: .serviceUnavailable,
                response: Wire.Status(status: "unavailable", database: flavor, reason: String(describing: error))
            )
        }
    }

    @Sendable func scrape(_ request: Request, context: AppRequestContext) async throws -> Response {
        if let refusal = metricsAccess.refusal(clientAddress: context.clientAddress, authorization: request.headers[.authorization]) {
            throw refusal
        }
        let (metrics, store) = (self.metrics, self.store)
        let text = try await Deadline.run(within: Self.scrapeDeadline) { try await metrics.render(store: store) }
        return Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text))
        )
    }
}
