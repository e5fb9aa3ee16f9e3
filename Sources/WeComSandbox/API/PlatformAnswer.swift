import Foundation
import Hummingbird
import NIOCore

/// An answer in the platform's envelope: HTTP 200, `errcode`, `errmsg`, then the payload's fields.
///
/// `bare` answers a success with the payload's fields alone, as most Official Account APIs do
/// (`token`, `user/info`, `qrcode/create`…); errors always carry `errcode` and `errmsg`.
struct PlatformAnswer<Payload: Encodable & Sendable>: ResponseGenerator {
    var errcode = 0
    var errmsg = "ok"
    var payload: Payload?
    var bare = false

    private struct Envelope: Encodable {
        var errcode: Int
        var errmsg: String
        var payload: Payload?
        var bare: Bool

        enum CodingKeys: String, CodingKey { case errcode, errmsg }

        func encode(to encoder: any Encoder) throws {
            // The payload writes its own keys into the same JSON object as errcode/errmsg.
            try payload?.encode(to: encoder)
            if bare, errcode == 0, payload != nil { return }
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(errcode, forKey: .errcode)
            try container.encode(errmsg, forKey: .errmsg)
        }
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let body = try encoder.encode(Envelope(errcode: errcode, errmsg: errmsg, payload: payload, bare: bare))
        return Response(
            status: .ok,
            headers: [.contentType: "application/json; charset=UTF-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: body))
        )
    }
}

/// No payload: `{"errcode":0,"errmsg":"ok"}`.
struct NoPayload: Encodable, Sendable {}
