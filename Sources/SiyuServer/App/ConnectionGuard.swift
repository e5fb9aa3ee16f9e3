import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import NIOHTTPTypes
import SiyuCore
import Synchronization

/// Limits on what one connection may hold on to; see docs/OPERATIONS.md "Connections".
public struct ConnectionLimits: Sendable, Equatable {
    /// A new connection must have sent its whole request head within this.
    public var headerTimeout: Duration
    /// While a request body arrives, at most this long without a byte.
    public var bodyTimeout: Duration
    /// A keep-alive connection with no request in flight is closed after this (also the time the
    /// next request's head may take).
    public var idleTimeout: Duration
    /// Open connections per TCP peer address; more are closed at once. Trusted proxies are exempt.
    public var maxConnectionsPerAddress: Int

    public init(
        headerTimeout: Duration = .seconds(10), bodyTimeout: Duration = .seconds(10),
        idleTimeout: Duration = .seconds(75), maxConnectionsPerAddress: Int = 64
    ) {
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.maxConnectionsPerAddress = maxConnectionsPerAddress
    }
}

/// Open connections per peer address, shared by every connection of one server.
final class ConnectionCounter: Sendable {
    private let open = Mutex<[String: Int]>([:])
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    /// Counts one more connection from `address`, unless it already has `limit`.
    func admit(_ address: String) -> Bool {
        open.withLock { open in
            let count = open[address, default: 0]
            guard count < limit else { return false }
            open[address] = count + 1
            return true
        }
    }

    func release(_ address: String) {
        open.withLock { open in
            let count = open[address, default: 0] - 1
            open[address] = count > 0 ? count : nil
        }
    }

    func count(_ address: String) -> Int {
        open.withLock { $0[address, default: 0] }
    }
}

/// One per connection, after HTTP decoding: enforces the per-address cap, the header timeout and
/// the body timeout by closing the connection. (The idle timeout is Hummingbird's own.)
///
/// The body timeout measures the client, not the server: it runs only while the server has asked
/// for more of a body (an outbound `read`) and nothing has come. A handler that is busy before it
/// reads the body (waiting for the database, building an index) stops asking, so its own slowness
/// never closes the connection under a client that sent everything.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let limits: ConnectionLimits
    private let counter: ConnectionCounter
    private let exempt: TrustedProxies
    private var counted: String?
    private var started = false
    /// Between a request's head and its end.
    private var inBody = false
    private var timer: Scheduled<Void>?

    init(limits: ConnectionLimits, counter: ConnectionCounter, exempt: TrustedProxies) {
        self.limits = limits
        self.counter = counter
        self.exempt = exempt
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        start(context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stop()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        disarm()  // the header, or progress of the body
        switch unwrapInboundIn(data) {
        case .head, .body: inBody = true
        case .end: inBody = false
        }
        context.fireChannelRead(data)
    }

    /// The server asks for more: from now on, waiting is the client's doing.
    func read(context: ChannelHandlerContext) {
        if inBody, timer == nil { arm(context, after: limits.bodyTimeout) }
        context.read()
    }

    private func start(_ context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        if let peer = context.channel.remoteAddress?.ipAddress, !exempt.isTrusted(peer) {
            guard counter.admit(peer) else {
                context.close(promise: nil)
                return
            }
            counted = peer
        }
        arm(context, after: limits.headerTimeout)
    }

    private func stop() {
        disarm()
        if let counted { counter.release(counted) }
        counted = nil
    }

    /// (Re)starts the one timer: when it fires, the connection is closed.
    private func arm(_ context: ChannelHandlerContext, after delay: Duration) {
        timer?.cancel()
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(delay)) {
            context.close(promise: nil)
        }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }
}
