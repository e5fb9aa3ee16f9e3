import Foundation
import Hummingbird
import NIOCore
import SiyuCore

/// Who is calling: the installation's admin, or a key that acts for exactly one corp.
public enum Principal: Sendable, Equatable {
    case admin
    case corp(corpID: String, keyID: String, scope: APIKeyScope)

    /// A label for the audit log.
    var actor: String {
        switch self {
        case .admin: return "admin"
        case .corp(let corpID, let keyID, _): return "key:\(corpID)/\(keyID)"
        }
    }
}

/// Settings shared by every request context: JSON coding and the upload limit.
public protocol SiyuRequestContext: RequestContext {}

extension SiyuRequestContext {
    /// The largest body a REST or console route reads (imports included); 413 past it.
    public static var maxBodyBytes: Int { 1 << 20 }

    /// API bodies are small; anything larger is refused before it is read whole.
    public var maxUploadSize: Int { Self.maxBodyBytes }

    public var requestDecoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    public var responseEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}

/// The context every request starts with; the auth middleware fills in the principal.
public struct AppRequestContext: SiyuRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var principal: Principal?
    public var requestID: String
    /// The console's signed-in user, when the session middleware found one.
    public var consoleSignIn: ConsoleSignIn?
    /// The address of the TCP peer (a reverse proxy, when there is one); nil in router tests.
    public let peerAddress: String?
    /// Who the request came from: the peer, or the forwarded address when the peer is a trusted
    /// proxy. Audit entries, throttling and per-client limits use this one.
    public var clientAddress: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.principal = nil
        self.requestID = ""
        self.consoleSignIn = nil
        self.peerAddress = source.channel.remoteAddress?.ipAddress
        self.clientAddress = self.peerAddress
    }
}

/// A context that cannot exist without a principal: handlers under `/api/v1` receive this one.
public struct AuthenticatedContext: ChildRequestContext, SiyuRequestContext {
    public typealias ParentContext = AppRequestContext
    public var coreContext: CoreRequestContextStorage
    public let principal: Principal
    public let requestID: String
    /// See ``AppRequestContext/clientAddress``.
    public let clientAddress: String?

    public init(context: AppRequestContext) throws {
        guard let principal = context.principal else {
            throw APIError(.unauthorized, code: "unauthorized", "send an API key or the admin token as 'Authorization: Bearer …'")
        }
        self.coreContext = context.coreContext
        self.principal = principal
        self.requestID = context.requestID
        self.clientAddress = context.clientAddress
    }

    /// Passes for the admin only.
    func requireAdmin() throws {
        guard principal == .admin else {
            throw APIError(.forbidden, code: "forbidden", "this needs the admin token, not a corp API key")
        }
    }

    /// Passes for the admin and for keys of `corpID`; a key of another corp sees nothing.
    func requireAccess(to corpID: String) throws {
        switch principal {
        case .admin: return
        case .corp(let own, _, _) where own == corpID: return
        case .corp:
            throw APIError(.notFound, code: "not_found", "no corp \(corpID)")
        }
    }

    /// The corp a key acts for; the admin must name one in the path instead.
    func actingCorp() throws -> String {
        guard case .corp(let corpID, _, _) = principal else {
            throw APIError(.forbidden, code: "forbidden", "this route acts for the corp of the API key; the admin uses /api/v1/corps/{corp_id}")
        }
        return corpID
    }
}

/// A request that acts for one corp: it cannot exist without its corp, resolved once from the
/// API key when the request enters the corp's routes (the admin token is refused there and uses
/// `/api/v1/corps/{corp_id}`). Handlers read `corpID` and never resolve the tenant themselves.
public struct CorpContext: ChildRequestContext, SiyuRequestContext {
    public typealias ParentContext = AuthenticatedContext
    public var coreContext: CoreRequestContextStorage
    public let corpID: String
    public let principal: Principal
    public let requestID: String
    /// See ``AppRequestContext/clientAddress``.
    public let clientAddress: String?

    public init(context: AuthenticatedContext) throws {
        self.corpID = try context.actingCorp()
        self.coreContext = context.coreContext
        self.principal = context.principal
        self.requestID = context.requestID
        self.clientAddress = context.clientAddress
    }
}
