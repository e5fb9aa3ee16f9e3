import Foundation
import Hummingbird
import SiyuCore
import SiyuStore

extension Wire {
    /// `#/components/schemas/Corp`.
    struct Corp: ResponseEncodable, Listed {
        static var listName: String { "corps" }
        var corpID: String
        var name: String
        var settings: [String: String]
        var createdAt: Date
        var updatedAt: Date

        enum CodingKeys: String, CodingKey {
            case corpID = "corp_id", name, settings, createdAt = "created_at", updatedAt = "updated_at"
        }

        init(_ corp: CorpSummary) {
            corpID = corp.corpID
            name = corp.name
            settings = corp.settings.values
            createdAt = corp.createdAt
            updatedAt = corp.updatedAt
        }
    }

    /// `#/components/schemas/CorpRegistration`.
    struct CorpRegistration: Decodable {
        var corpID: String
        var name: String
        var secret: String
        var token: String
        var aesKey: String
        enum CodingKeys: String, CodingKey { case corpID = "corp_id", name, secret, token, aesKey = "aes_key" }
    }

    /// `#/components/schemas/CorpUpdate`: a change to a corp. Settings follow JSON merge patch (a
    /// value sets one, `null` removes it). The credentials (`secret`, `token`, `aes_key`) and
    /// credential settings are admin only.
    struct CorpUpdate: Decodable {
        var name: String?
        var settings: [String: String?]?
        var secret: String?
        var token: String?
        var aesKey: String?
        enum CodingKeys: String, CodingKey { case name, settings, secret, token, aesKey = "aes_key" }
    }

    /// `#/components/schemas/APIKey`.
    struct APIKey: ResponseEncodable, Listed {
        static var listName: String { "keys" }
        var keyID: String
        var corpID: String
        var label: String
        var scope: APIKeyScope
        var createdAt: Date
        var revokedAt: Date?
        /// Present only in the response that creates the key.
        var key: String?

        enum CodingKeys: String, CodingKey {
            case keyID = "key_id", corpID = "corp_id", label, scope, createdAt = "created_at", revokedAt = "revoked_at", key
        }

        init(_ info: APIKeyStore.Info, token: String? = nil) {
            keyID = info.keyID
            corpID = info.corpID
            label = info.label
            scope = info.scope
            createdAt = info.createdAt
            revokedAt = info.revokedAt
            key = token
        }
    }

    /// The body of `POST /api/v1/corps/{corp_id}/keys` (optional altogether).
    struct APIKeyRequest: Decodable {
        var label: String?
        /// `read` or `write` (the default).
        var scope: APIKeyScope?
    }

    /// `#/components/schemas/Status`: `/healthz` and `/readyz`.
    struct Status: ResponseEncodable {
        var status: String
        var schemaVersion: Int?
        var database: String?
        var reason: String?
        enum CodingKeys: String, CodingKey { case status, schemaVersion = "schema_version", database, reason }
    }
}
