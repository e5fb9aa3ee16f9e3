import Foundation
import Hummingbird
import NIOCore
import SiyuCore

/// The Official Account platform API under `/mp/cgi-bin/…` (the real one is
/// `api.weixin.qq.com/cgi-bin/…`; WeCom's `/cgi-bin` paths would collide). Successful answers
/// carry `errcode` only where the platform writes it (`{"errcode":0,"errmsg":"ok"}` for actions).
struct OfficialAccountAPI: Sendable {
    let world: OfficialAccountWorld
    static let base = "mp/cgi-bin/"
    static let maxUpload = 11 << 20

    func addRoutes(to router: Router<BasicRequestContext>) {
        let world = self.world
        router.get(RouterPath(Self.base + "token")) { request, _ -> PlatformAnswer<OfficialAccountToken> in
            let query = request.uri.queryParameters
            var answer = await SandboxAPI.answer {
                try await world.issueToken(grantType: query.get("grant_type"), appID: query.get("appid"), secret: query.get("secret"))
            }
            answer.bare = true
            return answer
        }
        router.post(RouterPath(Self.base + "stable_token")) { request, _ -> PlatformAnswer<OfficialAccountToken> in
            var answer = await SandboxAPI.answer {
                try await world.issueStableToken(try Self.decode(StableTokenRequest.self, try await Self.body(request)))
            }
            answer.bare = true
            return answer
        }
        router.get(RouterPath(Self.base + "showqrcode")) { request, _ -> Response in
            guard let ticket = request.uri.queryParameters.get("ticket"), let code = await world.qrCode(ticket: ticket) else {
                throw HTTPError(.notFound, message: "no such ticket")
            }
            return SandboxImages.svgResponse(try QRCode(text: code.url).svg())
        }

        let r = Registrar(router: router, world: world)
        r.get("user/get", bare: true) { world, app, query in try await world.followerList(app, next: query["next_openid"]) }
        r.get("user/info", bare: true) { world, app, query in try await world.userInfo(app, openID: query["openid"]) }
        r.post("user/info/batchget", bare: true) { world, app, body in try await world.userInfoBatch(app, try Self.decode(BatchUserInfoRequest.self, body)) }
        r.post("user/info/updateremark") { world, app, body in try await world.updateRemark(app, try Self.decode(RemarkBody.self, body)); return NoPayload() }

        r.post("tags/create", bare: true) { world, app, body in try await world.createTag(app, try Self.decode(TagBody.self, body)) }
        r.get("tags/get", bare: true) { world, app, _ in try await world.tagList(app) }
        r.post("tags/update") { world, app, body in try await world.updateTag(app, try Self.decode(TagBody.self, body)); return NoPayload() }
        r.post("tags/delete") { world, app, body in try await world.deleteTag(app, try Self.decode(TagBody.self, body)); return NoPayload() }
        for (action, adding) in [("batchtagging", true), ("batchuntagging", false)] {
            r.post("tags/members/" + action) { world, app, body in
                try await world.tagMembers(app, try Self.decode(TagMembersBody.self, body), adding: adding)
                return NoPayload()
            }
        }
        r.post("tags/getidlist", bare: true) { world, app, body in try await world.tagsOfFollower(app, openID: try Self.decode(OpenIDBody.self, body).openid) }
        r.post("user/tag/get", bare: true) { world, app, body in try await world.followersWithTag(app, try Self.decode(TagFollowersRequest.self, body)) }

        r.post("qrcode/create", bare: true) { world, app, body in try await world.createQRCode(app, try Self.decode(QRCodeRequest.self, body)) }

        r.post("menu/create") { world, app, body in try await world.createMenu(app, try Self.decode(OfficialAccountMenu.self, body)); return NoPayload() }
        r.get("menu/get", bare: true) { world, app, _ in try await world.menu(app) }
        r.get("menu/delete") { world, app, _ in try await world.deleteMenu(app); return NoPayload() }
        r.get("get_current_selfmenu_info", bare: true) { world, app, _ in try await world.selfMenuInfo(app) }

        r.post("message/custom/send") { world, app, body in try await world.sendCustomMessage(app, body: body); return NoPayload() }

        router.post(RouterPath(Self.base + "media/upload")) { request, _ -> PlatformAnswer<MediaAnswer> in
            let query = request.uri.queryParameters
            var request = request
            var answer = await SandboxAPI.answer {
                let app = try await world.appID(forToken: query.get("access_token"))
                let bytes: [UInt8]
                do {
                    bytes = Array(try await request.collectBody(upTo: Self.maxUpload).readableBytesView)
                } catch {
                    throw SandboxError(40006, "invalid meida size")
                }
                let form = MultipartForm(contentType: request.headers[.contentType] ?? "", body: bytes)
                return try await world.uploadMedia(app, type: query.get("type"), file: form?.part(named: "media"))
            }
            answer.bare = true
            return answer
        }
    }

    static func body(_ request: Request) async throws(SandboxError) -> Data {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: SandboxAPI.maxBody)
        } catch {
            throw SandboxError(44004, "request body too large")
        }
        guard buffer.readableBytes > 0 else { throw SandboxError(44002, "empty post data") }
        return Data(buffer.readableBytesView)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ body: Data) throws(SandboxError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: body)
        } catch {
            throw SandboxError.dataFormat
        }
    }
}

/// Registers `/mp/cgi-bin/<path>` routes that find the account by its access token, then answer.
private struct Registrar {
    let router: Router<BasicRequestContext>
    let world: OfficialAccountWorld

    func get<Payload: Encodable & Sendable>(
        _ path: String, bare: Bool = false,
        _ operation: @escaping @Sendable (OfficialAccountWorld, String, [String: String]) async throws -> Payload
    ) {
        let world = self.world
        router.get(RouterPath(OfficialAccountAPI.base + path)) { request, _ -> PlatformAnswer<Payload> in
            let query = Dictionary(request.uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { first, _ in first })
            var answer = await SandboxAPI.answer {
                try await operation(world, try await world.appID(forToken: query["access_token"]), query)
            }
            answer.bare = bare
            return answer
        }
    }

    /// The body is handed over raw; the operation decodes it (47001 when it does not parse).
    func post<Payload: Encodable & Sendable>(
        _ path: String, bare: Bool = false,
        _ operation: @escaping @Sendable (OfficialAccountWorld, String, Data) async throws -> Payload
    ) {
        let world = self.world
        router.post(RouterPath(OfficialAccountAPI.base + path)) { request, _ -> PlatformAnswer<Payload> in
            let token = request.uri.queryParameters.get("access_token")
            var answer = await SandboxAPI.answer {
                let app = try await world.appID(forToken: token)
                return try await operation(world, app, try await OfficialAccountAPI.body(request))
            }
            answer.bare = bare
            return answer
        }
    }
}
