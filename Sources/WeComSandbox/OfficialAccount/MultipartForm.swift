import Foundation

/// Reads a `multipart/form-data` body (RFC 7578) into its parts: as much as `media/upload`
/// needs, the field name, the file name and the bytes of each part.
struct MultipartForm: Sendable {
    struct Part: Sendable {
        var name: String
        var filename: String?
        var body: [UInt8]
    }

    var parts: [Part]

    /// Nil unless `contentType` is multipart/form-data with a boundary and the body parses.
    init?(contentType: String, body: [UInt8]) {
        let parameters = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parameters.first?.lowercased() == "multipart/form-data",
              let boundary = parameters.dropFirst().compactMap({ Self.value(of: "boundary", in: $0) }).first, !boundary.isEmpty
        else { return nil }
        let delimiter = Array("--\(boundary)".utf8)
        var parts: [Part] = []
        var cursor = 0
        guard let first = Self.find(delimiter, in: body, from: 0) else { return nil }
        cursor = first + delimiter.count
        while cursor + 1 < body.count, !(body[cursor] == UInt8(ascii: "-") && body[cursor + 1] == UInt8(ascii: "-")) {
            cursor += 2  // CRLF after the delimiter
            guard let headerEnd = Self.find(Array("\r\n\r\n".utf8), in: body, from: cursor),
                  let next = Self.find(Array("\r\n".utf8) + delimiter, in: body, from: headerEnd + 4)
            else { return nil }
            let headers = String(decoding: body[cursor..<headerEnd], as: UTF8.self)
            var name: String?
            var filename: String?
            for line in headers.components(separatedBy: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
                for parameter in line.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                    if let value = Self.value(of: "name", in: parameter) { name = value }
                    if let value = Self.value(of: "filename", in: parameter) { filename = value }
                }
            }
            if let name { parts.append(Part(name: name, filename: filename, body: Array(body[(headerEnd + 4)..<next]))) }
            cursor = next + 2 + delimiter.count
        }
        self.parts = parts
    }

    func part(named name: String) -> Part? {
        parts.first { $0.name == name }
    }

    /// `key=value` or `key="value"` → value.
    private static func value(of key: String, in parameter: String) -> String? {
        guard parameter.lowercased().hasPrefix(key + "=") else { return nil }
        var value = parameter.dropFirst(key.count + 1)
        if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = value.dropFirst().dropLast() }
        return String(value)
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == needle[0], haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
