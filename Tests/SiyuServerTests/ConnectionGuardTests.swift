import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import SiyuServer

/// The body timeout is about the client: a handler that is slow before it reads a body that has
/// fully arrived must not have its connection closed under it.
@Suite("Connection guard")
struct ConnectionGuardTests {
    @Test("a handler busy for longer than the body timeout before reading a large body still gets all of it")
    func slowHandlerKeepsItsBody() async throws {
        // The handler waits three times the body timeout; the timeout itself is long enough that a
        // busy machine not scheduling the client for a moment does not look like a slow client.
        let limits = ConnectionLimits(headerTimeout: .seconds(5), bodyTimeout: .seconds(3), idleTimeout: .seconds(30))
        let counter = ConnectionCounter(limit: limits.maxConnectionsPerAddress)
        let router = Router()
        router.post("slow") { request, _ -> String in
            try await Task.sleep(for: .seconds(9))  // the server's own delay: the database, an index
            var request = request
            let body = try await request.collectBody(upTo: 16 << 20)
            return "\(body.readableBytes)"
        }
        let app = Application(
            router: router,
            server: .http1(configuration: .init(additionalChannelHandlers: [ConnectionGuard(limits: limits, counter: counter, exempt: .empty)])),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            logger: TestServer.logger
        )
        try await app.test(.live) { client in
            let size = 8 << 20
            let response = try await client.execute(uri: "/slow", method: .post, body: ByteBuffer(repeating: UInt8(ascii: "x"), count: size))
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == "\(size)")
        }
    }
}
