import Foundation

/// How the console signs people in. The defaults are the production ones.
public struct ConsoleSettings: Sendable {
    /// Adds `Secure` to the console's cookies (behind HTTPS): `SIYU_COOKIE_SECURE=1`.
    public var secureCookies: Bool
    /// A session lives this long after its last request (sliding).
    public var sessionLifetime: TimeInterval
    /// Failed sign-ins per username within ``throttleWindow`` before sign-in is refused.
    public var maxFailures: Int
    public var throttleWindow: TimeInterval

    public init(
        secureCookies: Bool = false, sessionLifetime: TimeInterval = 12 * 3600,
        maxFailures: Int = 5, throttleWindow: TimeInterval = 15 * 60
    ) {
        self.secureCookies = secureCookies
        self.sessionLifetime = sessionLifetime
        self.maxFailures = maxFailures
        self.throttleWindow = throttleWindow
    }

    /// The settings the environment asks for (`SIYU_COOKIE_SECURE=1`).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> ConsoleSettings {
        ConsoleSettings(secureCookies: ["1", "true", "yes"].contains(environment["SIYU_COOKIE_SECURE"]?.lowercased() ?? ""))
    }

    /// A session is written back (its expiry slid forward) at most this often.
    var touchInterval: TimeInterval { min(60, sessionLifetime / 10) }
}
