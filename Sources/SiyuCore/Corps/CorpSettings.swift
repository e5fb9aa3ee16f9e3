import Foundation

/// A corp's settings: a closed set of typed, validated values.
///
/// Settings are what an operator configures, never Siyu's own state (the contact policy has its
/// own column and route). Some settings decide where the corp's credentials are sent; those are
/// ``Key/isCredential`` and change only with the installation's admin token,
/// never with a corp API key.
public struct CorpSettings: Sendable, Equatable, Codable {
    /// The WeCom API the corp's secret is sent to (a sandbox's address offline); the server-wide
    /// default when nil. An `http` or `https` URL; loopback is allowed (the sandbox lives there).
    public var wecomAPIBaseURL: String?

    /// Every setting there is, by the name the API uses.
    public enum Key: String, CaseIterable, Sendable {
        case wecomAPIBaseURL = "wecom_api_base_url"

        /// Whether the setting decides where credentials go (admin only).
        public var isCredential: Bool {
            switch self {
            case .wecomAPIBaseURL: true
            }
        }
    }

    public init(wecomAPIBaseURL: String? = nil) {
        self.wecomAPIBaseURL = wecomAPIBaseURL
    }

    /// The value of a setting, as the API shows it.
    public subscript(key: Key) -> String? {
        get {
            switch key {
            case .wecomAPIBaseURL: wecomAPIBaseURL
            }
        }
        set {
            switch key {
            case .wecomAPIBaseURL: wecomAPIBaseURL = newValue
            }
        }
    }

    /// The settings as a name → value map (only those that are set).
    public var values: [String: String] {
        var values: [String: String] = [:]
        for key in Key.allCases {
            if let value = self[key] { values[key.rawValue] = value }
        }
        return values
    }

    /// The settings a change names, parsed: a value sets a setting, `nil` (JSON `null`) removes it.
    /// An unknown name or an invalid value is an error naming `settings.<name>`.
    public static func parseChange(_ change: [String: String?]) throws(ValidationError) -> [Key: String?] {
        var parsed: [Key: String?] = [:]
        for name in change.keys.sorted() {
            guard let key = Key(rawValue: name) else {
                let known = Key.allCases.map(\.rawValue).joined(separator: ", ")
                throw ValidationError(field: "settings.\(name)", message: "unknown setting \(name); settings are: \(known)")
            }
            if let value = change[name] ?? nil {
                try validate(value, for: key)
                parsed[key] = .some(value)
            } else {
                parsed[key] = .some(nil)
            }
        }
        return parsed
    }

    /// Applies a parsed change.
    public mutating func apply(_ change: [Key: String?]) {
        for (key, value) in change { self[key] = value }
    }

    /// Checks one value against its setting's rule.
    public static func validate(_ value: String, for key: Key) throws(ValidationError) {
        switch key {
        case .wecomAPIBaseURL: try validateAPIBaseURL(value, field: "settings.\(key.rawValue)")
        }
    }

    /// An API base URL: `http` or `https`, a host, at most a path; no user, query or fragment,
    /// no whitespace or control characters.
    public static func validateAPIBaseURL(_ value: String, field: String) throws(ValidationError) {
        let problem = ValidationError(
            field: field, message: "must be an http:// or https:// URL with a host and no user, query or fragment (e.g. https://qyapi.weixin.qq.com)"
        )
        guard (1...2048).contains(value.utf8.count),
              !value.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control }),
              let components = URLComponents(string: value),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host, !host.isEmpty,
              components.user == nil, components.password == nil, components.query == nil, components.fragment == nil
        else { throw problem }
    }

    // MARK: Stored form

    /// Decodes the stored form; a name no ``Key`` knows fails loudly (a migration bug), it is never dropped.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        var settings = CorpSettings()
        for codingKey in container.allKeys {
            guard let key = Key(rawValue: codingKey.stringValue) else {
                throw DecodingError.dataCorruptedError(
                    forKey: codingKey, in: container, debugDescription: "unknown corp setting \(codingKey.stringValue)"
                )
            }
            settings[key] = try container.decode(String.self, forKey: codingKey)
        }
        self = settings
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyCodingKey.self)
        for (name, value) in values.sorted(by: { $0.key < $1.key }) {
            try container.encode(value, forKey: AnyCodingKey(name))
        }
    }
}
