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
