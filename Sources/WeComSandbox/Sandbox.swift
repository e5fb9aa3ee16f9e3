import Foundation
import Hummingbird
import Logging
import NIOCore

/// The WeCom sandbox: the platform's API over an in-memory world, a control API that drives it,
/// and encrypted callback delivery; beside it the WeChat Official Account platform under
/// `/mp/cgi-bin/…` and `/sandbox/mp/…`. Serve it alone (`siyu sandbox`) or mount it in-process.
public struct Sandbox: Sendable {
    public let world: SandboxWorld
    public let deliverer: CallbackDeliverer
    public let officialAccounts: OfficialAccountWorld
    public let officialAccountDeliverer: OfficialAccountDeliverer

    /// Without `officialAccounts` the Official Account world shares the WeCom world's clock;
    /// without `officialAccountDeliverer` pushes go out with `deliverer`'s timeout and tries.
    public init(
        world: SandboxWorld, deliverer: CallbackDeliverer, officialAccounts: OfficialAccountWorld? = nil,
        officialAccountDeliverer: OfficialAccountDeliverer? = nil
    ) {
        self.world = world
        self.deliverer = deliverer
        self.officialAccounts = officialAccounts ?? OfficialAccountWorld(clock: world.clock)
        self.officialAccountDeliverer = officialAccountDeliverer ?? OfficialAccountDeliverer(
            httpClient: deliverer.http, timeout: deliverer.timeout, tries: deliverer.tries, retryDelay: deliverer.retryDelay, logger: deliverer.logger
        )
    }

    /// `/cgi-bin/…` and `/mp/cgi-bin/…` (the platforms) and `/sandbox/…` (the control API) on one router.
    public func buildRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        SandboxAPI(world: world).addRoutes(to: router)
        ControlAPI(world: world, deliverer: deliverer).addRoutes(to: router)
        SandboxImages(world: world).addRoutes(to: router)
        OfficialAccountAPI(world: officialAccounts).addRoutes(to: router)
        OfficialAccountControlAPI(world: officialAccounts, deliverer: officialAccountDeliverer).addRoutes(to: router)
        return router
    }

    /// An application serving the sandbox on `host:port`.
    public func buildApplication(
        host: String = "127.0.0.1", port: Int = 8090, logger: Logger,
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let world = self.world
        return Application(
            router: buildRouter(),
            configuration: .init(address: .hostname(host, port: port), serverName: "siyu-wecom-sandbox"),
            onServerRunning: { channel in
                // The world hands out URLs on this server (QR code images); it learns the bound port here.
                if await world.publicBaseURL == nil, let bound = channel.localAddress?.port {
                    let reachable = ["0.0.0.0", "::", ""].contains(host) ? "127.0.0.1" : host
                    await world.setPublicBaseURL("http://\(reachable):\(bound)")
                }
                await onServerRunning(channel)
            },
            logger: logger
        )
    }
}
