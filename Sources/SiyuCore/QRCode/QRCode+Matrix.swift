/// The modules of a QR symbol while it is built: function patterns (finders, timing, alignment,
/// format and version information) are `reserved`; data fills the rest.
struct ModuleMatrix {
    let version: Int
    let size: Int
    var dark: [Bool]
    var reserved: [Bool]

    init(version: Int) {
        self.version = version
        size = 17 + 4 * version
        dark = Array(repeating: false, count: size * size)
        reserved = Array(repeating: false, count: size * size)
    }

    subscript(row: Int, column: Int) -> Bool {
        get { dark[row * size + column] }
        set { dark[row * size + column] = newValue }
    }

    mutating func setFunction(_ row: Int, _ column: Int, _ value: Bool) {
        dark[row * size + column] = value
        reserved[row * size + column] = true
    }

    func isReserved(_ row: Int, _ column: Int) -> Bool { reserved[row * size + column] }

    /// Centres of the alignment patterns along each axis, per version.
    static func alignmentCentres(version: Int) -> [Int] {
        let table: [[Int]] = [[], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50]]
        return table[version - 1]
    }

    mutating func drawFunctionPatterns() {
        for (row, column) in [(0, 0), (0, size - 7), (size - 7, 0)] { drawFinder(top: row, left: column) }
        // Alignment patterns before timing: only the finders may overlap (and suppress) one.
        let centres = Self.alignmentCentres(version: version)
        for row in centres {
            for column in centres where !isReserved(row, column) {
                for dy in -2...2 {
                    for dx in -2...2 { setFunction(row + dy, column + dx, max(abs(dx), abs(dy)) != 1) }
                }
            }
        }
        for index in 8..<(size - 8) {
            setFunction(6, index, index % 2 == 0)
            setFunction(index, 6, index % 2 == 0)
        }
        // Format information is written after masking; reserve its modules (and the dark module) now.
        drawFormat(mask: 0)
        if version >= 7 { drawVersion() }
    }

    /// A 7×7 finder with its light separator, clipped to the symbol.
    mutating func drawFinder(top: Int, left: Int) {
        for dy in -1...7 {
            for dx in -1...7 {
                let row = top + dy, column = left + dx
                guard (0..<size).contains(row), (0..<size).contains(column) else { continue }
                let ring = max(abs(dy - 3), abs(dx - 3))
                setFunction(row, column, ring != 2 && ring != 4)
            }
        }
    }

    /// The 15 format bits (level M, `mask`), BCH(15,5) protected, in both copies.
    mutating func drawFormat(mask: Int) {
        let data = mask // level M is 0b00
        var remainder = data
        for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
        let bits = ((data << 10) | remainder) ^ 0x5412
        func bit(_ index: Int) -> Bool { (bits >> index) & 1 == 1 }
        for index in 0..<6 { setFunction(index, 8, bit(index)) }
        setFunction(7, 8, bit(6))
        setFunction(8, 8, bit(7))
        setFunction(8, 7, bit(8))
        for index in 9..<15 { setFunction(8, 14 - index, bit(index)) }
        for index in 0..<8 { setFunction(8, size - 1 - index, bit(index)) }
        for index in 8..<15 { setFunction(size - 15 + index, 8, bit(index)) }
        setFunction(size - 8, 8, true)
    }

    /// The 18 version bits (versions 7 and up), BCH(18,6) protected, beside the two upper finders.
    mutating func drawVersion() {
        var remainder = version
        for _ in 0..<12 { remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25) }
        let bits = (version << 12) | remainder
        for index in 0..<18 {
            let value = (bits >> index) & 1 == 1
            let near = index / 3, far = size - 11 + index % 3
            setFunction(near, far, value)
            setFunction(far, near, value)
        }
    }

    /// Codewords bit by bit in the zig-zag of two-module columns from the bottom right, skipping
    /// the vertical timing pattern; leftover modules (remainder bits) stay light.
    mutating func placeData(_ codewords: [UInt8]) {
        let total = codewords.count * 8
        var index = 0
        var right = size - 1
        var upward = true
        while right > 0 {
            if right == 6 { right -= 1 }
            for step in 0..<size {
                let row = upward ? size - 1 - step : step
                for column in [right, right - 1] where !isReserved(row, column) {
                    if index < total { self[row, column] = (codewords[index / 8] >> (7 - index % 8)) & 1 == 1 }
                    index += 1
                }
            }
            upward.toggle()
            right -= 2
        }
    }

    static func maskCondition(_ mask: Int, _ row: Int, _ column: Int) -> Bool {
        switch mask {
        case 0: return (row + column) % 2 == 0
        case 1: return row % 2 == 0
        case 2: return column % 3 == 0
        case 3: return (row + column) % 3 == 0
        case 4: return (row / 2 + column / 3) % 2 == 0
        case 5: return (row * column) % 2 + (row * column) % 3 == 0
        case 6: return ((row * column) % 2 + (row * column) % 3) % 2 == 0
        default: return ((row + column) % 2 + (row * column) % 3) % 2 == 0
        }
    }

    /// A copy with `mask` applied to the data modules and its format information drawn.
    func masked(_ mask: Int) -> ModuleMatrix {
        var copy = self
        for row in 0..<size {
            for column in 0..<size where !isReserved(row, column) && Self.maskCondition(mask, row, column) {
                copy[row, column].toggle()
            }
        }
        copy.drawFormat(mask: mask)
        return copy
    }

    /// The standard's four penalty rules: runs of five or more, 2×2 blocks, finder-like
    /// 1:1:3:1:1 patterns with four light modules beside them, and imbalance of dark and light.
    func penalty() -> Int {
        var score = 0
        for line in 0..<size {
            score += Self.linePenalty((0..<size).map { self[line, $0] })
            score += Self.linePenalty((0..<size).map { self[$0, line] })
        }
        for row in 0..<(size - 1) {
            for column in 0..<(size - 1) {
                let value = self[row, column]
                if self[row, column + 1] == value, self[row + 1, column] == value, self[row + 1, column + 1] == value { score += 3 }
            }
        }
        let darkCount = dark.lazy.filter { $0 }.count
        let deviation = abs(darkCount * 100 / (size * size) - 50)
        score += 10 * (deviation / 5)
        return score
    }

    private static let finderLike: [Bool] = [true, false, true, true, true, false, true, false, false, false, false]

    /// Rules 1 and 3 along one row or column.
    static func linePenalty(_ line: [Bool]) -> Int {
        var score = 0
        var run = 1
        for index in 1...line.count {
            if index < line.count, line[index] == line[index - 1] {
                run += 1
            } else {
                if run >= 5 { score += 3 + run - 5 }
                run = 1
            }
        }
        let reversed = Array(finderLike.reversed())
        if line.count >= finderLike.count {
            for start in 0...(line.count - finderLike.count) {
                let window = line[start..<start + finderLike.count]
                if window.elementsEqual(finderLike) || window.elementsEqual(reversed) { score += 40 }
            }
        }
        return score
    }
}
