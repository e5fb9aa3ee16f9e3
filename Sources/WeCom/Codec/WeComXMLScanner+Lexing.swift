// Byte classes, names, references and UTF-8 validation for WeComXMLScanner.

extension UInt8 {
    static var tab: UInt8 { 0x09 }
    static var lineFeed: UInt8 { 0x0A }
    static var carriageReturn: UInt8 { 0x0D }
    static var space: UInt8 { 0x20 }
    static var bang: UInt8 { 0x21 }
    static var doubleQuote: UInt8 { 0x22 }
    static var hash: UInt8 { 0x23 }
    static var ampersand: UInt8 { 0x26 }
    static var singleQuote: UInt8 { 0x27 }
    static var slash: UInt8 { 0x2F }
    static var semicolon: UInt8 { 0x3B }
    static var lessThan: UInt8 { 0x3C }
    static var equals: UInt8 { 0x3D }
    static var greaterThan: UInt8 { 0x3E }
    static var question: UInt8 { 0x3F }
    static var closingBracket: UInt8 { 0x5D }
}

/// XML whitespace: space, tab, line feed, carriage return.
@inline(__always)
func isWhitespace(_ byte: UInt8) -> Bool {
    byte == .space || byte == .lineFeed || byte == .carriageReturn || byte == .tab
}

/// Byte classes for names, one bit each: 1 may start a name (ASCII letter, `_`, `:`, any
/// byte of a non-ASCII character), 2 may continue one (those, digits, `-`, `.`).
private let nameByteClass: [UInt8] = (0...255).map { byte in
    let lower = byte | 0x20
    if (lower >= 0x61 && lower <= 0x7A) || byte == 0x5F || byte == 0x3A || byte >= 0x80 { return 3 }
    if (byte >= 0x30 && byte <= 0x39) || byte == 0x2D || byte == 0x2E { return 2 }
    return 0
}

extension WeComXMLScanner {
    /// Skips XML whitespace; tells whether there was any.
    mutating func skipWhitespace() -> Bool {
        let start = pos
        while pos < count, isWhitespace(bytes[pos]) { pos += 1 }
        return pos > start
    }

    /// Reads a name at `pos` and returns its byte range.
    mutating func scanName() throws(WeComXMLError) -> (Int, Int) {
        guard pos < count else { throw WeComXMLError(.unexpectedEnd, at: count) }
        return try nameByteClass.withUnsafeBufferPointer { classes throws(WeComXMLError) in
            guard classes[Int(bytes[pos])] & 1 != 0 else { throw WeComXMLError(.malformedTag, at: pos) }
            let start = pos
            pos += 1
            while pos < count, classes[Int(bytes[pos])] & 2 != 0 { pos += 1 }
            return (start, pos)
        }
    }

    /// Consumes `byte` at `pos` or fails.
    mutating func expect(_ byte: UInt8) throws(WeComXMLError) {
        guard pos < count else { throw WeComXMLError(.unexpectedEnd, at: count) }
        guard bytes[pos] == byte else { throw WeComXMLError(.malformedTag, at: pos) }
        pos += 1
    }

