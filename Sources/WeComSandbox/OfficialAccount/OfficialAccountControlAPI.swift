import Foundation
import Hummingbird
import NIOCore

/// `/sandbox/mp/…`: registers Official Accounts and drives them the way people would
/// (following, scanning, writing, tapping the menu), delivering each push before answering.
struct OfficialAccountControlAPI: Sendable {
    let world: OfficialAccountWorld
    let deliverer: OfficialAccountDeliverer

    struct KeyBody: Decodable { var aes_key: String }
    struct Simulated: Encodable, Sendable { var openid: String; var delivery: OfficialAccountDelivery }

    func addRoutes(to router: Router<BasicRequestContext>) {
        let world = self.world
        let deliverer = self.deliverer
        let group = router.group("sandbox/mp/accounts")
        group.post { request, _ -> PlatformAnswer<OfficialAccountConfig> in
            await SandboxAPI.answer { try await world.register(try await ControlAPI.decode(OfficialAccountConfig.self, request)) }
        }
        group.get("{app_id}") { _, context in
            await SandboxAPI.answer { try await world.snapshot(appID: try Self.app(context)) }
        }
        group.get("{app_id}/followers/{openid}") { _, context in
            await SandboxAPI.answer {
                let snapshot = try await world.snapshot(appID: try Self.app(context))
                guard let follower = snapshot.followers.first(where: { $0.openID == context.parameters.get("openid") }) else { throw SandboxError.invalidOpenID }
                return follower
            }
        }
        group.post("{app_id}/aes_key") { request, context in
            await SandboxAPI.answer {
                try await world.changeAESKey(appID: try Self.app(context), to: try await ControlAPI.decode(KeyBody.self, request).aes_key)
            }
        }
        group.post("{app_id}/revoke_tokens") { _, context in
            await SandboxAPI.answer {
                await world.revokeTokens(appID: try Self.app(context))
                return NoPayload()
            }
        }
        for kind in PersonActionKind.allCases {
            group.post(RouterPath("{app_id}/\(kind.rawValue)")) { request, context in
                await SandboxAPI.answer {
                    let appID = try Self.app(context)
                    let push = try await world.simulate(kind, appID: appID, try await ControlAPI.decode(PersonAction.self, request))
                    guard let config = await world.config(of: appID) else { throw SandboxError.invalidAppID }
                    let delivery = await deliverer.deliver(push, config: config, previousKey: await world.previousAESKey(of: appID))
                    return Simulated(openid: push.openID, delivery: await world.record(delivery))
                }
            }
        }
    }

    static func app(_ context: BasicRequestContext) throws -> String {
        guard let appID = context.parameters.get("app_id"), !appID.isEmpty else { throw SandboxError.invalidAppID }
        return appID
    }
}
