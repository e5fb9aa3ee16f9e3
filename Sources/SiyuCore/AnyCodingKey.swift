/// A coding key made from any string, for JSON objects whose keys are data (an attachment's
/// `msgtype`, a settings map checked against known names).
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ stringValue: String) { self.stringValue = stringValue }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
