import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import SiyuCore
import SiyuStore

/// What `siyu serve` is configured with after flags, environment and defaults are merged.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Timeouts and the per-address connection cap.
    public var limits: ConnectionLimits
    /// Reverse proxies whose `Forwarded`/`X-Forwarded-For` name the client; exempt from the cap.
    public var trustedProxies: TrustedProxies
    /// Who may scrape `/metrics`.
    public var metricsAccess: MetricsAccess
    /// After SIGTERM/SIGINT, how long shutdown may take before the remaining work is cancelled.
    public var shutdownDeadline: Duration

    public init(
        host: String = "127.0.0.1", port: Int = 8080, limits: ConnectionLimits = ConnectionLimits(),
        trustedProxies: TrustedProxies = .empty, metricsAccess: MetricsAccess = MetricsAccess(token: nil),
        shutdownDeadline: Duration = .seconds(10)
    ) {
        self.host = host
        self.port = port
        self.limits = limits
        self.trustedProxies = trustedProxies
        self.metricsAccess = metricsAccess
        self.shutdownDeadline = shutdownDeadline
    }
}

/// The long-lived things every route needs.
public struct ServerDependencies: Sendable {
    public var store: SiyuStore
    public var admin: AdminCredential
    public var metrics: SiyuMetrics
    public var wecom: WeComConnections
    /// Service accounts' crypto, reply rules and API clients.
    public var serviceAccounts: ServiceAccountConnections
    public var ingestor: CallbackIngestor
    public var logger: Logger
    /// How the console signs people in (secure cookies, session lifetime, throttling).
    public var console: ConsoleSettings
    var segments: SegmentIndexes
    /// The one "now" of every store call, service, controller, job and console page (due sends,
    /// quiet hours, deadlines, job times). Tests pin it, or align it with the sandbox's clock.
    public let time: TimeSource
    /// How often unfinished campaigns ask the platform for their tasks' results.
    public var campaignPollInterval: Duration = .seconds(60)
    /// Which addresses webhooks (URLs a corp sets) may reach: public ones unless the
    /// installation's admin allows more (`SIYU_OUTBOUND_ALLOW`). Not applied to the WeCom API.
    public var outboundPolicy: OutboundAddressPolicy = .publicOnly
    /// Tests only: a request header that stands in for the client's address (router tests have no peer).
    var presentedAddressHeader: HTTPField.Name?
    /// The OpenAPI document served at `/api/v1/openapi.json` (tests point it elsewhere to see a start fail).
    var openAPIDocumentURL: URL? = OpenAPIDocument.bundledURL

    var campaigns: CampaignService {
        CampaignService(store: store, wecom: wecom, indexes: segments, time: time, pollInterval: campaignPollInterval, logger: logger)
    }

    public init(
        store: SiyuStore, admin: AdminCredential, metrics: SiyuMetrics = SiyuMetrics(),
        wecomBaseURL: String = "https://qyapi.weixin.qq.com", officialAccountBaseURL: String = "https://api.weixin.qq.com",
        console: ConsoleSettings = ConsoleSettings(), time: TimeSource = .system, logger: Logger = Logger(label: "siyu")
    ) {
        self.store = store
        self.time = time
        self.console = console
        self.admin = admin
        self.metrics = metrics
        self.logger = logger
        self.wecom = WeComConnections(corps: store.corps, defaultBaseURL: wecomBaseURL, logger: logger)
        self.serviceAccounts = ServiceAccountConnections(store: store, defaultBaseURL: officialAccountBaseURL, logger: logger)
        self.ingestor = CallbackIngestor(inbox: store.inbox, time: time, logger: logger)
        self.segments = SegmentIndexes(store: store, time: time)
    }

    /// The long-lived services every server process runs besides HTTP.
    public func backgroundServices(workers: Int = 2, jobPollInterval: Duration = .milliseconds(200)) -> [any Service] {
        let handlers = buildJobHandlers(self, logger: logger)
        let owner = "\(ProcessInfo.processInfo.hostName)-\(getpid())"
        return [ingestor, DailySyncScheduler(store: store, time: time, logger: logger)] + (0..<max(0, workers)).map { index in
            JobWorker(jobs: store.jobs, handlers: handlers, owner: "\(owner)-w\(index)", pollInterval: jobPollInterval, time: time, logger: logger)
        }
    }
}

