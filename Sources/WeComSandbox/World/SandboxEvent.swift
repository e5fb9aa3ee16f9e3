/// A callback the world wants delivered: the decrypted event's fields in the platform's order.
public struct SandboxEvent: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case text(String)
        case integer(Int)
        /// A list such as `<MemChangeList><Item>…</Item></MemChangeList>`.
        case items([String])
    }

    public var corpID: String
    public var createTime: Int
    public var event: String
    public var changeType: String?
    public var fields: [(name: String, value: Value)]

    public init(corpID: String, createTime: Int, event: String, changeType: String?, fields: [(name: String, value: Value)]) {
        self.corpID = corpID
        self.createTime = createTime
        self.event = event
        self.changeType = changeType
        self.fields = fields
    }

    public static func == (lhs: SandboxEvent, rhs: SandboxEvent) -> Bool {
        lhs.corpID == rhs.corpID && lhs.createTime == rhs.createTime && lhs.event == rhs.event && lhs.changeType == rhs.changeType
            && lhs.fields.map(\.name) == rhs.fields.map(\.name) && lhs.fields.map(\.value) == rhs.fields.map(\.value)
    }
}
