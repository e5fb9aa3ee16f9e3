import Testing

@testable import SiyuCore

@Suite("QR codes")
struct QRCodeTests {
    @Test("Reed–Solomon: the error correction of the well-known 1-M \"HELLO WORLD\" data codewords")
    func reedSolomon() {
        let data: [UInt8] = [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17]
        #expect(ReedSolomon.errorCorrection(for: data, count: 10) == [196, 35, 39, 119, 235, 215, 231, 226, 93, 23])
    }

    /// Matrices this encoder produced and two independent decoders (zbar 0.23 through pyzbar, and
    /// OpenCV 4's QRCodeDetector) read back as the input, checked once by hand when the encoder was
    /// written; a change here means the encoder's output changed.
    static let knownGood: [(text: String, mask: Int, rows: [String])] = [
        ("hi", 2, [
            "111111100111101111111",
            "100000100110101000001",
            "101110101101101011101",
            "101110101100101011101",
            "101110101001101011101",
            "100000101100101000001",
            "111111101010101111111",
            "000000001011100000000",
            "101111100000101111100",
            "011101010010100100001",
            "001100110101010011110",
            "111010000100000110100",
            "111010100001010010101",
            "000000001001111001001",
            "111111100010101100010",
            "100000101111111001001",
            "101110101000100100100",
            "101110101110100100100",
            "101110101001010011100",
            "100000100110000110100",
            "111111101011010011110",
        ]),
        ("Siyu 私域", 2, [
            "111111100010001111111",
            "100000100001101000001",
            "101110101111001011101",
            "101110101111001011101",
            "101110101000101011101",
            "100000101001001000001",
            "111111101010101111111",
            "000000001110000000000",
            "101111100111001111100",
            "000001011001100100001",
            "000101110100110111110",
            "001011000101111011111",
            "101111101010101001000",
            "000000001110110110010",
            "111111100001010111110",
            "100000101110001011111",
            "101110101111010001001",
            "101110101000111111100",
            "101110101110111011100",
            "100000100101001100100",
            "111111101011010100010",
        ]),
    ]

    @Test("known-good version 1 symbols, module for module")
    func knownMatrices() throws {
        for known in Self.knownGood {
            let code = try QRCode(text: known.text)
            #expect(code.version == 1 && code.mask == known.mask)
            let rows = (0..<code.size).map { row in String((0..<code.size).map { code[row, $0] ? "1" : "0" }) }
            #expect(rows == known.rows, "\(known.text)")
        }
    }

    @Test("byte mode codewords: mode, count, data, terminator, alternating pad bytes")
    func codewords() {
        let words = QRCode.codewords(Array("hi".utf8), version: 1)
        // 0100 00000010 01101000 01101001 0000 → 0x40 0x26 0x86 0x90, then 0xEC 0x11 …
        #expect(Array(words.prefix(7)) == [0x40, 0x26, 0x86, 0x90, 0xEC, 0x11, 0xEC])
        #expect(words.count == 26)
    }

    @Test("the smallest version that holds the bytes, up to 213 bytes in version 10")
    func versions() throws {
        #expect(try QRCode(bytes: Array(repeating: 0x61, count: 14)).version == 1)
        #expect(try QRCode(bytes: Array(repeating: 0x61, count: 15)).version == 2)
        #expect(try QRCode(text: "https://work.weixin.qq.com/ca/0123456789abcdef0123456789abcdef").version == 4)
        let largest = try QRCode(bytes: Array(repeating: 0x61, count: 213))
        #expect(largest.version == 10 && largest.size == 57)
        #expect(throws: QRCodeError.tooLong(bytes: 214, maximum: 213)) { try QRCode(bytes: Array(repeating: 0x61, count: 214)) }
    }

    @Test("function patterns: finders, timing, the dark module; format bits name level M and the mask", arguments: [1, 2, 6, 7, 10])
    func functionPatterns(version: Int) throws {
        let code = try QRCode(bytes: Array("siyu".utf8), version: version, mask: nil)
        let n = code.size
        for (top, left) in [(0, 0), (0, n - 7), (n - 7, 0)] {
            for dy in 0..<7 {
                for dx in 0..<7 {
                    let ring = max(abs(dy - 3), abs(dx - 3))
                    #expect(code[top + dy, left + dx] == (ring != 2), "finder at \(top),\(left)")
                }
            }
        }
        for index in 8..<(n - 8) {
            #expect(code[6, index] == (index % 2 == 0))
            #expect(code[index, 6] == (index % 2 == 0))
        }
        #expect(code[n - 8, 8])
        // The first copy of the format information, read back and unmasked.
        var bits = 0
        for column in [0, 1, 2, 3, 4, 5, 7, 8] { bits = bits << 1 | (code[8, column] ? 1 : 0) }
        for row in [7, 5, 4, 3, 2, 1, 0] { bits = bits << 1 | (code[row, 8] ? 1 : 0) }
        let format = bits ^ 0x5412
        #expect(format >> 13 == 0b00, "level M")
        #expect((format >> 10) & 0b111 == code.mask)
        // Both copies agree.
        var second = 0
        for row in stride(from: n - 1, through: n - 7, by: -1) { second = second << 1 | (code[row, 8] ? 1 : 0) }
        for column in (n - 8)..<n { second = second << 1 | (code[8, column] ? 1 : 0) }
        #expect(second == bits)
    }

    @Test("version information from version 7: six bits of version, twelve of BCH")
    func versionInformation() throws {
        let code = try QRCode(bytes: Array(repeating: 0x41, count: 110))
        #expect(code.version == 7)
        var bits = 0
        for index in stride(from: 17, through: 0, by: -1) { bits = bits << 1 | (code[index / 3, code.size - 11 + index % 3] ? 1 : 0) }
        #expect(bits == 0x07C94, "the standard's version 7 information")
    }

    @Test("every mask gives a valid symbol; the chosen one has the lowest penalty")
    func masks() throws {
        let bytes = Array("https://work.weixin.qq.com/ca/demo".utf8)
        let chosen = try QRCode(bytes: bytes)
        var matrix = ModuleMatrix(version: chosen.version)
        matrix.drawFunctionPatterns()
        matrix.placeData(QRCode.codewords(bytes, version: chosen.version))
        let penalties = (0...7).map { matrix.masked($0).penalty() }
        #expect(penalties[chosen.mask] == penalties.min())
        #expect(throws: QRCodeError.invalidMask(8)) { try QRCode(bytes: bytes, version: 3, mask: 8) }
    }

    @Test("SVG: a white square with the dark modules as one path, quiet zone included")
    func svg() throws {
        let code = try QRCode(text: "hi")
        let svg = code.svg(moduleSize: 4, quietZone: 4)
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"116\" height=\"116\" viewBox=\"0 0 29 29\""))
        #expect(svg.contains("<path d=\"M4 4h7v1h-7z"))
        #expect(svg.hasSuffix("</svg>"))
    }
}
