// Hand-made decrypted callback documents, laid out like the platform's samples
// (WeComCallbackSamples holds the published ones).

enum CallbackFixtures {
    /// A WeCom system event with the common header and `fields` (name, text) after it.
    static func wecomEvent(_ event: String, _ fields: [(String, String)]) -> String {
        document(
            [
                ("ToUserName", "ww_corp"), ("FromUserName", "sys"), ("CreateTime", "1403610513"),
                ("MsgType", "event"), ("Event", event),
            ] + fields)
    }

    /// An Official Account event from a follower with `fields` after the header.
    static func accountEvent(_ event: String, _ fields: [(String, String)]) -> String {
        document(
            [
                ("ToUserName", "gh_123456789abc"), ("FromUserName", "oFollowerOpenID"),
                ("CreateTime", "1714037059"), ("MsgType", "event"), ("Event", event),
            ] + fields)
    }

    /// `<xml>` with one CDATA element per field, one per line like the platform sends.
    static func document(_ fields: [(String, String)]) -> String {
        "<xml>" + fields.map { "<\($0.0)><![CDATA[\($0.1)]]></\($0.0)>" }.joined(separator: "\n") + "</xml>"
    }
}
