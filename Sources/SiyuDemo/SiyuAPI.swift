import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SiyuCore
import SiyuServer

/// Siyu's REST API as a corp's integration would call it, over HTTP with the corp's API key.
public struct SiyuAPI: Sendable {
    /// `http://127.0.0.1:8080`, no trailing slash.
    public let baseURL: String
    public let apiKey: String
    let http: HTTPClient

    public init(baseURL: String, apiKey: String, http: HTTPClient = .shared) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.http = http
    }

    /// An error answer from the API.
    public struct Failure: Error, CustomStringConvertible {
        public var status: Int
        public var body: String
        public var description: String { "Siyu answered HTTP \(status): \(body)" }
    }

    struct Created: Decodable { var channel_id: String }

    /// A channel code with a welcome message; Siyu creates its contact way on the platform. Returns its id.
    public func createChannel(name: String, members: [String], welcome: String) async throws -> String {
        try await send(.POST, "/api/v1/channels", json: [
            "name": name, "members": members, "strategy": "round_robin", "welcome": ["text": welcome],
        ], as: Created.self).channel_id
    }

    /// A mass-message campaign to a segment, sent now (by Siyu's clock), in the API's own wire
    /// type. Returns its id.
    public func createCampaign(name: String, segment: String, text: String) async throws -> String {
        let body = Wire.CampaignBody(name: name, audience: CampaignAudience(segment: segment), text: text)
        return try await send(.POST, "/api/v1/campaigns", body: try Self.encoder.encode(body), as: Campaign.self).campaignID
    }

    struct Policy: Decodable { var platform_rule: String }

    /// The corp's contact budget (`PUT /api/v1/contact_policy`), as JSON.
    public func setContactPolicy(_ policy: [String: Any]) async throws {
        _ = try await send(.PUT, "/api/v1/contact_policy", json: policy, as: Policy.self)
    }

    /// Where the campaign is, decoded as the domain's ``Campaign``.
    public func campaignState(_ campaignID: String) async throws -> CampaignState {
        try await send(.GET, "/api/v1/campaigns/\(campaignID)", body: nil, as: Campaign.self).state
    }

    public func send<T: Decodable>(_ method: HTTPMethod, _ path: String, json: [String: Any]?, as type: T.Type) async throws -> T {
        try await send(method, path, body: try json.map { try JSONSerialization.data(withJSONObject: $0) }, as: type)
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    func send<T: Decodable>(_ method: HTTPMethod, _ path: String, body: Data?, as type: T.Type) async throws -> T {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(apiKey)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await http.execute(request, timeout: .seconds(30))
        let answer = try await response.body.collect(upTo: 8 << 20)
        guard (200..<300).contains(response.status.code) else {
            throw Failure(status: Int(response.status.code), body: String(buffer: answer))
        }
        return try Self.decoder.decode(T.self, from: Data(answer.readableBytesView))
    }
}