/// The router that ships; tests drive exactly this one. Fails (``ConfigurationError``) when a
/// resource it serves is missing or malformed, so such a build does not start.
public func buildRouter(_ dependencies: ServerDependencies, configuration: ServerConfiguration = ServerConfiguration()) throws -> Router<AppRequestContext> {
    let document = try OpenAPIDocument.load(from: dependencies.openAPIDocumentURL)
    let router = Router(context: AppRequestContext.self)
    let routeMethods = RouteMethods()
    router.add(middleware: MetricsMiddleware(metrics: dependencies.metrics))
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: ClientAddressMiddleware(trusted: configuration.trustedProxies))
    if let header = dependencies.presentedAddressHeader { router.add(middleware: PresentedAddressMiddleware(header: header)) }
    router.add(middleware: MethodNotAllowedMiddleware(routes: routeMethods))
    OpsController(store: dependencies.store, metrics: dependencies.metrics, metricsAccess: configuration.metricsAccess, document: document)
        .addRoutes(to: router)
    CallbackController(wecom: dependencies.wecom, ingestor: dependencies.ingestor).addRoutes(to: router)
    ServiceAccountCallbackController(accounts: dependencies.serviceAccounts, ingestor: dependencies.ingestor, time: dependencies.time)
        .addRoutes(to: router)

    let api = router.group("api/v1")
        .add(middleware: AuthMiddleware(admin: dependencies.admin, keys: dependencies.store.apiKeys))
        .group(context: AuthenticatedContext.self)
        .add(middleware: AuditMiddleware<AuthenticatedContext>(audit: dependencies.store.audit, time: dependencies.time))
    CorpController(
        corps: dependencies.store.corps, keys: dependencies.store.apiKeys, audit: dependencies.store.audit, jobs: dependencies.store.jobs,
        wecom: dependencies.wecom, time: dependencies.time
    )
        .addRoutes(to: api)
    ServiceAccountAdminController(store: dependencies.store, accounts: dependencies.serviceAccounts, time: dependencies.time).addRoutes(to: api)
    // The corp's own routes: the tenant is resolved once, in CorpContext, before any handler runs.
    let corp = api.group(context: CorpContext.self)
    // Controllers get the stores and services they use, nothing more.
    let store = dependencies.store, time = dependencies.time
    let tagging = CustomerTagging(store: store, wecom: dependencies.wecom, time: time)
    ChannelController(channels: store.channels, contacts: store.contacts, codes: ChannelCodes(store: store, wecom: dependencies.wecom, time: time))
        .addRoutes(to: corp)
    TagController(directory: store.directory, tags: CorpTags(store: store, wecom: dependencies.wecom, time: time)).addRoutes(to: corp)
    CustomerController(
        customers: store.customers, contacts: store.contacts, directory: store.directory, groups: store.groups, jobs: store.jobs,
        tagging: tagging, importer: CustomerImport(store: store, tagging: tagging, time: time), exporter: CustomerExport(store: store), time: time
    ).addRoutes(to: corp)
    OrderController(orders: store.orders, time: time).addRoutes(to: corp)
    SegmentController(segments: store.segments, indexes: dependencies.segments, time: time).addRoutes(to: corp)
    CampaignController(
        campaignStore: dependencies.store.campaigns, segments: dependencies.store.segments, contacts: dependencies.store.contacts,
        campaigns: dependencies.campaigns, time: dependencies.time
    ).addRoutes(to: corp)
    ServiceAccountController(store: store, accounts: dependencies.serviceAccounts, time: time).addRoutes(to: corp)
    WebhookController(webhooks: dependencies.store.webhooks, policy: dependencies.outboundPolicy, time: dependencies.time).addRoutes(to: corp)
    AuditController(audit: dependencies.store.audit).addRoutes(to: api)
    try addConsoleRoutes(to: router, dependencies)
    routeMethods.load(router.routes)
    return router
}

/// The HTTP server plus the background services, ready for `runService()`.
public func buildApplication(
    configuration: ServerConfiguration,
    dependencies: ServerDependencies,
    services: [any Service] = [],
    logger: Logger,
    onServerRunning: @escaping @Sendable (any NIOCore.Channel) async -> Void = { _ in }
) throws -> some ApplicationProtocol {
    let limits = configuration.limits
    let counter = ConnectionCounter(limit: limits.maxConnectionsPerAddress)
    let exempt = configuration.trustedProxies
    return Application(
        router: try buildRouter(dependencies, configuration: configuration),
        server: .http1(configuration: .init(
            additionalChannelHandlers: [ConnectionGuard(limits: limits, counter: counter, exempt: exempt)],
            idleTimeout: TimeAmount(limits.idleTimeout)
        )),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "siyu"),
        services: services,
        onServerRunning: onServerRunning,
        logger: logger
    )
}
