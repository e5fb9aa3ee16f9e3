import Foundation
import WeCom

/// The part of JSON Schema (2020-12, as OpenAPI 3.1 uses it) that `openapi.json` uses: `$ref`
/// within the document, `type` (one or a list, `null` included), `required`, `properties`,
/// `additionalProperties` (false or a schema), `items`, `enum`, `allOf`/`oneOf`/`anyOf`, the
/// bounds (`minimum`, `maximum`, `minItems`, `maxItems`, `minLength`, `maxLength`) and the formats
/// `date-time`, `date` and `uri`. A keyword it does not know fails the check, so the document
/// cannot grow past what is checked.
struct JSONSchemaCheck {
    let document: JSONValue

    static let known: Set<String> = [
        "$ref", "type", "required", "properties", "additionalProperties", "items", "enum", "allOf", "oneOf", "anyOf",
        "minimum", "maximum", "minItems", "maxItems", "minLength", "maxLength", "format", "pattern",
        "description", "examples", "default", "title",
    ]

    /// Where `value` breaks `schema`, one line a problem; empty when it conforms.
    func problems(_ value: JSONValue, _ schema: JSONValue, at path: String = "$") -> [String] {
        guard case .object(let rules) = schema else { return ["\(path): the schema is not an object"] }
        var found: [String] = []
        for keyword in rules.keys where !Self.known.contains(keyword) {
            found.append("\(path): the schema uses \(keyword), which this check does not know")
        }
        if case .string(let reference) = rules["$ref"] {
            guard let target = resolve(reference) else { return found + ["\(path): \(reference) does not resolve"] }
            found += problems(value, target, at: path)
        }
        if let types = rules["type"] {
            let allowed: [String]
            switch types {
            case .string(let one): allowed = [one]
            case .array(let many): allowed = many.compactMap { if case .string(let name) = $0 { name } else { nil } }
            default: allowed = []
            }
            guard allowed.contains(where: { Self.matches(value, type: $0) }) else {
                return found + ["\(path): \(Self.describe(value)) is not of type \(allowed.joined(separator: " or "))"]
            }
        }
        if case .array(let options) = rules["enum"], !options.contains(value) {
            found.append("\(path): \(Self.describe(value)) is not one of \(options.map(Self.describe).joined(separator: ", "))")
        }
        if case .array(let all) = rules["allOf"] {
            for part in all { found += problems(value, part, at: path) }
        }
        if case .array(let options) = rules["oneOf"] {
            let passing = options.filter { problems(value, $0, at: path).isEmpty }.count
            if passing != 1 { found.append("\(path): matches \(passing) of oneOf's \(options.count) schemas, not exactly one") }
        }
        if case .array(let options) = rules["anyOf"], !options.contains(where: { problems(value, $0, at: path).isEmpty }) {
            found.append("\(path): matches none of anyOf's schemas")
        }
        switch value {
        case .object(let object):
            if case .array(let required) = rules["required"] {
                for case .string(let name) in required where object[name] == nil { found.append("\(path): \(name) is required but absent") }
            }
            let properties: [String: JSONValue]
            if case .object(let declared) = rules["properties"] { properties = declared } else { properties = [:] }
            for (name, item) in object.sorted(by: { $0.key < $1.key }) {
                if let property = properties[name] {
                    found += problems(item, property, at: "\(path).\(name)")
                } else if let extra = rules["additionalProperties"] {
                    if extra == .bool(false) {
                        found.append("\(path): \(name) is not a declared property")
                    } else if case .object = extra {
                        found += problems(item, extra, at: "\(path).\(name)")
                    }
                }
            }
        case .array(let items):
            if let schema = rules["items"] {
                for (index, item) in items.enumerated() { found += problems(item, schema, at: "\(path)[\(index)]") }
            }
            if case .number(let least) = rules["minItems"], Double(items.count) < least { found.append("\(path): fewer than \(Int(least)) items") }
            if case .number(let most) = rules["maxItems"], Double(items.count) > most { found.append("\(path): more than \(Int(most)) items") }
        case .string(let text):
            if case .string(let format) = rules["format"], !Self.conforms(text, format: format) {
                found.append("\(path): \"\(text)\" is not a \(format)")
            }
            if case .number(let least) = rules["minLength"], Double(text.count) < least { found.append("\(path): shorter than \(Int(least))") }
            if case .number(let most) = rules["maxLength"], Double(text.count) > most { found.append("\(path): longer than \(Int(most))") }
        case .number(let number):
            if case .number(let least) = rules["minimum"], number < least { found.append("\(path): \(number) is below \(least)") }
            if case .number(let most) = rules["maximum"], number > most { found.append("\(path): \(number) is above \(most)") }
        case .bool, .null:
            break
        }
        return found
    }

    /// A `#/…` reference within the document.
    func resolve(_ reference: String) -> JSONValue? {
        guard reference.hasPrefix("#/") else { return nil }
        var node = document
        for part in reference.dropFirst(2).split(separator: "/") {
            guard case .object(let object) = node, let next = object[String(part)] else { return nil }
            node = next
        }
        return node
    }

    /// Follows `$ref`s until a schema with content.
    func dereferenced(_ schema: JSONValue) -> JSONValue {
        var schema = schema
        while case .object(let object) = schema, case .string(let reference) = object["$ref"], let target = resolve(reference) {
            schema = target
        }
        return schema
    }

    static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object), ("number", .number): true
        case ("integer", .number(let number)): number.rounded() == number
        default: false
        }
    }

    static func conforms(_ text: String, format: String) -> Bool {
        switch format {
        case "date-time":
            (try? Date(text, strategy: .iso8601)) != nil
                || (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))) != nil
        case "date":
            text.wholeMatch(of: /\d{4}-\d{2}-\d{2}/) != nil
        case "uri":
            URL(string: text)?.scheme != nil
        default:
            true
        }
    }

    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): "\(flag)"
        case .number(let number): "\(number)"
        case .string(let text): "\"\(text.prefix(60))\""
        case .array(let items): "an array of \(items.count)"
        case .object: "an object"
        }
    }
}

extension JSONValue {
    init(parsing text: String) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { object[key] } else { nil }
    }

    var string: String? {
        if case .string(let text) = self { text } else { nil }
    }

    var objectValue: [String: JSONValue]? {
        if case .object(let object) = self { object } else { nil }
    }

    var arrayValue: [JSONValue]? {
        if case .array(let items) = self { items } else { nil }
    }
}
