/// The byte-level parser behind ``WeComXML/parse(_:options:)``.
///
/// It walks the UTF-8 input once. Open elements live on `frames`; finished children wait in
/// one shared `pendingChildren` array until their parent closes, so each element with children
/// gets exactly one array allocation and a leaf gets none. Text that is one contiguous run of
/// input (the usual single CDATA section or plain value) is turned into a `String` straight from
/// the input; only text split into several pieces or containing references is assembled in
/// the shared `scratch` buffer, which is used like a stack by nested elements.
struct WeComXMLScanner {
    /// How the text of an open element is held so far.
    enum TextMode {
        /// No character data yet.
        case empty
        /// One raw run of input, `sliceStart..<sliceEnd`.
        case slice
        /// Assembled in `scratch` from `scratchStart` to the end.
        case scratch
    }

    /// An element whose start tag has been read and whose end tag has not.
    struct Frame {
        var tagStart: Int
        var nameStart: Int
        var nameEnd: Int
        var attributes: [String: String]?
        var childStart: Int
        var scratchStart: Int
        var textMode: TextMode
        var sliceStart: Int
        var sliceEnd: Int
    }

    let bytes: UnsafeBufferPointer<UInt8>
    let count: Int
    let options: WeComXML.Options
    var pos = 0
    var frames: [Frame] = []
    var pendingChildren: [WeComXMLElement] = []
    var scratch: [UInt8] = []

    init(bytes: UnsafeBufferPointer<UInt8>, options: WeComXML.Options) {
        self.bytes = bytes
        self.count = bytes.count
        self.options = options
        frames.reserveCapacity(8)
        pendingChildren.reserveCapacity(16)
    }

