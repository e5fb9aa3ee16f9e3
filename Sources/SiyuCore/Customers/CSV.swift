/// RFC 4180 CSV: fields with commas, quotes or line breaks are quoted, quotes doubled.
public enum CSV {
    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public var line: Int
        public var description: String { "CSV line \(line): a quoted field is not closed" }
    }

    public static func encode(_ rows: [[String]]) -> String {
        rows.map { row in
            row.map { field in
                // `isNewline`, not `== "\n"`: "\r\n" is one Character, equal to neither "\n" nor "\r".
                guard field.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return field }
                return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }.joined(separator: ",")
        }.joined(separator: "\r\n") + "\r\n"
    }

    public static func decode(_ text: String) throws(ParseError) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var line = 1
        var characters = text.makeIterator()
        var pending: Character? = nil
        func next() -> Character? {
            if let value = pending {
                pending = nil
                return value
            }
            return characters.next()
        }
        while let c = next() {
            if quoted {
                if c == "\"" {
                    if let following = next() {
                        if following == "\"" { field.append("\"") } else { quoted = false; pending = following }
                    } else {
                        quoted = false
                    }
                } else {
                    if c == "\n" || c == "\r\n" { line += 1 }
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty: quoted = true
            case ",": row.append(field); field = ""
            case "\n", "\r\n", "\r":
                row.append(field); field = ""
                rows.append(row); row = []
                line += 1
            default: field.append(c)
            }
        }
        if quoted { throw ParseError(line: line) }
        if !field.isEmpty || !row.isEmpty {
            row.append(field)
            rows.append(row)
        }
        return rows
    }
}
