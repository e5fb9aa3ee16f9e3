/// A callback crypto failure, with the error codes of the official WXBizMsgCrypt samples.
public struct WeComCryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The official sample's codes, so logs and support tickets match the platform's documentation.
    public enum Code: Int, Sendable {
        case invalidSignature = -40001
        case parse = -40002
        case computeSignature = -40003
        case invalidAESKey = -40004
        case receiveIDMismatch = -40005
        case encrypt = -40006
        case decrypt = -40007
        case invalidBuffer = -40008
        case encodeBase64 = -40009
        case decodeBase64 = -40010
        case buildReply = -40011
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