    /// Parses the whole input: prolog, exactly one root element, epilog.
    mutating func parseDocument() throws(WeComXMLError) -> WeComXMLElement {
        guard count <= options.maxInputBytes else {
            throw WeComXMLError(.inputTooLarge, at: options.maxInputBytes)
        }
        if let bad = firstInvalidUTF8(bytes) {
            throw WeComXMLError(.invalidUTF8, at: bad)
        }
        if count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            pos = 3
        }
        try skipMisc(afterRoot: false)
        guard pos < count else { throw WeComXMLError(.missingRoot, at: pos) }
        let root = try parseElements()
        try skipMisc(afterRoot: true)
        return root
    }

    // MARK: Structure

    /// Skips whitespace, comments and processing instructions outside the root element.
    /// Before the root it stops at the `<` of the root's start tag.
    mutating func skipMisc(afterRoot: Bool) throws(WeComXMLError) {
        let stray: WeComXMLError.Code = afterRoot ? .contentAfterRoot : .missingRoot
        while true {
            _ = skipWhitespace()
            guard pos < count else { return }
            guard bytes[pos] == .lessThan else { throw WeComXMLError(stray, at: pos) }
            guard pos + 1 < count else { throw WeComXMLError(.unexpectedEnd, at: count) }
            switch bytes[pos + 1] {
            case .question:
                try skipProcessingInstruction()
            case .bang:
                if matches("<!--", at: pos) {
                    try skipComment()
                } else if matches("<!DOCTYPE", at: pos) {
                    throw WeComXMLError(.doctypeNotAllowed, at: pos)
                } else {
                    throw WeComXMLError(afterRoot ? .contentAfterRoot : .malformedTag, at: pos)
                }
            default:
                if afterRoot { throw WeComXMLError(.contentAfterRoot, at: pos) }
                return
            }
        }
    }

    /// Parses the root element and everything inside it; `pos` is at the root's `<`.
    mutating func parseElements() throws(WeComXMLError) -> WeComXMLElement {
        if let root = try parseStartTag() { return root }
        while true {
            guard pos < count else {
                throw WeComXMLError(.unclosedElement, at: frames[frames.count - 1].tagStart)
            }
            let byte = bytes[pos]
            if byte == .lessThan {
                guard pos + 1 < count else { throw WeComXMLError(.unexpectedEnd, at: count) }
                switch bytes[pos + 1] {
                case .slash:
                    let element = try parseEndTag()
                    if frames.isEmpty { return element }
                    pendingChildren.append(element)
                case .bang:
                    try parseMarkupDeclaration()
                case .question:
                    try skipProcessingInstruction()
                default:
                    if let element = try parseStartTag() { pendingChildren.append(element) }
                }
            } else if byte == .ampersand {
                promoteTextToScratch()
                try decodeReference()
            } else {
                let start = pos
                while pos < count, bytes[pos] != .lessThan, bytes[pos] != .ampersand {
                    pos += 1
                }
                addRawText(start, pos)
            }
        }
    }

    /// Reads a start tag at `pos`. Returns the finished element when the tag is self-closing,
    /// otherwise pushes a frame and returns `nil`.
    mutating func parseStartTag() throws(WeComXMLError) -> WeComXMLElement? {
        let tagStart = pos
        pos += 1
        let (nameStart, nameEnd) = try scanName()
        guard frames.count < options.maxDepth else {
            throw WeComXMLError(.depthLimitExceeded, at: tagStart)
        }
        var attributes: [String: String]?
        var selfClosing = false
        while true {
            let spaced = skipWhitespace()
            guard pos < count else { throw WeComXMLError(.unexpectedEnd, at: count) }
            let byte = bytes[pos]
            if byte == .greaterThan {
                pos += 1
                break
            }
            if byte == .slash {
                guard pos + 1 < count else { throw WeComXMLError(.unexpectedEnd, at: count) }
                guard bytes[pos + 1] == .greaterThan else {
                    throw WeComXMLError(.malformedTag, at: pos)
                }
                pos += 2
                selfClosing = true
                break
            }
            guard spaced else { throw WeComXMLError(.malformedTag, at: pos) }
            try parseAttribute(into: &attributes)
        }
        if selfClosing {
            return WeComXMLElement(name: makeString(nameStart, nameEnd), attributes: attributes ?? [:])
        }
        frames.append(
            Frame(
                tagStart: tagStart, nameStart: nameStart, nameEnd: nameEnd, attributes: attributes,
                childStart: pendingChildren.count,
                scratchStart: scratch.count, textMode: .empty, sliceStart: 0, sliceEnd: 0))
        return nil
    }

    /// Reads `name="value"` (or single quotes) at `pos` into `attributes`.
    mutating func parseAttribute(into attributes: inout [String: String]?) throws(WeComXMLError) {
        let attributeStart = pos
        let (nameStart, nameEnd) = try scanName()
        _ = skipWhitespace()
        try expect(.equals)
        _ = skipWhitespace()
        guard pos < count else { throw WeComXMLError(.unexpectedEnd, at: count) }
        let quote = bytes[pos]
        guard quote == .doubleQuote || quote == .singleQuote else {
            throw WeComXMLError(.malformedTag, at: pos)
        }
        pos += 1
        let mark = scratch.count
        var runStart = pos
        while true {
            guard pos < count else { throw WeComXMLError(.unexpectedEnd, at: count) }
            let byte = bytes[pos]
            if byte == quote { break }
            if byte == .lessThan { throw WeComXMLError(.malformedTag, at: pos) }
            if byte == .ampersand {
                appendToScratch(runStart, pos)
                try decodeReference()
                runStart = pos
            } else {
                pos += 1
            }
        }
        appendToScratch(runStart, pos)
        pos += 1
        let value = scratch[mark...].withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
        scratch.removeLast(scratch.count - mark)
        let name = makeString(nameStart, nameEnd)
        if attributes == nil { attributes = [:] }
        guard attributes!.updateValue(value, forKey: name) == nil else {
            throw WeComXMLError(.duplicateAttribute, at: attributeStart)
        }
    }

    /// Reads an end tag at `pos`, closes the innermost open element and returns it.
    mutating func parseEndTag() throws(WeComXMLError) -> WeComXMLElement {
        let tagStart = pos
        pos += 2
        let (nameStart, nameEnd) = try scanName()
        _ = skipWhitespace()
        try expect(.greaterThan)
        let frame = frames.removeLast()
        guard sameBytes(frame.nameStart, frame.nameEnd, nameStart, nameEnd) else {
            throw WeComXMLError(.mismatchedTag, at: tagStart)
        }
        var children: [WeComXMLElement] = []
        let childCount = pendingChildren.count - frame.childStart
        if frame.childStart == 0 {
            // Every pending child is this element's: move the array instead of copying it.
            swap(&children, &pendingChildren)
        } else if childCount > 0 {
            children = Array(pendingChildren[frame.childStart...])
            pendingChildren.removeLast(childCount)
        }
        let text = makeText(of: frame, hasChildren: childCount > 0)
        if scratch.count > frame.scratchStart {
            scratch.removeLast(scratch.count - frame.scratchStart)
        }
        return WeComXMLElement(
            name: makeString(nameStart, nameEnd), text: text, attributes: frame.attributes ?? [:],
            children: children)
    }

    /// Handles `<!` inside an element: CDATA, comment, or a refused DOCTYPE.
    mutating func parseMarkupDeclaration() throws(WeComXMLError) {
        if matches("<![CDATA[", at: pos) {
            let start = pos + 9
            guard let end = find("]]>", from: start) else {
                throw WeComXMLError(.unexpectedEnd, at: count)
            }
            addRawText(start, end)
            pos = end + 3
        } else if matches("<!--", at: pos) {
            try skipComment()
        } else if matches("<!DOCTYPE", at: pos) {
            throw WeComXMLError(.doctypeNotAllowed, at: pos)
        } else {
            throw WeComXMLError(.malformedTag, at: pos)
        }
    }

    /// Skips `<!-- … -->` at `pos`.
    mutating func skipComment() throws(WeComXMLError) {
        guard let end = find("-->", from: pos + 4) else {
            throw WeComXMLError(.unexpectedEnd, at: count)
        }
        pos = end + 3
    }

    /// Skips `<? … ?>` at `pos`, including the XML declaration.
    mutating func skipProcessingInstruction() throws(WeComXMLError) {
        let start = pos
        pos += 2
        _ = try scanName()
        guard let end = find("?>", from: pos) else {
            throw WeComXMLError(.unexpectedEnd, at: count)
        }
        guard end == pos || isWhitespace(bytes[pos]) else {
            throw WeComXMLError(.malformedTag, at: start)
        }
        pos = end + 2
    }

    // MARK: Text

    /// Adds the raw input run `start..<end` to the innermost open element's text.
    mutating func addRawText(_ start: Int, _ end: Int) {
        guard start < end else { return }
        let top = frames.count - 1
        switch frames[top].textMode {
        case .empty:
            frames[top].textMode = .slice
            frames[top].sliceStart = start
            frames[top].sliceEnd = end
        case .slice:
            promoteTextToScratch()
            appendToScratch(start, end)
        case .scratch:
            appendToScratch(start, end)
        }
    }

    /// Moves the innermost element's text into `scratch` so decoded bytes can follow it.
    mutating func promoteTextToScratch() {
        let top = frames.count - 1
        if frames[top].textMode == .slice {
            appendToScratch(frames[top].sliceStart, frames[top].sliceEnd)
        }
        frames[top].textMode = .scratch
    }

    /// Appends the raw input bytes `start..<end` to `scratch`.
    mutating func appendToScratch(_ start: Int, _ end: Int) {
        guard start < end else { return }
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<end]))
    }

    /// The finished text of a closing element; whitespace-only text beside children is dropped.
    func makeText(of frame: Frame, hasChildren: Bool) -> String {
        switch frame.textMode {
        case .empty:
            return ""
        case .slice:
            let run = UnsafeBufferPointer(rebasing: bytes[frame.sliceStart..<frame.sliceEnd])
            return hasChildren && run.allSatisfy(isWhitespace) ? "" : String(decoding: run, as: UTF8.self)
        case .scratch:
            return scratch[frame.scratchStart...].withUnsafeBufferPointer { run in
                hasChildren && run.allSatisfy(isWhitespace) ? "" : String(decoding: run, as: UTF8.self)
            }
        }
    }
}
