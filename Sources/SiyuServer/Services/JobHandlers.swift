import Logging
import SiyuCore
import SiyuStore

/// Every kind of background job the server runs, by kind. One place, so a worker in any
/// process handles the same kinds. Each capability contributes its handlers here.
public func buildJobHandlers(_ dependencies: ServerDependencies, logger: Logger) -> [String: JobHandler] {
    let applier = EventApplier(store: dependencies.store, wecom: dependencies.wecom, time: dependencies.time, logger: logger)
    let sync = CorpSync(store: dependencies.store, wecom: dependencies.wecom, logger: logger)
    let followers = FollowerEventApplier(store: dependencies.store, accounts: dependencies.serviceAccounts, time: dependencies.time, logger: logger)
    let contributions: [[String: JobHandler]] = [
        [CorpSync.jobKind: JobHandler(retry: RetryPolicy(base: .seconds(60), maximum: .seconds(3600), maxAttempts: 3)) { job in
            _ = try await sync.run(corpID: job.corpID, now: dependencies.time())
        }],
        [CallbackInbox.applyJobKind: JobHandler(retry: RetryPolicy(base: .seconds(1), maximum: .seconds(300), maxAttempts: 10)) { job in
            try await applier.apply(job)
        }],
        [ServiceAccountCallbackController.applyJobKind: JobHandler(retry: RetryPolicy(base: .seconds(1), maximum: .seconds(300), maxAttempts: 10)) { job in
            try await followers.apply(job)
        }],
        [FollowerSync.jobKind: JobHandler(retry: RetryPolicy(base: .seconds(60), maximum: .seconds(3600), maxAttempts: 3)) { job in
            _ = try await FollowerSync(store: dependencies.store, accounts: dependencies.serviceAccounts, time: dependencies.time, logger: logger)
                .run(corpID: job.corpID, appID: job.payload)
        }],
        [
            CampaignStore.planJobKind: JobHandler(retry: RetryPolicy(base: .seconds(5), maximum: .seconds(300), maxAttempts: 5)) { job in
                do {
                    try await dependencies.campaigns.plan(corpID: job.corpID, campaignID: job.payload)
                } catch let refusal as SegmentRefusal {
                    // The audience no longer evaluates (a tag it names was deleted since): no retry will fix it.
                    try await dependencies.store.campaigns.failPlanning(
                        corpID: job.corpID, campaignID: job.payload, error: refusal.error.message, now: dependencies.time()
                    )
                } catch {
                    // The last attempt: the campaign ends cancelled with the reason instead of planning forever.
                    if job.attempts >= job.maxAttempts {
                        try? await dependencies.store.campaigns.failPlanning(
                            corpID: job.corpID, campaignID: job.payload, error: String(describing: error), now: dependencies.time()
                        )
                    }
                    throw error
                }
            },
            CampaignStore.dispatchJobKind: JobHandler(retry: RetryPolicy(base: .seconds(5), maximum: .seconds(600), maxAttempts: 5)) { job in
                try await dependencies.campaigns.dispatch(corpID: job.corpID, campaignID: job.payload)
            },
            CampaignStore.pollJobKind: JobHandler(retry: RetryPolicy(base: .seconds(5), maximum: .seconds(600), maxAttempts: 10)) { job in
                try await dependencies.campaigns.poll(corpID: job.corpID, campaignID: job.payload)
            },
        ],
        [WebhookStore.deliverJobKind: WebhookSender(webhooks: dependencies.store.webhooks, policy: dependencies.outboundPolicy, time: dependencies.time, logger: logger).handler],
    ]
    return contributions.reduce(into: [:]) { all, part in all.merge(part) { first, _ in first } }
}
