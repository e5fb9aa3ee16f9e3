/// An answer from the platform with a non-zero `errcode`, or a transport failure.
public struct WeComAPIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The platform's `errcode` (0 never appears here); negative values below -1 are Siyu's own transport codes.
    public var errcode: Int
    public var errmsg: String
    /// The API path that failed, e.g. `/cgi-bin/externalcontact/get`.
    public var path: String

    public init(errcode: Int, errmsg: String, path: String) {
        self.errcode = errcode
        self.errmsg = errmsg
        self.path = path
    }

    public var description: String { "\(path): errcode \(errcode), \(errmsg)" }

    /// The access token is invalid or expired: drop it and retry once.
    public var isTokenProblem: Bool { [40001, 40014, 42001].contains(errcode) }
    /// The platform is busy or throttling: back off and retry.
    public var isBusy: Bool { [-1, 45009, 45033].contains(errcode) }

    /// What was wrong with the caller's input, when the platform refused it for that reason
    /// (an unknown or empty member userid, tag, customer, group or contact way; an invalid
    /// parameter); nil when the refusal is not about the request's content.
    public var inputProblem: String? {
        switch errcode {
        case 40003: "a member userid is not valid"
        case 60111: "a member userid does not exist in this corp"
        case 40031: "the list of member userids is not valid (empty or unknown userids)"
        case 40068: "a tag id is not valid"
        case 40096: "an external userid (customer) is not valid"
        case 84061: "the member and the customer are not contacts of each other"
        case 40050: "a customer group (chat id) does not exist"
        case 40058: "a parameter is not valid (a length, a count or a missing field)"
        case 41044: "the contact way (config_id) does not exist"
        case 40071: "a tag or tag group of that name already exists"
        default: nil
        }
    }

    /// Transport failure codes (not the platform's).
    public static let transportFailure = -1001
    public static let badResponse = -1002
}

/// The `errcode`/`errmsg` every answer carries.
struct APIStatus: Decodable {
    var errcode: Int?
    var errmsg: String?
}
