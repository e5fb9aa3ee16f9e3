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
/// Redirects are followed only to the same scheme, host and port, and only 307/308 (which keep
/// the method and body); a body sent back is read up to 64 KiB.
public struct WebhookSender: Sendable {
    let webhooks: WebhookStore
    let http: HTTPClient
    let retry: RetryPolicy
    let timeout: Duration
    let logger: Logger

    /// Production backoff: 10 s, 20 s, 40 s … capped at an hour, 8 attempts (about 21 minutes in all).
    public static let productionRetry = RetryPolicy(base: .seconds(10), maximum: .seconds(3600), maxAttempts: WebhookStore.maxAttempts)

    /// A process-wide client like `HTTPClient.shared`, but one that never follows redirects by
    /// itself (the shared one follows up to 20, to any host); ``send(_:)`` decides instead.
    public static let defaultHTTPClient = HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup,
        configuration: HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(10), read: .seconds(10)),
            decompression: .disabled
        )
    )

    static let maxResponseBytes = 64 * 1024
    static let maxRedirects = 3

    public init(
        webhooks: WebhookStore, http: HTTPClient = defaultHTTPClient, retry: RetryPolicy = productionRetry,
        timeout: Duration = .seconds(10), logger: Logger
    ) {
        self.webhooks = webhooks
        self.http = http
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
            try await webhooks.recordAttempt(corpID: job.corpID, deliveryID: job.payload, outcome: .delivered(status: status))
            logger.debug("webhook delivered", metadata: ["status": .stringConvertible(status)])
            return
        } catch let error as DeliveryFailure {
            failure = error
        } catch {
            failure = DeliveryFailure(status: nil, message: "cannot reach the receiver: \(error)")
        }
        let outcome: WebhookStore.AttemptOutcome =
            final ? .failed(status: failure.status, error: failure.message) : .retrying(status: failure.status, error: failure.message)
        try await webhooks.recordAttempt(corpID: job.corpID, deliveryID: job.payload, outcome: outcome)
        logger.info("webhook attempt failed", metadata: [
            "attempt": .stringConvertible(job.attempts), "final": .stringConvertible(final), "error": .string(failure.message),
        ])
        throw failure
    }

    /// POSTs the delivery, following same-origin 307/308 redirects; returns the 2xx status, or
    /// throws ``DeliveryFailure`` with any other one.
    func send(_ outbound: WebhookStore.Outbound) async throws -> Int {
        let body = outbound.delivery.payload
        let timestamp = Int(Date().timeIntervalSince1970)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "User-Agent", value: "Siyu-Webhooks/1")
        headers.add(name: WebhookEventType.Header.event, value: outbound.delivery.eventType)
        headers.add(name: WebhookEventType.Header.delivery, value: outbound.delivery.deliveryID)
        headers.add(name: WebhookEventType.Header.timestamp, value: String(timestamp))
        headers.add(name: WebhookEventType.Header.signature, value: WebhookSignature.sign(secret: outbound.secret, timestamp: timestamp, body: body))
        let deadline = NIODeadline.now() + .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)

        var url = outbound.url
        for _ in 0...Self.maxRedirects {
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers = headers
            request.body = .bytes(ByteBuffer(string: body))
            let response = try await http.execute(request, deadline: deadline, logger: logger)
            let excerpt = try await Self.readCapped(response.body)
            let status = Int(response.status.code)
            guard status == 307 || status == 308, let location = response.headers.first(name: "Location") else {
                if !(200..<300).contains(status) {
                    throw DeliveryFailure(status: status, message: "the receiver answered HTTP \(status)" + (excerpt.isEmpty ? "" : ": \(excerpt)"))
                }
                return status
            }
            guard let next = Self.sameOrigin(location, relativeTo: url) else {
                throw DeliveryFailure(status: status, message: "the receiver redirected to \(location), another host; redirects are followed only within the webhook's own host")
            }
            url = next
        }
        throw DeliveryFailure(status: nil, message: "more than \(Self.maxRedirects) redirects")
    }

    /// The first 64 KiB of a response body, as text trimmed for the delivery log; the rest is dropped unread.
    static func readCapped(_ body: HTTPClientResponse.Body) async throws -> String {
        var collected = ByteBuffer()
        for try await chunk in body {
            let room = maxResponseBytes - collected.readableBytes
            collected.writeBytes(chunk.readableBytesView.prefix(room))
            if chunk.readableBytes >= room { break }
        }
        return String(String(decoding: collected.readableBytesView, as: UTF8.self).prefix(300))
    }

    /// `location` resolved against `base` when it keeps the scheme, host and port; nil otherwise.
    static func sameOrigin(_ location: String, relativeTo base: String) -> String? {
        guard let baseURL = URL(string: base), let target = URL(string: location, relativeTo: baseURL)?.absoluteURL,
              target.scheme?.lowercased() == baseURL.scheme?.lowercased(),
              target.host?.lowercased() == baseURL.host?.lowercased(),
              target.port == baseURL.port
        else { return nil }
        return target.absoluteString
    }
}
