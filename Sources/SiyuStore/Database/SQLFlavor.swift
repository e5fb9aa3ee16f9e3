import SQLKit

/// The SQL dialect differences Siyu relies on, in one place.
///
/// Everything else is plain SQL that both SQLite (3.35+) and PostgreSQL accept:
/// `ON CONFLICT … DO NOTHING/UPDATE`, `RETURNING`, `BIGINT`/`TEXT` columns.
public enum SQLFlavor: String, Sendable {
    case sqlite
    case postgres

    /// Appended to a `SELECT` that picks rows to claim: on PostgreSQL concurrent claimers skip
    /// each other's rows; on SQLite the single writer connection already serialises claims.
    var claimLockClause: String {
        switch self {
        case .sqlite: return ""
        case .postgres: return " FOR UPDATE SKIP LOCKED"
        }
    }

    /// Statement that serialises migrations across processes inside the migration transaction.
    var migrationLockStatement: String? {
        switch self {
        case .sqlite: return nil  // BEGIN IMMEDIATE already holds the write lock
        case .postgres: return "SELECT pg_advisory_xact_lock(7301958)"
        }
    }
}

extension SQLFlavor {
    /// The most bind parameters one statement may carry: SQLite's default
    /// `SQLITE_MAX_VARIABLE_NUMBER` since 3.32 (the bundled build allows more), and the
    /// PostgreSQL wire protocol's 16-bit parameter count.
    var maxBindParameters: Int {
        switch self {
        case .sqlite: 32_766
        case .postgres: 65_535
        }
    }

    /// The flavor behind a connection, from its SQL dialect.
    init(_ dialect: any SQLDialect) {
        self = dialect.name == "postgresql" ? .postgres : .sqlite
    }

    /// Serialises contact-budget planning for one corp inside a transaction: SQLite's single
    /// writer already does; PostgreSQL takes a transaction-scoped advisory lock on the corp.
    func contactBudgetLock(corpID: String) -> SQLQueryString? {
        switch self {
        case .sqlite: nil
        case .postgres: "SELECT pg_advisory_xact_lock(hashtext(\(bind: "contact-budget:" + corpID)))"
        }
    }
}

extension SQLDatabase {
    var flavor: SQLFlavor { SQLFlavor(dialect) }

    /// `items` in slices small enough that `bindsPerItem` parameters each, plus `reserved` for
    /// the rest of the statement, fit in one statement of this database.
    func bindChunks<Item>(_ items: [Item], bindsPerItem: Int = 1, reserved: Int = 16) -> [ArraySlice<Item>] {
        let size = max(1, (flavor.maxBindParameters - reserved) / max(1, bindsPerItem))
        return stride(from: 0, to: items.count, by: size).map { items[$0..<min($0 + size, items.count)] }
    }
}