    /// Whether the input at `offset` starts with `literal`.
    func matches(_ literal: StaticString, at offset: Int) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard offset + length <= count else { return false }
        let text = literal.utf8Start
        for index in 0..<length where bytes[offset + index] != text[index] {
            return false
        }
        return true
    }

    /// The offset of the first occurrence of `literal` at or after `start`.
    func find(_ literal: StaticString, from start: Int) -> Int? {
        let first = literal.utf8Start[0]
        var index = start
        let last = count - literal.utf8CodeUnitCount
        while index <= last {
            if bytes[index] == first, matches(literal, at: index) { return index }
            index += 1
        }
        return nil
    }

    /// Whether the input ranges `a..<aEnd` and `b..<bEnd` hold the same bytes.
    func sameBytes(_ a: Int, _ aEnd: Int, _ b: Int, _ bEnd: Int) -> Bool {
        guard aEnd - a == bEnd - b else { return false }
        for index in 0..<(aEnd - a) where bytes[a + index] != bytes[b + index] {
            return false
        }
        return true
    }

    /// A `String` of the input bytes `start..<end` (already validated as UTF-8).
    func makeString(_ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    /// Decodes the entity or character reference at `pos` (at `&`) and appends its UTF-8
    /// bytes to `scratch`.
    mutating func decodeReference() throws(WeComXMLError) {
        let start = pos
        // The longest accepted reference is `&#x10FFFF;` or `&#1114111;`: 10 bytes.
        let limit = min(count, start + 11)
        var end = start + 1
        while end < limit, bytes[end] != .semicolon { end += 1 }
        guard end < limit, end > start + 1 else { throw WeComXMLError(.invalidEntity, at: start) }
        let scalar: Unicode.Scalar?
        if bytes[start + 1] == .hash {
            scalar = characterReference(start + 2, end)
        } else {
            scalar = predefinedEntity(start + 1, end)
        }
        guard let scalar else { throw WeComXMLError(.invalidEntity, at: start) }
        if scalar.isASCII {
            scratch.append(UInt8(truncatingIfNeeded: scalar.value))
        } else {
            UTF8.encode(scalar) { scratch.append($0) }
        }
        pos = end + 1
    }

    /// The character of `&#…;` / `&#x…;` with digits in `start..<end`, if it is an XML character.
    private func characterReference(_ start: Int, _ end: Int) -> Unicode.Scalar? {
        var index = start
        var radix: UInt32 = 10
        if index < end, bytes[index] == 0x78 {
            radix = 16
            index += 1
        }
        guard index < end else { return nil }
        var value: UInt32 = 0
        while index < end {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case 0x30...0x39: digit = UInt32(byte - 0x30)
            case 0x61...0x66 where radix == 16: digit = UInt32(byte - 0x61 + 10)
            case 0x41...0x46 where radix == 16: digit = UInt32(byte - 0x41 + 10)
            default: return nil
            }
            value = value * radix + digit
            guard value <= 0x10FFFF else { return nil }
            index += 1
        }
        // XML 1.0 `Char`: tab, LF, CR, and everything from space up except surrogates,
        // U+FFFE and U+FFFF (surrogates are also refused by `Unicode.Scalar`).
        guard value == 0x9 || value == 0xA || value == 0xD || value >= 0x20,
            value != 0xFFFE, value != 0xFFFF
        else { return nil }
        return Unicode.Scalar(value)
    }

    /// The character of one of the five predefined entities named by `start..<end`.
    private func predefinedEntity(_ start: Int, _ end: Int) -> Unicode.Scalar? {
        if matchesExactly("lt", start, end) { return "<" }
        if matchesExactly("gt", start, end) { return ">" }
        if matchesExactly("amp", start, end) { return "&" }
        if matchesExactly("quot", start, end) { return "\"" }
        if matchesExactly("apos", start, end) { return "'" }
        return nil
    }

    private func matchesExactly(_ literal: StaticString, _ start: Int, _ end: Int) -> Bool {
        end - start == literal.utf8CodeUnitCount && matches(literal, at: start)
    }
}

/// The offset of the first byte that is not part of well-formed UTF-8, or `nil`.
///
/// Rejects overlong forms, surrogates and scalars above U+10FFFF. Runs of ASCII are skipped
/// eight bytes at a time.
func firstInvalidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
    guard let base = bytes.baseAddress else { return nil }
    let count = bytes.count
    var index = 0
    while index < count {
        if index + 8 <= count {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            if word & 0x8080_8080_8080_8080 == 0 {
                index += 8
                continue
            }
        }
        let lead = base[index]
        if lead < 0x80 {
            index += 1
            continue
        }
        let length: Int
        var secondLow: UInt8 = 0x80
        var secondHigh: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            secondLow = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            secondHigh = 0x9F
        case 0xF0:
            length = 4
            secondLow = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            secondHigh = 0x8F
        default: return index
        }
        guard index + length <= count else { return index }
        let second = base[index + 1]
        guard second >= secondLow, second <= secondHigh else { return index }
        for continuation in 2..<length where base[index + continuation] & 0xC0 != 0x80 {
            return index
        }
        index += length
    }
    return nil
}
