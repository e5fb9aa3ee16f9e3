import Foundation
import Synchronization

/// An error the sandbox answers with, exactly as the platform would: HTTP 200 and a non-zero errcode.
public struct SandboxError: Error, Sendable, Equatable {
    public var errcode: Int
    public var errmsg: String

    public init(_ errcode: Int, _ errmsg: String) {
        self.errcode = errcode
        self.errmsg = errmsg
    }

    static let invalidCorpID = SandboxError(40013, "invalid corpid")
    static let invalidCredential = SandboxError(40001, "invalid credential, hint: [sandbox] secret does not match")
    static let missingToken = SandboxError(41001, "access_token missing")
    static let invalidToken = SandboxError(40014, "invalid access_token")
    static let expiredToken = SandboxError(42001, "access_token expired")
    static let invalidExternalUser = SandboxError(40096, "invalid external userid")
    static let noRelation = SandboxError(84061, "not exist external contact")
    static let invalidUser = SandboxError(60111, "invalid userid")
    static let invalidTag = SandboxError(40068, "invalid tagid")
    static let invalidChat = SandboxError(40050, "invalid chatid")
    static let welcomeCodeUsed = SandboxError(41051, "welcome code has been used or expired")
    static let dataFormat = SandboxError(47001, "data format error")

    static func invalidParameter(_ detail: String) -> SandboxError {
        SandboxError(40058, "invalid parameter, hint: [sandbox] \(detail)")
    }
}

/// The sandbox's time: real time unless a test pins it, so replays are exact.
public final class SandboxClock: Sendable {
    private let pinned: Mutex<Date?>
    /// When the pinned time was last set or moved.
    private let setAt = Mutex(ContinuousClock.now)

    public init(pinnedAt date: Date? = nil) {
        pinned = Mutex(date)
    }

    public var now: Date { pinned.withLock { $0 } ?? Date() }

    /// The pinned time plus the real time since it was last set or moved (real time when not
    /// pinned): for a client under test whose own pacing (polls every few milliseconds, retry
    /// backoff) must go on while the platform's time stands still. It never falls behind `now`
    /// and catches up with every `advance` and `pin`.
    public var running: Date {
        guard let date = pinned.withLock({ $0 }) else { return Date() }
        let elapsed = ContinuousClock.now - setAt.withLock { $0 }
        return date.addingTimeInterval(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// Unix seconds, the platform's time unit.
    public var unixNow: Int { Int(now.timeIntervalSince1970) }

    /// Pins the clock (or moves a pinned clock) forward.
    public func advance(by seconds: TimeInterval) {
        pinned.withLock { date in date = (date ?? Date()).addingTimeInterval(seconds) }
        setAt.withLock { $0 = .now }
    }

    public func pin(at date: Date) {
        pinned.withLock { $0 = date }
        setAt.withLock { $0 = .now }
    }

    /// The pinned time, or nil when the clock follows real time.
    public var pinnedDate: Date? { pinned.withLock { $0 } }

    /// Back to real time.
    public func unpin() {
        pinned.withLock { $0 = nil }
    }
}

/// SplitMix64: a small, fast generator that replays exactly under the same seed.
/// The sandbox's ids and the tests' fuzz inputs both come from it.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Deterministic ids in the platform's shapes.
struct IDGenerator: Sendable {
    private var generator: SeededGenerator

    init(seed: UInt64) {
        generator = SeededGenerator(seed: seed)
    }

    mutating func next() -> UInt64 {
        generator.next()
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    private static let hexDigits = Array("0123456789abcdef")

    mutating func text(_ prefix: String, length: Int) -> String {
        prefix + String((0..<length).map { _ in Self.alphabet[Int(next() % UInt64(Self.alphabet.count))] })
    }

    mutating func hex(_ length: Int) -> String {
        String((0..<length).map { _ in Self.hexDigits[Int(next() % 16)] })
    }

    /// `wm…` (a WeChat customer), 32 characters.
    mutating func externalUserID() -> String { text("wm", length: 30) }
    /// `wr…`, 32 characters.
    mutating func chatID() -> String { text("wr", length: 30) }
    /// `et…`, 32 characters (tags and tag groups).
    mutating func tagID() -> String { text("et", length: 30) }
    /// `msg…`.
    mutating func msgID() -> String { text("msg", length: 24) }
    /// 32 hex characters.
    mutating func configID() -> String { hex(32) }
}
