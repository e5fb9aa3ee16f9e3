/// A storage failure with a stable code and a message that says what to do.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case badLocation = "bad_location"
        case unreachable
        /// The database is there but cannot answer now (an outage, a connection lost, a lock held
        /// too long): retry shortly. The HTTP edge answers 503 with `Retry-After`.
        case unavailable = "database_unavailable"
        case notADatabase = "not_a_database"
        case readOnly = "read_only"
        case notMigrated = "not_migrated"
        case newerSchema = "newer_schema"
        case duplicate
        case notFound = "not_found"
        case masterKeyMissing = "master_key_missing"
        case masterKeyMalformed = "master_key_malformed"
        case masterKeyMismatch = "master_key_mismatch"
        case corruptSecret = "corrupt_secret"
        /// A stored value no type of this build knows (a migration bug): never decoded to a default.
        case corruptRow = "corrupt_row"
        case io
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
