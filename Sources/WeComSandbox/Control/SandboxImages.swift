import Foundation
import Hummingbird
import NIOCore
import SiyuCore

/// Images the platform hosts on its CDN, served by the sandbox itself so they load offline:
/// a contact way's QR code and customers' avatars (the URLs the world hands out point here).
struct SandboxImages: Sendable {
    let world: SandboxWorld

    func addRoutes(to router: Router<BasicRequestContext>) {
        let world = self.world
        router.get("sandbox/corps/{corp_id}/contact_ways/{config_id}/qr.svg") { _, context -> Response in
            let configID = context.parameters.get("config_id") ?? ""
            guard await world.hasContactWay(corpID: try ControlAPI.corp(context), configID: configID) else {
                throw HTTPError(.notFound, message: "no such contact way")
            }
            return Self.svgResponse(try QRCode(text: SandboxWorld.contactLink(configID: configID)).svg())
        }
        router.get("sandbox/corps/{corp_id}/customers/{external_userid}/avatar.svg") { _, context -> Response in
            let externalUserID = context.parameters.get("external_userid") ?? ""
            guard let name = await world.customerName(corpID: try ControlAPI.corp(context), externalUserID: externalUserID) else {
                throw HTTPError(.notFound, message: "no such customer")
            }
            return Self.svgResponse(Self.avatar(name: name, key: externalUserID))
        }
    }

    static func svgResponse(_ svg: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "image/svg+xml", .cacheControl: "public, max-age=86400"],
            body: .init(byteBuffer: ByteBuffer(string: svg))
        )
    }

    /// A round avatar: the name's last character on a colour picked by `key`.
    static func avatar(name: String, key: String) -> String {
        let colours = ["#e8590c", "#2f9e44", "#1971c2", "#9c36b5", "#c2255c", "#0c8599", "#f08c00", "#5c7cfa"]
        let index = key.utf8.reduce(0) { ($0 &* 31 &+ Int($1)) & 0xFFFF } % colours.count
        let letter = name.last.map { String($0) } ?? "?"
        let escaped = letter.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96">\
            <circle cx="48" cy="48" r="48" fill="\(colours[index])"/>\
            <text x="48" y="62" font-size="42" text-anchor="middle" fill="#fff" font-family="sans-serif">\(escaped)</text></svg>
            """
    }
}
