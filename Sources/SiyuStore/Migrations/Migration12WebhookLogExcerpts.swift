extension Migrations {
    /// Delivery logs once kept up to 300 characters of the receiver's answer after the status
    /// (`the receiver answered HTTP 500: <answer>`), which let a corp's key read what an internal
    /// service said. The log now keeps the status and Siyu's own words only; this drops the
    /// excerpts already stored, keeping `the receiver answered HTTP 500` (30 characters).
    static let webhookLogExcerpts = Migration(version: 12, name: "drop receiver answers from webhook delivery logs", statements: [
        """
        UPDATE webhook_deliveries SET last_error = substr(last_error, 1, 30)
        WHERE last_error LIKE 'the receiver answered HTTP ___: %'
        """,
    ])
}
