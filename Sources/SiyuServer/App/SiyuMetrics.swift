import Foundation
import Hummingbird
import Prometheus
import SiyuStore

/// The Prometheus registry of one server, and the metrics Siyu records into it.
///
/// HTTP metrics are labelled by route pattern (`/api/v1/corps/{corp_id}`), never by raw path,
/// so label cardinality stays bounded. Queue depth and inbox backlog are read from the
/// database when `/metrics` is scraped, so every process reports the shared truth.
public final class SiyuMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    static let latencyBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .seconds(2.5), .seconds(5),
    ]

    private static var requests: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "siyu", subsystem: "http", metricName: "requests", unitName: "total",
        helpText: "HTTP requests by route, method and status"
    ) }
    private static var duration: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "siyu", subsystem: "http", metricName: "request_duration", unitName: "seconds",
        helpText: "HTTP request latency by route, method and status"
    ) }
    private static var jobs: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "siyu", metricName: "jobs", unitName: "count", helpText: "Jobs in the queue by state"
    ) }
    private static var inbox: MetricNameDescriptor { MetricNameDescriptor(
        namespace: "siyu", metricName: "callback_inbox", unitName: "count", helpText: "Stored callbacks by state (pending is the backlog)"
    ) }

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    func recordRequest(route: String, method: String, status: Int, duration: Duration) {
        let labels = [("route", route), ("method", method), ("status", String(status))]
        registry.makeCounter(descriptor: Self.requests, labels: labels).increment()
        registry.makeDurationHistogram(descriptor: Self.duration, labels: labels, buckets: Self.latencyBuckets).record(duration)
    }

    /// Reads queue depth and inbox backlog, then renders the exposition text.
    func render(store: SiyuStore) async throws -> String {
        for (state, count) in try await store.jobs.depth() {
            registry.makeGauge(descriptor: Self.jobs, labels: [("state", state)]).set(Int64(count))
        }
        for (state, count) in try await store.inbox.backlog() {
            registry.makeGauge(descriptor: Self.inbox, labels: [("state", state)]).set(Int64(count))
        }
        return registry.emitToString()
    }
}

/// Records every request's route, status and latency, errors included.
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let metrics: SiyuMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        metrics.recordRequest(
            route: context.endpointPath ?? "unmatched", method: request.method.rawValue,
            status: response.status.code, duration: ContinuousClock.now - start
        )
        return response
    }
}
