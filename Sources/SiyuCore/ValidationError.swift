/// Input that cannot be accepted, naming the field so a form or an API client can point at it.
public struct ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var message: String
    /// The id at fault when the input names something that is not the corp's (a form shows it).
    public var unknownID: String?
    /// Which of a field's rules was broken, when it has more than one (`past` for a send time), so
    /// a form can say exactly that.
    public var rule: String?

    public init(field: String, message: String, unknownID: String? = nil, rule: String? = nil) {
        self.field = field
        self.message = message
        self.unknownID = unknownID
        self.rule = rule
    }

    public var description: String { message }
}
