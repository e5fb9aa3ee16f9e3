import Foundation
import SiyuStore

/// How the console signs people in. The defaults are the production ones.
public struct ConsoleSettings: Sendable {
    /// Adds `Secure` to the console's cookies (behind HTTPS): `SIYU_COOKIE_SECURE=1`.
    public var secureCookies: Bool
    /// A session lives this long after its last request (sliding).
    public var sessionLifetime: TimeInterval
    /// Failed sign-ins for one username from one client address within ``throttleWindow`` before
    /// that username is refused at that address.
    public var maxFailures: Int
    public var throttleWindow: TimeInterval
    /// Failed sign-ins from one address, whatever the username, within ``throttleWindow`` before
    /// that address is refused altogether.
    public var maxFailuresPerAddress: Int
    /// Failed sign-ins for one username from all addresses within ``usernameWindow`` before the
    /// username is refused everywhere: a short hold against a guess spread over many addresses.
    public var maxFailuresPerUsername: Int
    public var usernameWindow: TimeInterval

    public init(
        secureCookies: Bool = false, sessionLifetime: TimeInterval = 12 * 3600,
        maxFailures: Int = 5, throttleWindow: TimeInterval = 15 * 60,
        maxFailuresPerAddress: Int = 20, maxFailuresPerUsername: Int = 20, usernameWindow: TimeInterval = 5 * 60
    ) {
        self.secureCookies = secureCookies
        self.sessionLifetime = sessionLifetime
        self.maxFailures = maxFailures
        self.throttleWindow = throttleWindow
        self.maxFailuresPerAddress = maxFailuresPerAddress
        self.maxFailuresPerUsername = maxFailuresPerUsername
        self.usernameWindow = usernameWindow
    }

    /// The three limits a sign-in must be within.
    var signInLimits: [SignInLimit] {
        [
            SignInLimit(.usernameAtAddress, maxFailures: maxFailures, window: throttleWindow),
            SignInLimit(.address, maxFailures: maxFailuresPerAddress, window: throttleWindow),
            SignInLimit(.username, maxFailures: maxFailuresPerUsername, window: usernameWindow),
        ]
    }

    /// Failures older than this count for no limit.
    var longestThrottleWindow: TimeInterval { max(throttleWindow, usernameWindow) }

    /// The settings the environment asks for (`SIYU_COOKIE_SECURE=1`).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> ConsoleSettings {
        ConsoleSettings(secureCookies: ["1", "true", "yes"].contains(environment["SIYU_COOKIE_SECURE"]?.lowercased() ?? ""))
    }

    /// A session is written back (its expiry slid forward) at most this often.
    var touchInterval: TimeInterval { min(60, sessionLifetime / 10) }
}
