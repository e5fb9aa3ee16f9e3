/// Input that cannot be accepted, naming the field so a form or an API client can point at it.
public struct ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var message: String
    /// The id at fault when the input names something that is not the corp's (a form shows it).
    public var unknownID: String?

    public init(field: String, message: String, unknownID: String? = nil) {
        self.field = field
        self.message = message
        self.unknownID = unknownID
    }

    public var description: String { message }
}
