/// A QR code (ISO/IEC 18004) of some bytes: byte mode, error-correction level M, versions 1 to 10
/// (up to 213 bytes), the mask with the lowest penalty. Pure: build it, read its modules, render SVG.
///
/// ```swift
/// let code = try QRCode(text: "https://work.weixin.qq.com/ca/abc")
/// let svg = code.svg()
/// ```
public struct QRCode: Sendable, Equatable {
    /// 1…10; the side is `17 + 4 × version` modules.
    public let version: Int
    /// The data mask (0…7) applied.
    public let mask: Int
    /// Modules per side.
    public let size: Int
    /// Row-major, `true` for a dark module.
    public let modules: [Bool]

    public static let versions = 1...10

    /// The smallest version that holds `bytes`, with the best mask.
    public init(bytes: [UInt8]) throws(QRCodeError) {
        guard let version = Self.versions.first(where: { Self.fits(bytes.count, version: $0) }) else {
            throw QRCodeError.tooLong(bytes: bytes.count, maximum: Self.capacity(version: Self.versions.upperBound))
        }
        try self.init(bytes: bytes, version: version, mask: nil)
    }

    /// The UTF-8 bytes of `text`.
    public init(text: String) throws(QRCodeError) {
        try self.init(bytes: Array(text.utf8))
    }

    /// A fixed version and, when given, a fixed mask (otherwise the one with the lowest penalty).
    public init(bytes: [UInt8], version: Int, mask: Int?) throws(QRCodeError) {
        guard Self.versions.contains(version), Self.fits(bytes.count, version: version) else {
            throw QRCodeError.tooLong(bytes: bytes.count, maximum: Self.versions.contains(version) ? Self.capacity(version: version) : 0)
        }
        var matrix = ModuleMatrix(version: version)
        matrix.drawFunctionPatterns()
        matrix.placeData(Self.codewords(bytes, version: version))
        let chosen: Int
        if let mask {
            guard (0...7).contains(mask) else { throw QRCodeError.invalidMask(mask) }
            chosen = mask
        } else {
            chosen = (0...7).min { matrix.masked($0).penalty() < matrix.masked($1).penalty() }!
        }
        let final = matrix.masked(chosen)
        self.version = version
        self.mask = chosen
        self.size = final.size
        self.modules = final.dark
    }

    public subscript(row: Int, column: Int) -> Bool {
        modules[row * size + column]
    }

    /// The code as a standalone SVG image: black modules on white, `quietZone` light modules around it.
    public func svg(moduleSize: Int = 8, quietZone: Int = 4) -> String {
        let side = size + 2 * quietZone
        var path = ""
        for row in 0..<size {
            var column = 0
            while column < size {
                guard self[row, column] else { column += 1; continue }
                var run = 1
                while column + run < size, self[row, column + run] { run += 1 }
                path += "M\(column + quietZone) \(row + quietZone)h\(run)v1h-\(run)z"
                column += run
            }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(side * moduleSize)" height="\(side * moduleSize)" \
            viewBox="0 0 \(side) \(side)" shape-rendering="crispEdges">\
            <rect width="\(side)" height="\(side)" fill="#fff"/><path d="\(path)" fill="#000"/></svg>
            """
    }

    // MARK: Capacity and codewords

    /// Error correction M per version: codewords per block and the data codewords of each block.
    struct BlockLayout {
        var ecPerBlock: Int
        var dataPerBlock: [Int]
        var dataCodewords: Int { dataPerBlock.reduce(0, +) }
    }

    static func layout(version: Int) -> BlockLayout {
        let table: [(ec: Int, blocks: Int, data: Int, longBlocks: Int)] = [
            (10, 1, 16, 0), (16, 1, 28, 0), (26, 1, 44, 0), (18, 2, 32, 0), (24, 2, 43, 0),
            (16, 4, 27, 0), (18, 4, 31, 0), (22, 2, 38, 2), (22, 3, 36, 2), (26, 4, 43, 1),
        ]
        let row = table[version - 1]
        return BlockLayout(ecPerBlock: row.ec, dataPerBlock: Array(repeating: row.data, count: row.blocks) + Array(repeating: row.data + 1, count: row.longBlocks))
    }

    static func countBits(version: Int) -> Int { version < 10 ? 8 : 16 }

    /// The most bytes a version holds in byte mode.
    static func capacity(version: Int) -> Int {
        (layout(version: version).dataCodewords * 8 - 4 - countBits(version: version)) / 8
    }

    static func fits(_ count: Int, version: Int) -> Bool { count <= capacity(version: version) }

    /// Mode, count, data, terminator and padding, split into blocks, each followed by its
    /// error correction, interleaved in the order the symbol holds them.
    static func codewords(_ bytes: [UInt8], version: Int) -> [UInt8] {
        let layout = layout(version: version)
        var bits = BitBuffer()
        bits.append(0b0100, count: 4)
        bits.append(bytes.count, count: countBits(version: version))
        for byte in bytes { bits.append(Int(byte), count: 8) }
        let capacityBits = layout.dataCodewords * 8
        bits.append(0, count: min(4, capacityBits - bits.count))
        bits.append(0, count: (8 - bits.count % 8) % 8)
        var data = bits.bytes
        var pad: UInt8 = 0xEC
        while data.count < layout.dataCodewords {
            data.append(pad)
            pad = pad == 0xEC ? 0x11 : 0xEC
        }
        var blocks: [[UInt8]] = []
        var start = 0
        for length in layout.dataPerBlock {
            blocks.append(Array(data[start..<start + length]))
            start += length
        }
        let corrections = blocks.map { ReedSolomon.errorCorrection(for: $0, count: layout.ecPerBlock) }
        var result: [UInt8] = []
        for index in 0..<(layout.dataPerBlock.max() ?? 0) {
            for block in blocks where index < block.count { result.append(block[index]) }
        }
        for index in 0..<layout.ecPerBlock {
            for correction in corrections { result.append(correction[index]) }
        }
        return result
    }
}

/// Why a QR code cannot be made.
public enum QRCodeError: Error, Sendable, Equatable {
    case tooLong(bytes: Int, maximum: Int)
    case invalidMask(Int)
}

/// Bits appended most significant first.
struct BitBuffer {
    private(set) var bits: [Bool] = []
    var count: Int { bits.count }

    mutating func append(_ value: Int, count: Int) {
        for shift in stride(from: count - 1, through: 0, by: -1) { bits.append((value >> shift) & 1 == 1) }
    }

    var bytes: [UInt8] {
        stride(from: 0, to: bits.count, by: 8).map { start in
            bits[start..<min(start + 8, bits.count)].reduce(UInt8(0)) { $0 << 1 | ($1 ? 1 : 0) }
        }
    }
}
