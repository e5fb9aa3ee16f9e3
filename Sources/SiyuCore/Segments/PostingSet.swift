import Foundation

/// The customers (ordinals) that have one tag, channel, member, department or group.
///
/// Small sets are a sorted `[Int32]`; once that would take more bytes than a bitmap over the
/// whole population they become a bitmap of `[UInt64]` words (bit `i % 64` of word `i / 64`),
/// and they go back to a sorted list when the population grows past them. So thousands of
/// small groups cost little, and big tags evaluate word by word.
struct PostingSet: Sendable {
    private(set) var words: [UInt64] = []
    private(set) var sorted: [Int32] = []
    private(set) var isDense = false
    private(set) var count = 0

    func contains(_ ordinal: Int32) -> Bool {
        if isDense {
            let word = Int(ordinal) >> 6
            return word < words.count && words[word] & (1 << UInt64(ordinal & 63)) != 0
        }
        return Self.search(sorted, ordinal).found
    }

    /// Adds `ordinal`; `universeWords` is the bitmap size for the current population.
    @discardableResult
    mutating func insert(_ ordinal: Int32, universeWords: Int) -> Bool {
        if isDense {
            let word = Int(ordinal) >> 6
            if word >= words.count {
                if count < universeWords {  // the population outgrew this set: back to a list
                    makeSparse()
                    return insert(ordinal, universeWords: universeWords)
                }
                words.append(contentsOf: repeatElement(0, count: max(word + 1, universeWords) - words.count))
            }
            let bit: UInt64 = 1 << UInt64(ordinal & 63)
            guard words[word] & bit == 0 else { return false }
            words[word] |= bit
        } else {
            if let last = sorted.last, last < ordinal {
                sorted.append(ordinal)
            } else {
                let (found, at) = Self.search(sorted, ordinal)
                guard !found else { return false }
                sorted.insert(ordinal, at: at)
            }
            if sorted.count > 2 * universeWords { makeDense(universeWords: universeWords) }
        }
        count += 1
        return true
    }

    @discardableResult
    mutating func remove(_ ordinal: Int32) -> Bool {
        if isDense {
            let word = Int(ordinal) >> 6
            let bit: UInt64 = 1 << UInt64(ordinal & 63)
            guard word < words.count, words[word] & bit != 0 else { return false }
            words[word] &= ~bit
        } else {
            let (found, at) = Self.search(sorted, ordinal)
            guard found else { return false }
            sorted.remove(at: at)
        }
        count -= 1
        return true
    }

    var residentBytes: Int { words.capacity * 8 + sorted.capacity * 4 }

    private mutating func makeDense(universeWords: Int) {
        var bitmap = [UInt64](repeating: 0, count: max(universeWords, Int(sorted.last ?? 0) >> 6 + 1))
        for ordinal in sorted { bitmap[Int(ordinal) >> 6] |= 1 << UInt64(ordinal & 63) }
        words = bitmap
        sorted = []
        isDense = true
    }

    private mutating func makeSparse() {
        var list: [Int32] = []
        list.reserveCapacity(count)
        forEachMember { list.append($0) }
        sorted = list
        words = []
        isDense = false
    }

    func forEachMember(_ body: (Int32) -> Void) {
        if !isDense {
            sorted.forEach(body)
            return
        }
        for (index, word) in words.enumerated() {
            var bits = word
            while bits != 0 {
                body(Int32(index << 6 | bits.trailingZeroBitCount))
                bits &= bits &- 1
            }
        }
    }

    private static func search(_ list: [Int32], _ ordinal: Int32) -> (found: Bool, at: Int) {
        var low = 0, high = list.count
        while low < high {
            let mid = (low + high) >> 1
            if list[mid] < ordinal { low = mid + 1 } else { high = mid }
        }
        return (low < list.count && list[low] == ordinal, low)
    }

    // MARK: Combining into a result bitmap (every result has the population's word count).

    /// `result = self`
    func copy(into result: UnsafeMutableBufferPointer<UInt64>) {
        result.update(repeating: 0)
        combine(into: result, .or)
    }

    enum Operation { case and, or, andNot }

    /// `result = result (and | or | and not) self`, word by word for bitmaps, element by element
    /// for lists.
    func combine(into result: UnsafeMutableBufferPointer<UInt64>, _ operation: Operation) {
        if isDense {
            words.withUnsafeBufferPointer { source in
                let shared = min(source.count, result.count)
                switch operation {
                case .and:
                    for i in 0..<shared { result[i] &= source[i] }
                    for i in shared..<result.count { result[i] = 0 }
                case .or:
                    for i in 0..<shared { result[i] |= source[i] }
                case .andNot:
                    for i in 0..<shared { result[i] &= ~source[i] }
                }
            }
            return
        }
        sorted.withUnsafeBufferPointer { list in
            switch operation {
            case .or:
                for ordinal in list { result[Int(ordinal) >> 6] |= 1 << UInt64(ordinal & 63) }
            case .andNot:
                for ordinal in list { result[Int(ordinal) >> 6] &= ~(1 << UInt64(ordinal & 63)) }
            case .and:
                var next = 0  // the first word not yet masked
                var i = 0
                while i < list.count {
                    let word = Int(list[i]) >> 6
                    var mask: UInt64 = 0
                    while i < list.count, Int(list[i]) >> 6 == word {
                        mask |= 1 << UInt64(list[i] & 63)
                        i += 1
                    }
                    for w in next..<word { result[w] = 0 }
                    result[word] &= mask
                    next = word + 1
                }
                for w in next..<result.count { result[w] = 0 }
            }
        }
    }
}
