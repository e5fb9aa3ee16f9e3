import Foundation

/// A strict, small and fast parser for the flat XML dialect of WeCom and Official Account
/// callbacks.
///
/// It works directly on UTF-8 bytes and builds a ``WeComXMLElement`` tree. It understands the
/// XML declaration and other processing instructions (skipped), comments (skipped), CDATA
/// sections, the five predefined entities, decimal and hexadecimal character references,
/// attributes and self-closing elements. It refuses `<!DOCTYPE` outright, so no entity can be
/// declared or expanded, and it bounds input size and nesting depth.
///
/// ```swift
/// let root = try WeComXML.parse(body)
/// if root["Event"] == "change_external_chat" { … }
/// ```
public enum WeComXML {
    /// Limits applied while parsing.
    public struct Options: Hashable, Sendable {
        /// Largest accepted input in bytes; larger input fails with `input_too_large`.
        public var maxInputBytes: Int
        /// Deepest accepted element nesting; the root element is depth 1.
        public var maxDepth: Int

        /// Creates limits; the defaults are 1 MiB and 32 levels.
        public init(maxInputBytes: Int = 1 << 20, maxDepth: Int = 32) {
            self.maxInputBytes = maxInputBytes
            self.maxDepth = maxDepth
        }
    }

    /// Parses a UTF-8 document and returns its root element.
    ///
    /// - Throws: ``WeComXMLError`` with the byte offset of the first problem.
    public static func parse(
        _ input: some WeComUTF8Input,
        options: Options = Options()
    ) throws(WeComXMLError) -> WeComXMLElement {
        let result = input.withWeComUTF8 { bytes in
            Result { () throws(WeComXMLError) -> WeComXMLElement in
                var scanner = WeComXMLScanner(bytes: bytes, options: options)
                return try scanner.parseDocument()
            }
        }
        return try result.get()
    }
}

/// Something that can hand its UTF-8 bytes to ``WeComXML/parse(_:options:)`` as one
/// contiguous buffer: `[UInt8]`, `ArraySlice<UInt8>`, `Data`, `String` and `Substring`.
public protocol WeComUTF8Input {
    /// Calls `body` with the input's bytes as one contiguous buffer.
    func withWeComUTF8<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R
}

extension Array: WeComUTF8Input where Element == UInt8 {
    /// Calls `body` with the array's storage.
    public func withWeComUTF8<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        withUnsafeBufferPointer(body)
    }
}

extension ArraySlice: WeComUTF8Input where Element == UInt8 {
    /// Calls `body` with the slice's storage.
    public func withWeComUTF8<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        withUnsafeBufferPointer(body)
    }
}

extension Data: WeComUTF8Input {
    /// Calls `body` with the data's bytes.
    public func withWeComUTF8<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        withUnsafeBytes { body($0.assumingMemoryBound(to: UInt8.self)) }
    }
}

extension String: WeComUTF8Input {
    /// Calls `body` with the string's UTF-8 code units, made contiguous first when needed.
    public func withWeComUTF8<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        var copy = self
        return copy.withUTF8(body)
    }
}

extension Substring: WeComUTF8Input {
    /// Calls `body` with the substring's UTF-8 code units, made contiguous first when needed.
    public func withWeComUTF8<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        var copy = self
        return copy.withUTF8(body)
    }
}
