import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SiyuCore
import SiyuStore

/// Sends queued webhook deliveries: the `webhook.deliver` job handler.
///
/// Each attempt POSTs the stored body, signed afresh (see ``WebhookSignature``), and records its
/// outcome on the delivery. A 2xx answer delivers it; anything else fails the attempt, so the
/// job worker retries with backoff, and the last attempt records the delivery as failed.
///
/// The receiver's host is resolved and checked against the installation's
/// ``OutboundAddressPolicy`` at every attempt (DNS can change after registration), and the
/// connection is pinned to the address that was checked (``OutboundDestination``). Redirects are
/// never followed: one is a failed attempt. The receiver's answer is not read; the delivery log
/// keeps its status and a short error of Siyu's own words.
public struct WebhookSender: Sendable {
    let webhooks: WebhookStore
    let policy: OutboundAddressPolicy
    let resolver: HostResolver
    let retry: RetryPolicy
    let timeout: Duration
    let time: TimeSource
    let logger: Logger

    /// Production backoff: 10 s, 20 s, 40 s … capped at an hour, 8 attempts (about 21 minutes in all).
    public static let productionRetry = RetryPolicy(base: .seconds(10), maximum: .seconds(3600), maxAttempts: WebhookStore.maxAttempts)

    public init(
        webhooks: WebhookStore, policy: OutboundAddressPolicy = .publicOnly, resolver: HostResolver = .system,
        retry: RetryPolicy = productionRetry, timeout: Duration = .seconds(10), time: TimeSource, logger: Logger
    ) {
        self.time = time
        self.webhooks = webhooks
        self.policy = policy
        self.resolver = resolver
        self.retry = retry
        self.timeout = timeout
        self.logger = logger
    }

    /// The handler to register for ``WebhookStore/deliverJobKind``.
    public var handler: JobHandler {
        JobHandler(retry: retry) { job in try await deliver(job) }
    }

    /// Why an attempt did not deliver; thrown so the job worker retries.
    public struct DeliveryFailure: Error, Sendable, CustomStringConvertible {
        public var status: Int?
        public var message: String
        public var description: String { message }
    }

    /// One attempt of the delivery named by the job's payload.
    public func deliver(_ job: JobQueue.Job) async throws {
        guard let outbound = try await webhooks.delivery(corpID: job.corpID, deliveryID: job.payload),
              outbound.delivery.state == .pending
        else {
            return  // deleted with its webhook, or already settled by an earlier run of this job
        }
        var logger = logger
        logger[metadataKey: "corp_id"] = .string(job.corpID)
        logger[metadataKey: "delivery_id"] = .string(job.payload)
        let final = job.attempts >= job.maxAttempts
        let failure: DeliveryFailure
        do {
            let status = try await send(outbound)
            try await webhooks.recordAttempt(corpID: job.corpID, deliveryID: job.payload, outcome: .delivered(status: status), now: time())
            logger.debug("webhook delivered", metadata: ["status": .stringConvertible(status)])
            return
        } catch let error as DeliveryFailure {
            failure = error
        } catch {
            failure = DeliveryFailure(status: nil, message: "cannot reach the receiver: \(error)")
        }
        let outcome: WebhookStore.AttemptOutcome =
            final ? .failed(status: failure.status, error: failure.message) : .retrying(status: failure.status, error: failure.message)
        try await webhooks.recordAttempt(corpID: job.corpID, deliveryID: job.payload, outcome: outcome, now: time())
        logger.info("webhook attempt failed", metadata: [
            "attempt": .stringConvertible(job.attempts), "final": .stringConvertible(final), "error": .string(failure.message),
        ])
        throw failure
    }

    /// POSTs the delivery to the checked address of its URL's host; returns the 2xx status, or
    /// throws ``DeliveryFailure`` for any other answer (a redirect included) or a refused address.
    func send(_ outbound: WebhookStore.Outbound) async throws -> Int {
        let destination: OutboundDestination
        do {
            destination = try await OutboundDestination.resolve(outbound.url, policy: policy, resolver: resolver)
        } catch {
            throw DeliveryFailure(status: nil, message: error.message)
        }
        let body = outbound.delivery.payload
        let timestamp = Int(time().timeIntervalSince1970)
        var request = HTTPClientRequest(url: outbound.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Siyu-Webhooks/1")
        request.headers.add(name: WebhookEventType.Header.event, value: outbound.delivery.eventType)
        request.headers.add(name: WebhookEventType.Header.delivery, value: outbound.delivery.deliveryID)
        request.headers.add(name: WebhookEventType.Header.timestamp, value: String(timestamp))
        request.headers.add(name: WebhookEventType.Header.signature, value: WebhookSignature.sign(secret: outbound.secret, timestamp: timestamp, body: body))
        request.body = .bytes(ByteBuffer(string: body))

        let status = try await Self.withPinnedClient(destination) { http in
            let response = try await http.execute(request, timeout: .nanoseconds(Int64(timeout.timeInterval * 1_000_000_000)), logger: logger)
            return Int(response.status.code)  // the answer's body is never read
        }
        if (200..<300).contains(status) { return status }
        if (300..<400).contains(status) {
            throw DeliveryFailure(
                status: status,
                message: "the receiver answered HTTP \(status), a redirect; webhooks do not follow redirects, so register the final URL"
            )
        }
        throw DeliveryFailure(status: status, message: "the receiver answered HTTP \(status)")
    }

    /// Runs `body` with a client of its own that connects to `destination`'s checked address
    /// only (its `dnsOverride`), follows no redirect and is shut down afterwards. A client per
    /// attempt, because AsyncHTTPClient takes DNS overrides per client, not per request.
    static func withPinnedClient<T: Sendable>(
        _ destination: OutboundDestination, _ body: (HTTPClient) async throws -> T
    ) async throws -> T {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(10), read: .seconds(10)),
            proxy: nil,
            decompression: .disabled
        )
        configuration.dnsOverride = destination.dnsOverride
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let result: Result<T, any Error>
        do { result = .success(try await body(http)) } catch { result = .failure(error) }
        try? await http.shutdown()
        return try result.get()
    }
}
