import Foundation

/// Where the data lives: a SQLite file (the default) or a PostgreSQL server.
///
/// Accepted forms: `sqlite:./siyu.db`, `sqlite:///abs/path.db`, a bare path ending in
/// `.db`/`.sqlite`, and `postgres://user:pass@host:port/db?sslmode=disable|prefer|require`
/// (`postgresql://` too).
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresLocation)

    public static let defaultSQLite = DatabaseLocation.sqlite(path: "./siyu.db")

    public init(parsing text: String) throws(StoreError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("postgres://") || trimmed.hasPrefix("postgresql://") {
            self = .postgres(try PostgresLocation(url: trimmed))
        } else if trimmed.hasPrefix("sqlite:") {
            var path = String(trimmed.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path.removeFirst(2) }
            guard !path.isEmpty else {
                throw StoreError(.badLocation, "the sqlite: location has no file path; write it as sqlite:./siyu.db")
            }
            self = .sqlite(path: path)
        } else if !trimmed.contains("://"), trimmed.hasSuffix(".db") || trimmed.hasSuffix(".sqlite") {
            self = .sqlite(path: trimmed)
        } else {
            let scheme = trimmed.split(separator: ":", maxSplits: 1).first.map(String.init) ?? trimmed
            throw StoreError(
                .badLocation,
                "unsupported database '\(scheme)'; use sqlite:./siyu.db or postgres://user:password@127.0.0.1:5432/siyu"
            )
        }
    }

    /// The folder in which files that belong beside the database (the development master key) go.
    public var companionDirectory: String {
        switch self {
        case .sqlite(let path):
            let dir = (path as NSString).deletingLastPathComponent
            return dir.isEmpty ? "." : dir
        case .postgres:
            return "."
        }
    }

    /// A description without the password, safe for logs.
    public var description: String {
        switch self {
        case .sqlite(let path): return "sqlite:\(path)"
        case .postgres(let pg): return "postgres://\(pg.username)@\(pg.host):\(pg.port)/\(pg.database)"
        }
    }
}

/// The parts of a PostgreSQL URL.
public struct PostgresLocation: Sendable, Equatable {
    public enum TLSMode: String, Sendable { case disable, prefer, require }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode

    init(url: String) throws(StoreError) {
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty else {
            throw StoreError(.badLocation, "cannot read the PostgreSQL URL; write it as postgres://user:password@127.0.0.1:5432/siyu")
        }
        self.host = host
        self.port = components.port ?? 5432
        self.username = components.user.flatMap { $0.removingPercentEncoding } ?? "postgres"
        self.password = components.password.flatMap { $0.removingPercentEncoding }
        let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        self.database = path.isEmpty ? self.username : path
        let mode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "prefer"
        guard let tls = TLSMode(rawValue: mode) else {
            throw StoreError(.badLocation, "sslmode '\(mode)' is not supported; use disable, prefer or require")
        }
        self.tls = tls
    }
}
