import Foundation
import Hummingbird
import SiyuCore
import SiyuStore

/// Who is signed in to the console and which corp they act on (filled by ``ConsoleSessionMiddleware``).
public struct ConsoleSignIn: Sendable {
    public var session: ConsoleSession
    /// The operator's or employee's corp; the admin's chosen (or first) corp; nil when no corp exists.
    public var corpID: String?
    /// The corp's calendar (its contact policy's offset), in which the console reads and shows
    /// dates; the platform's when there is no corp.
    public var calendar: BusinessCalendar
}

/// A console request that cannot exist without a signed-in user: protected pages receive this one.
public struct ConsoleContext: ChildRequestContext, SiyuRequestContext {
    public typealias ParentContext = AppRequestContext
    public var coreContext: CoreRequestContextStorage
    public let signIn: ConsoleSignIn
    public let requestID: String
    /// See ``AppRequestContext/clientAddress``.
    public let clientAddress: String?

    public init(context: AppRequestContext) throws {
        guard let signIn = context.consoleSignIn else {
            throw ConsoleRefusal(.unauthorized, "error_signin_needed")
        }
        self.coreContext = context.coreContext
        self.signIn = signIn
        self.requestID = context.requestID
        self.clientAddress = context.clientAddress
    }

    var user: ConsoleUser { signIn.session.user }
    var role: ConsoleRole { signIn.session.user.role }
    var actor: String { "console:\(user.username)" }
    var calendar: BusinessCalendar { signIn.calendar }

    /// The corp this request acts on, or a page saying there is none yet.
    func corp() throws -> String {
        guard let corpID = signIn.corpID else { throw ConsoleRefusal(.notFound, "error_no_corp") }
        return corpID
    }

    /// Passes for admins and operators; employees see only their own customers.
    func requireOperator() throws {
        guard role != .employee else { throw ConsoleRefusal(.forbidden, "error_forbidden") }
    }

    /// Whose customers and tasks this user may see: the corp's (admins and operators) or one
    /// member's (employees). Fails closed: an employee without a member sees nothing.
    func scope() throws -> ConsoleScope {
        guard role == .employee else { return .corp }
        guard let member = user.memberUserID, !member.isEmpty else { throw ConsoleRefusal(.forbidden, "error_forbidden") }
        return .member(member)
    }
}

/// What a console user may see within their corp.
enum ConsoleScope: Equatable {
    case corp
    case member(String)

    /// The member an employee is limited to; nil for the whole corp.
    var member: String? {
        if case .member(let member) = self { return member }
        return nil
    }
}

/// A console request refused with a status and a message key of the string tables.
struct ConsoleRefusal: Error {
    var status: HTTPResponse.Status
    var messageKey: String

    init(_ status: HTTPResponse.Status, _ messageKey: String) {
        self.status = status
        self.messageKey = messageKey
    }
}
