import Foundation

/// A set of ledger ordinals — the stable numbers the store gives each customer and group of a
/// corp — kept sorted, and stored in whichever of two encodings is smaller: the gaps between
/// members as variable-length integers (sparse sets), or a bitmap from the smallest member
/// (dense sets: a campaign to most of a corp's customers costs one bit per customer).
public struct OrdinalSet: Sendable, Equatable, Sequence {
    /// The members, ascending, each once.
    public private(set) var members: [Int64]

    public init() { members = [] }

    /// A set of `ordinals` in any order, duplicates dropped.
    public init<S: Sequence<Int64>>(_ ordinals: S) {
        var sorted = Array(ordinals)
        sorted.sort()
        members = sorted
        members.removeAdjacentDuplicates()
    }

    /// `members` that are already ascending and distinct (the caller's promise, checked in debug).
    public init(sortedMembers: [Int64]) {
        assert(zip(sortedMembers, sortedMembers.dropFirst()).allSatisfy { $0 < $1 })
        members = sortedMembers
    }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }
    public func makeIterator() -> IndexingIterator<[Int64]> { members.makeIterator() }

    public func contains(_ ordinal: Int64) -> Bool {
        var low = 0, high = members.count
        while low < high {
            let mid = (low + high) / 2
            if members[mid] < ordinal { low = mid + 1 } else { high = mid }
        }
        return low < members.count && members[low] == ordinal
    }

    /// The members not in `other`.
    public func subtracting(_ other: OrdinalSet) -> OrdinalSet {
        var kept: [Int64] = []
        kept.reserveCapacity(members.count)
        var j = 0
        for ordinal in members {
            while j < other.members.count, other.members[j] < ordinal { j += 1 }
            if j < other.members.count, other.members[j] == ordinal { continue }
            kept.append(ordinal)
        }
        return OrdinalSet(sortedMembers: kept)
    }

    /// The members of either set.
    public func union(_ other: OrdinalSet) -> OrdinalSet {
        var merged: [Int64] = []
        merged.reserveCapacity(members.count + other.members.count)
        var i = 0, j = 0
        while i < members.count || j < other.members.count {
            if j == other.members.count || (i < members.count && members[i] < other.members[j]) {
                merged.append(members[i]); i += 1
            } else if i == members.count || other.members[j] < members[i] {
                merged.append(other.members[j]); j += 1
            } else {
                merged.append(members[i]); i += 1; j += 1
            }
        }
        return OrdinalSet(sortedMembers: merged)
    }

    // MARK: Encoding

    private static let gapsFormat: UInt8 = 1
    private static let bitmapFormat: UInt8 = 2

    /// The stored form: a format byte, then the gaps or the bitmap.
    public var encoded: Data {
        guard let first = members.first, let last = members.last else { return Data([Self.gapsFormat]) }
        var gapBytes = 0
        var previous: Int64 = -1
        for ordinal in members {
            gapBytes += Self.varintSize(UInt64(ordinal - previous))
            previous = ordinal
        }
        let bitmapBytes = Self.varintSize(UInt64(first)) + Int((last - first) / 8 + 1)
        var data = Data()
        if bitmapBytes < gapBytes {
            data.reserveCapacity(1 + bitmapBytes)
            data.append(Self.bitmapFormat)
            Self.appendVarint(UInt64(first), to: &data)
            var bits = [UInt8](repeating: 0, count: Int((last - first) / 8 + 1))
            for ordinal in members {
                let offset = Int(ordinal - first)
                bits[offset >> 3] |= 1 << UInt8(offset & 7)
            }
            data.append(contentsOf: bits)
        } else {
            data.reserveCapacity(1 + gapBytes)
            data.append(Self.gapsFormat)
            var previous: Int64 = -1
            for ordinal in members {
                Self.appendVarint(UInt64(ordinal - previous), to: &data)
                previous = ordinal
            }
        }
        return data
    }

    /// Decodes ``encoded``; throws on bytes no encoding produces.
    public init(encoded data: Data) throws {
        let bytes = [UInt8](data)
        guard let format = bytes.first else { throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "an empty ordinal set")) }
        var index = 1
        var members: [Int64] = []
        switch format {
        case Self.gapsFormat:
            var previous: Int64 = -1
            while index < bytes.count {
                let gap = try Self.readVarint(bytes, &index)
                guard gap > 0 else { throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "a zero gap in an ordinal set")) }
                previous += Int64(gap)
                members.append(previous)
            }
        case Self.bitmapFormat:
            let base = Int64(try Self.readVarint(bytes, &index))
            members.reserveCapacity((bytes.count - index) * 4)
            var offset: Int64 = 0
            while index < bytes.count {
                var byte = bytes[index]
                while byte != 0 {
                    let bit = Int64(byte.trailingZeroBitCount)
                    members.append(base + offset + bit)
                    byte &= byte - 1
                }
                offset += 8
                index += 1
            }
        default:
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "an ordinal set of unknown format \(format)"))
        }
        self.members = members
    }

    private static func varintSize(_ value: UInt64) -> Int {
        Swift.max(1, (64 - value.leadingZeroBitCount + 6) / 7)
    }

    private static func appendVarint(_ value: UInt64, to data: inout Data) {
        var value = value
        while value >= 0x80 {
            data.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        data.append(UInt8(value))
    }

    private static func readVarint(_ bytes: [UInt8], _ index: inout Int) throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
            guard shift < 64 else { break }
        }
        throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "a truncated ordinal set"))
    }
}

extension Array where Element: Equatable {
    /// Drops each element equal to the one before it (on a sorted array: the duplicates).
    mutating func removeAdjacentDuplicates() {
        guard count > 1 else { return }
        var kept = 1
        for index in 1..<count where self[index] != self[kept - 1] {
            self[kept] = self[index]
            kept += 1
        }
        removeLast(count - kept)
    }
}
