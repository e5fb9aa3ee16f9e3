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

    /// Transport failure codes (not the platform's).
    public static let transportFailure = -1001
    public static let badResponse = -1002
}

/// The `errcode`/`errmsg` every answer carries.
struct APIStatus: Decodable {
    var errcode: Int?
    var errmsg: String?
}
