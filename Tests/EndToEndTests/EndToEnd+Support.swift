import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import SiyuServer
import Synchronization
import Testing
import WeCom
import WeComSandbox

extension EndToEnd {
    /// A WeCom client for the corp, pointed at the sandbox the way Siyu's own is.
    func wecomClient() async throws -> WeComClient {
        try await WeComConnections(corps: store.corps, logger: Self.logger).client(for: corpID)
    }

    /// Calls Siyu with the corp's key and a text body (CSV), returning the raw response.
    func send(_ method: HTTPRequest.Method, _ path: String, text: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [.authorization: "Bearer \(apiKey)"]
        if text != nil { headers[.contentType] = "text/csv; charset=utf-8" }
        return try await siyu.execute(uri: path, method: method, headers: headers, body: text.map { ByteBuffer(string: $0) })
    }

    /// A customer adds `member` directly and the platform's callback reaches Siyu.
    @discardableResult
    func customerAdds(member: String, name: String) async throws -> String {
        let (added, events) = try await world.customerAdds(corpID: corpID, userID: member, name: name)
        for event in events { try await deliver(event) }
        return added.externalUserID
    }
}

/// An HTTP receiver on a free loopback port that records every POST and answers 200.
final class RecordingReceiver: Sendable {
    struct Hit: Sendable {
        /// By lowercased name.
        var headers: [String: String]
        var body: String
    }

    private let hits = Mutex<[Hit]>([])
    var received: [Hit] { hits.withLock { $0 } }

    static func run(_ body: @Sendable (_ url: String, RecordingReceiver) async throws -> Void) async throws {
        let receiver = RecordingReceiver()
        let router = Router()
        router.post("hook") { request, _ -> HTTPResponse.Status in
            var request = request
            let text = String(buffer: try await request.collectBody(upTo: 1 << 20))
            let headers = Dictionary(request.headers.map { ($0.name.canonicalName.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
            receiver.hits.withLock { $0.append(Hit(headers: headers, body: text)) }
            return .ok
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: EndToEnd.logger)
        try await app.test(.live) { client in try await body("http://127.0.0.1:\(try #require(client.port))/hook", receiver) }
    }
}
