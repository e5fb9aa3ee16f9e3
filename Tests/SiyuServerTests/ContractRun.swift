import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import WeCom

@testable import SiyuServer

/// Requests through the router, each answer checked against the served OpenAPI document: its
/// status must be documented for the operation, and a JSON body must conform to that status's
/// schema. Records which statuses each operation was seen to answer.
final class ContractRun {
    let client: any TestClientProtocol
    let document: JSONValue
    let schemas: JSONSchemaCheck
    /// "METHOD /template" → statuses seen.
    private(set) var seen: [String: Set<Int>] = [:]
    private(set) var problems: [String] = []

    struct Operation {
        var method: String
        var template: String
        var item: [String: JSONValue]
        var operation: [String: JSONValue]
        var key: String { "\(method.uppercased()) \(template)" }

        var responses: [String: JSONValue] { operation["responses"]?.objectValue ?? [:] }

        /// Path-level and operation-level parameters, references resolved.
        func parameters(_ check: JSONSchemaCheck) -> [[String: JSONValue]] {
            ((item["parameters"]?.arrayValue ?? []) + (operation["parameters"]?.arrayValue ?? [])).compactMap { check.dereferenced($0).objectValue }
        }

        /// The JSON request body's schema, when the operation takes one.
        var jsonBody: JSONValue? { operation["requestBody"]?["content"]?["application/json"]?["schema"] }
    }

    private(set) var operations: [Operation] = []

    init(client: any TestClientProtocol) async throws {
        self.client = client
        let served = try await client.execute(uri: "/api/v1/openapi.json", method: .get, headers: [:], body: nil)
        document = try JSONValue(parsing: String(buffer: served.body))
        schemas = JSONSchemaCheck(document: document)
        for (template, item) in (document["paths"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let item = item.objectValue else { continue }
            for (method, operation) in item where method != "parameters" {
                guard let operation = operation.objectValue else { continue }
                operations.append(Operation(method: method, template: template, item: item, operation: operation))
            }
        }
    }

    /// The documented operation a request lands on: the template whose literal segments match,
    /// preferring the one with the most literal segments (`/segments/count` over `/segments/{id}`).
    func operation(_ method: HTTPRequest.Method, _ path: String) -> Operation? {
        let parts = path.split(separator: "/")
        return operations.filter { operation in
            guard operation.method == method.rawValue.lowercased() else { return false }
            let pattern = operation.template.split(separator: "/")
            return pattern.count == parts.count && zip(pattern, parts).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }.max { $0.template.split(separator: "/").filter { !$0.hasPrefix("{") }.count < $1.template.split(separator: "/").filter { !$0.hasPrefix("{") }.count }
    }

    /// Sends a request and checks the answer; `expect` (when given) is the status the scenario needs.
    @discardableResult
    func call(
        _ method: HTTPRequest.Method, _ uri: String, token: String?, json: String? = nil, body: String? = nil,
        contentType: String? = nil, expect: Int? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = "application/json" }
        if let contentType { headers[.contentType] = contentType }
        let payload = json ?? body
        let response = try await client.execute(uri: uri, method: method, headers: headers, body: payload.map { ByteBuffer(string: $0) })
        let status = Int(response.status.code)
        let label = "\(method) \(uri) → \(status)"
        if let expect, expect != status {
            Issue.record("\(label), expected \(expect): \(String(String(buffer: response.body).prefix(300)))", sourceLocation: sourceLocation)
        }
        let path = String(uri.split(separator: "?", maxSplits: 1).first ?? "")
        guard let operation = operation(method, path) else {
            problems.append("\(label): no documented operation")
            return response
        }
        seen[operation.key, default: []].insert(status)
        guard let documented = operation.responses[String(status)] else {
            problems.append("\(label): status \(status) is not documented for \(operation.key) (documented: \(operation.responses.keys.sorted().joined(separator: ", ")))")
            return response
        }
        let answer = schemas.dereferenced(documented)
        let text = String(buffer: response.body)
        let mediaType = response.headers[.contentType] ?? ""
        if let content = answer["content"]?.objectValue {
            if let schema = content["application/json"]?["schema"] {
                guard mediaType.hasPrefix("application/json") else {
                    problems.append("\(label): documented as JSON, answered \(mediaType)")
                    return response
                }
                do {
                    let value = try JSONValue(parsing: text)
                    for problem in schemas.problems(value, schema) { problems.append("\(label): \(problem)") }
                } catch {
                    problems.append("\(label): the body is not JSON: \(text.prefix(200))")
                }
            } else if !content.keys.contains(where: { mediaType.hasPrefix($0) }) {
                problems.append("\(label): answered \(mediaType), documented \(content.keys.sorted().joined(separator: ", "))")
            }
        } else if !text.isEmpty {
            problems.append("\(label): documented without a body, answered \(text.prefix(100))")
        }
        return response
    }

    /// Steps of a scenario with one credential: method, URI, JSON body (or nil), the status needed.
    func calls(
        token: String?, _ steps: [(HTTPRequest.Method, String, String?, Int)], sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        for (method, uri, json, status) in steps {
            try await call(method, uri, token: token, json: json, expect: status, sourceLocation: sourceLocation)
        }
    }

    /// Operations that were never seen to succeed.
    var neverSucceeded: [String] {
        operations.map(\.key).filter { key in !(seen[key] ?? []).contains { (200..<300).contains($0) } }.sorted()
    }
}

extension TestResponse {
    /// A string at a path of keys in a JSON answer (`["tag_groups", "0", "group_id"]`).
    func value(_ keys: String...) throws -> String {
        var node = try JSONValue(parsing: String(buffer: body))
        for key in keys {
            if let index = Int(key), let items = node.arrayValue, items.indices.contains(index) {
                node = items[index]
            } else if let next = node[key] {
                node = next
            } else {
                throw ContractFixtureError("no \(keys.joined(separator: ".")) in \(String(buffer: body).prefix(300))")
            }
        }
        if case .number(let number) = node, number == number.rounded() { return String(Int(number)) }
        guard let text = node.string else { throw ContractFixtureError("\(keys.joined(separator: ".")) is not a string") }
        return text
    }
}

struct ContractFixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
