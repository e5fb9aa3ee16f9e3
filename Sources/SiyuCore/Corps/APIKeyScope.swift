/// What a corp API key may do, chosen when the key is created.
///
/// No scope reaches a corp's credentials or the endpoints they are sent to: those change only
/// with the installation's admin token.
public enum APIKeyScope: String, Codable, Sendable, CaseIterable {
    /// Reads, plus the few POSTs that only compute an answer (segment counts, campaign previews).
    case read
    /// Everything a corp's own data allows: reads and changes.
    case write
}
