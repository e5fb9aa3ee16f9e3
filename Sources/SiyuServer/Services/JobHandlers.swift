import Logging
import SiyuStore

/// Every kind of background job the server runs, by kind. One place, so a worker in any
/// process handles the same kinds. Each capability contributes its handlers here.
public func buildJobHandlers(_ dependencies: ServerDependencies, logger: Logger) -> [String: JobHandler] {
    let contributions: [[String: JobHandler]] = [
        [WebhookStore.deliverJobKind: WebhookSender(webhooks: dependencies.store.webhooks, logger: logger).handler],
    ]
    return contributions.reduce(into: [:]) { all, part in all.merge(part) { first, _ in first } }
}
