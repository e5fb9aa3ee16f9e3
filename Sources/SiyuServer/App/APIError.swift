import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SiyuCore
import SiyuStore
import WeCom

/// An error as the API reports it: `{"error":{"code":"…","message":"…"}}` with an HTTP status.
public struct APIError: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var field: String?
    /// Where in an expression the problem is (segment errors).
    public var position: [String: Int]?
    /// Extra response headers (`Retry-After` on a 503, `Allow` on a 405).
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, code: String, _ message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var error: [String: JSONField] = ["code": .text(code), "message": .text(message)]
        if let field { error["field"] = .text(field) }
        if let position { error["position"] = .numbers(position) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = try encoder.encode(["error": error])
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// 503 `database_unavailable` with `Retry-After`: the database cannot answer now.
    static func databaseUnavailable(_ message: String) -> APIError {
        var error = APIError(.serviceUnavailable, code: "database_unavailable", message)
        error.headers[.retryAfter] = "2"
        return error
    }

    /// A body that is not the JSON a route expects, naming the field at fault when there is one
    /// (`scope: read or write expected`), so a client knows what to change.
    static func decodingRefusal(_ error: DecodingError) -> APIError {
        func path(_ keys: [any CodingKey], _ last: (any CodingKey)? = nil) -> String? {
            let names = (keys + (last.map { [$0] } ?? [])).map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return names.isEmpty ? nil : names.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        let field: String?
        let problem: String
        switch error {
        case .keyNotFound(let key, let context):
            field = path(context.codingPath, key)
            problem = "is required"
        case .typeMismatch(let type, let context):
            field = path(context.codingPath)
            problem = "must be \(jsonName(of: type))"
        case .valueNotFound(let type, let context):
            field = path(context.codingPath)
            problem = "must be \(jsonName(of: type)), not null"
        case .dataCorrupted(let context):
            field = path(context.codingPath)
            problem = context.codingPath.isEmpty ? "is not valid JSON" : "has a value this route does not accept (\(context.debugDescription))"
        @unknown default:
            field = nil
            problem = "is not the JSON this route expects"
        }
        let subject = field.map { "field \($0)" } ?? "the body"
        return APIError(.badRequest, code: "bad_request", "\(subject) \(problem)", field: field)
    }

    private static func jsonName(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int.Type, is Int64.Type, is Double.Type: "a number"
        case is [Any].Type: "a list"
        default: "an object or a value of another type"
        }
    }

    /// A body over a route's limit, naming the limit.
    static func tooLarge(limit: Int) -> APIError {
        APIError(.contentTooLarge, code: "too_large", "the body is larger than this route accepts (\(byteCount(limit)))")
    }

    /// Maps any error thrown below the HTTP layer to what a client should see.
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as SegmentRefusal:
            var refusal = APIError(.unprocessableContent, code: "invalid_segment", error.error.message, field: "expression")
            if let position = error.error.position {
                refusal.position = ["offset": position.offset, "line": position.line, "column": position.column]
            }
            return refusal
        case let error as ValidationError:
            return APIError(.unprocessableContent, code: "invalid", error.message, field: error.field)
        case let error as StoreError:
            switch error.code {
            case .duplicate: return APIError(.conflict, code: "duplicate", error.message)
            case .notFound: return APIError(.notFound, code: "not_found", error.message)
            case .unavailable: return .databaseUnavailable(error.message)
            case .unreachable, .notMigrated, .newerSchema, .readOnly, .io:
                return APIError(.serviceUnavailable, code: "storage_unavailable", error.message)
            default: return APIError(.internalServerError, code: "internal", "internal error")
            }
        case let error as HTTPError:
            let code: String
            switch error.status.code {
            case 400: code = "bad_request"
            case 401: code = "unauthorized"
            case 404: code = "not_found"
            case 405: code = "method_not_allowed"
            case 413: code = "too_large"
            default: code = error.status.code < 500 ? "bad_request" : "internal"
            }
            return APIError(error.status, code: code, error.body ?? error.status.reasonPhrase)
        case let error as WeComAPIError:
            if let problem = error.inputProblem {
                return APIError(
                    .unprocessableContent, code: "rejected_by_wecom",
                    "WeCom refused the request because \(problem) (errcode \(error.errcode)); check the ids and values sent"
                )
            }
            return APIError(.badGateway, code: "wecom_error", "WeCom answered errcode \(error.errcode): \(error.errmsg) (\(error.path))")
        case is NIOTooManyBytesError:
            // What `request.decode` and form reads hit (the REST and console limit); routes with their
            // own limit read with ``Request/collectBody(limit:)``, which names it. NIO's own count is
            // what was left after the first chunk, not the limit.
            return tooLarge(limit: AppRequestContext.maxBodyBytes)
        case let error as DecodingError:
            return decodingRefusal(error)
        default:
            return APIError(.internalServerError, code: "internal", "internal error")
        }
    }
}

/// A size as people read it: 64 KiB, 1 MiB, 512 bytes.
func byteCount(_ bytes: Int) -> String {
    if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
    if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
    return "\(bytes) bytes"
}

/// A value in an error body: text, or a small object of numbers.
enum JSONField: Encodable {
    case text(String)
    case numbers([String: Int])

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let value): try container.encode(value)
        case .numbers(let value): try container.encode(value)
        }
    }
}

extension Request {
    /// The whole body, up to `limit` bytes; past it, a 413 that names the limit.
    mutating func collectBody(limit: Int) async throws -> ByteBuffer {
        do {
            return try await collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError.tooLarge(limit: limit)
        }
    }
}
