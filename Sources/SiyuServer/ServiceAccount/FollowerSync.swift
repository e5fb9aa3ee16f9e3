import Foundation
import Logging
import SiyuCore
import SiyuStore
import WeCom

/// Mirrors an account's followers from the platform (job kind `mp.sync`, payload the AppID):
/// every openid through `user/get` (10,000 a page), their profiles through `user/info/batchget`
/// (100 a call), reconciled page by page; followers Siyu still thought subscribed but the
/// platform no longer lists are cleared at the end.
struct FollowerSync: Sendable {
    static let jobKind = "mp.sync"
    let store: SiyuStore
    let accounts: ServiceAccountConnections
    let time: TimeSource
    let logger: Logger

    struct Outcome: Sendable, Equatable {
        var listed: Int
        var cleared: Int
    }

    func run(corpID: String, appID: String) async throws -> Outcome {
        guard let connection = try await accounts.connection(appID: appID), connection.account.corpID == corpID else {
            logger.warning("follower sync for an account that is gone", metadata: ["app_id": .string(appID)])
            return Outcome(listed: 0, cleared: 0)
        }
        let client = connection.client
        let started = time()
        var listed: Set<String> = []
        var cursor: String?
        repeat {
            let page = try await client.followerPage(after: cursor)
            for chunk in stride(from: 0, to: page.openIDs.count, by: 100) {
                let openIDs = Array(page.openIDs[chunk..<min(chunk + 100, page.openIDs.count)])
                let infos = try await client.followerInfo(openIDs)
                try await store.followers.reconcile(corpID: corpID, appID: appID, infos.map(Self.profile), syncedAt: time())
                listed.formUnion(infos.filter { $0.subscribe == 1 }.map(\.openID))
            }
            cursor = page.nextOpenID.isEmpty || page.openIDs.isEmpty ? nil : page.nextOpenID
        } while cursor != nil
        let cleared = try await store.followers.clearMissing(corpID: corpID, appID: appID, listed: listed, syncStartedAt: started)
        logger.info("followers synced", metadata: ["app_id": .string(appID), "listed": .stringConvertible(listed.count), "cleared": .stringConvertible(cleared)])
        return Outcome(listed: listed.count, cleared: cleared)
    }

    static func profile(_ info: FollowerInfo) -> FollowerProfile {
        FollowerProfile(
            openID: info.openID, subscribed: info.subscribe == 1,
            subscribedAt: info.subscribeTime.map { Date(timeIntervalSince1970: TimeInterval($0)) }, unionID: info.unionID,
            remark: info.remark ?? "", language: info.language ?? "", subscribeScene: info.subscribeScene ?? "",
            qrScene: info.qrSceneString.flatMap { $0.isEmpty ? nil : $0 } ?? info.qrScene.flatMap { $0 == 0 ? nil : String($0) } ?? "",
            tagIDs: info.tagIDs
        )
    }
}
