/// RFC 4180 CSV: fields with commas, quotes or line breaks are quoted, quotes doubled.
///
/// ``encode(_:)`` is the one writer of every CSV Siyu hands out (the customers export and any
/// other), and it writes for spreadsheets: a cell that a spreadsheet program would run as a
/// formula is neutralised (see ``neutralised(_:)``). ``decode(_:)`` reads a file as it is; imports
/// then take back what neutralising added (``restored(_:)``), so an export can be imported again.
public enum CSV {
    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public var line: Int
        public var description: String { "CSV line \(line): a quoted field is not closed" }
    }

    public static func encode(_ rows: [[String]]) -> String {
        rows.map { row in
            row.map { field in
                if let safe = neutralised(field) { return quoted(safe) }
                // `isNewline`, not `== "\n"`: "\r\n" is one Character, equal to neither "\n" nor "\r".
                guard field.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return field }
                return quoted(field)
            }.joined(separator: ",")
        }.joined(separator: "\r\n") + "\r\n"
    }

    /// Formula injection (CSV injection): a cell starting with `=`, `+`, `-`, `@`, a tab or a
    /// carriage return is run by Excel, WPS, LibreOffice and Numbers as a formula, so a customer
    /// whose WeChat nickname is `=HYPERLINK("http://x","y")` or `+cmd|' /C calc'!A0` would put a
    /// link or a command into the brand's spreadsheet. As OWASP advises, such a cell is returned
    /// with a single quote in front (the spreadsheet then shows it as text), and ``encode(_:)``
    /// quotes it. Nil when the cell is safe as it is.
    ///
    /// One exception, on purpose: a plain negative number (`-12.50`, `-3`; a minus sign, digits,
    /// at most one decimal point) is left alone, so that money and count columns stay numbers a
    /// spreadsheet can add up. Such a cell cannot be a formula: it has nothing but the sign and
    /// digits. Anything else after a leading `-` (`-1+1`, `-2+3+cmd|…`) is neutralised, as OWASP says.
    public static func neutralised(_ field: String) -> String? {
        // Scalars, not Characters: "\r\n" is one Character, equal to neither "\r" nor "\n".
        guard let first = field.unicodeScalars.first, formulaStarts.contains(first) else { return nil }
        if first == "-", isPlainNegativeNumber(field) { return nil }
        return "'" + field
    }

    static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    /// The inverse of ``neutralised(_:)``, for files that come back: a cell that is exactly what
    /// neutralising would have written (`'` before a formula-like value) loses the `'`, so an
    /// export imported again keeps `+8613800138000` a phone number and `-VIP` a tag name. Any
    /// other cell, one starting with `'` included, is returned as it is.
    public static func restored(_ field: String) -> String {
        guard field.hasPrefix("'") else { return field }
        let value = String(field.dropFirst())
        return neutralised(value) == field ? value : field
    }

    /// `-` then digits with at most one `.` among them, a digit on each side of it: `-12.50`, `-3`.
    static func isPlainNegativeNumber(_ field: String) -> Bool {
        let body = field.utf8.dropFirst()
        let parts = body.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return (1...2).contains(parts.count)
            && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } }
    }

    private static func quoted(_ field: String) -> String {
        "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
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
