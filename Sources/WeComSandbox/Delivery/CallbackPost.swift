import AsyncHTTPClient
import Foundation
import NIOCore

/// POSTs one callback body the way both platforms do: `timeout` per try, `tries` in all with a
/// pause between them; HTTP 200 ends it.
struct CallbackPost: Sendable {
    let http: HTTPClient
    let timeout: Duration
    let tries: Int
    let retryDelay: Duration

    /// What the receiver did with it.
    struct Outcome: Sendable {
        var attempts = 0
        var delivered = false
        var lastStatus: Int?
        var lastError: String?
        /// The body of the 200 answer.
        var answer: [UInt8] = []
    }

    func send(_ payload: String, to url: String) async -> Outcome {
        var outcome = Outcome()
        for attempt in 1...max(1, tries) {
            outcome.attempts = attempt
            do {
                var request = HTTPClientRequest(url: url)
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "text/xml; charset=utf-8")
                request.body = .bytes(ByteBuffer(string: payload))
                let parts = timeout.components
                let response = try await http.execute(request, timeout: .nanoseconds(parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000))
                let body = try? await response.body.collect(upTo: 1 << 20)
                outcome.lastStatus = Int(response.status.code)
                if response.status == .ok {
                    outcome.delivered = true
                    outcome.lastError = nil
                    outcome.answer = body.map { Array($0.readableBytesView) } ?? []
                    return outcome
                }
                outcome.lastError = "HTTP \(response.status.code)"
            } catch {
                outcome.lastError = String(describing: error)
            }
            if attempt < tries { try? await Task.sleep(for: retryDelay) }
        }
        return outcome
    }
}
