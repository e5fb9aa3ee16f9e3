import Foundation

/// The OpenAPI 3.1 description of the REST API: `Resources/openapi.json`, read once when the
/// router is built and served byte for byte at `/api/v1/openapi.json`.
///
/// The file is the contract: every operation lists every status it can answer. `OpsTests` compares
/// it with the router, `ContractTests` checks real responses and request decoders against it, and
/// `.ci/run` fuzzes the running server with it (schemathesis).
public struct OpenAPIDocument: Sendable {
    /// The document as served.
    public let text: String

    /// Where the build keeps the document (nil when the resource is missing from the bundle).
    public static var bundledURL: URL? { Bundle.module.url(forResource: "openapi", withExtension: "json") }

    /// Reads and checks a document: a missing file, one that is not JSON, or JSON that is not an
    /// OpenAPI 3.1 document with paths is a configuration error naming the file and the problem.
    public static func load(from url: URL?) throws(ConfigurationError) -> OpenAPIDocument {
        guard let url else { throw ConfigurationError("the OpenAPI document (openapi.json) is missing from the build's resources") }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ConfigurationError("the OpenAPI document \(url.path) cannot be read: \(error.localizedDescription)")
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            let reason = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? error.localizedDescription
            throw ConfigurationError("the OpenAPI document \(url.path) is not valid JSON: \(reason)")
        }
        guard let document = object as? [String: Any], let version = document["openapi"] as? String, version.hasPrefix("3.1"),
              let paths = document["paths"] as? [String: Any], !paths.isEmpty
        else {
            throw ConfigurationError("the OpenAPI document \(url.path) is not an OpenAPI 3.1 document with paths")
        }
        return OpenAPIDocument(text: String(decoding: data, as: UTF8.self))
    }

    /// The text of the document this build ships (what tests generate requests from).
    static var json: String {
        get throws { try load(from: bundledURL).text }
    }
}
