import Crypto
import Foundation
import SiyuCore

/// The `X-Siyu-Signature` value of an outbound webhook delivery.
///
/// `sha256=` followed by the lowercase hex of HMAC-SHA256 keyed with the webhook's secret
/// over `<timestamp>.<body>`, where `timestamp` is the `X-Siyu-Timestamp` header (Unix
/// seconds) and `body` the raw request body. Binding the timestamp lets a receiver refuse
/// replays older than a few minutes.
public enum WebhookSignature {
    public static let prefix = "sha256="

    public static func sign(secret: String, timestamp: Int, body: String) -> String {
        var message = Data("\(timestamp).".utf8)
        message.append(contentsOf: body.utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8)))
        return prefix + Hex.encode(mac)
    }
}
