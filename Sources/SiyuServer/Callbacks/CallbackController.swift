import Foundation
import Hummingbird
import NIOCore
import SiyuStore
import WeCom

/// `GET|POST /callback/wecom/{corp_id}`: URL verification and event delivery from WeCom.
///
/// POST verifies the signature, decrypts, stores the event in the durable inbox (group commit)
/// and answers 200 with an empty body; applying it happens later in a job. Anything unreadable
/// is refused with a 4xx so nothing half-understood is stored; a storage failure answers 503 so
/// the platform retries.
struct CallbackController: Sendable {
    let wecom: WeComConnections
    let ingestor: CallbackIngestor
    /// The platform's bodies are a few hundred bytes; anything near this is not a callback.
    static let maxBody = 64 * 1024

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("callback/wecom/{corp_id}", use: verifyURL)
        router.post("callback/wecom/{corp_id}", use: receive)
    }

    @Sendable func verifyURL(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (corpID, crypto) = try await crypto(context)
        let query = request.uri.queryParameters
        guard let signature = query.get("msg_signature"), let timestamp = query.get("timestamp"),
              let nonce = query.get("nonce"), let echo = query.get("echostr")
        else {
            throw APIError(.badRequest, code: "bad_request", "URL verification needs msg_signature, timestamp, nonce and echostr")
        }
        do {
            let plain = try crypto.verifyURL(signature: signature, timestamp: timestamp, nonce: nonce, echoStr: echo)
            context.logger.info("callback URL verified", metadata: ["corp_id": .string(corpID)])
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: plain)))
        } catch {
            throw Self.refusal(error)
        }
    }

    @Sendable func receive(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (corpID, crypto) = try await crypto(context)
        let query = request.uri.queryParameters
        guard let signature = query.get("msg_signature"), let timestamp = query.get("timestamp"), let nonce = query.get("nonce") else {
            throw APIError(.badRequest, code: "bad_request", "a callback needs msg_signature, timestamp and nonce")
        }
        var request = request
        let body = try await request.collectBody(limit: Self.maxBody)
        let plain: String
        do {
            let envelope = try WeComEncryptedEnvelope.decode(Array(body.readableBytesView))
            plain = try crypto.decryptMessage(signature: signature, timestamp: timestamp, nonce: nonce, encrypted: envelope.encrypt)
            // Store only what we can read back: a malformed event is refused now, not found later.
            _ = try WeComXML.parse(plain)
        } catch {
            throw Self.refusal(error)
        }
        do {
            let outcome = try await ingestor.submit(CallbackInbox.Submission(corpID: corpID, payload: plain))
            if outcome == .duplicate {
                context.logger.debug("duplicate callback absorbed", metadata: ["corp_id": .string(corpID)])
            }
        } catch {
            context.logger.error("callback not stored", metadata: ["corp_id": .string(corpID), "error": .string(String(describing: error))])
            throw APIError.databaseUnavailable("the event could not be stored now; the platform will retry")
        }
        return Response(status: .ok)
    }

    private func crypto(_ context: AppRequestContext) async throws -> (String, CallbackCrypto) {
        let corpID = try context.parameters.require("corp_id")
        guard let connection = try await wecom.connection(for: corpID) else {
            throw APIError(.notFound, code: "not_found", "no corp \(corpID)")
        }
        return (corpID, connection.crypto)
    }

    static func refusal(_ error: any Error) -> APIError {
        switch error {
        case let error as WeComCryptoError where error.code == .invalidSignature:
            return APIError(.forbidden, code: "bad_signature", "msg_signature does not match (\(error.code.rawValue))")
        case let error as WeComCryptoError:
            return APIError(.badRequest, code: "undecryptable", error.description)
        case let error as WeComCallbackError:
            return APIError(.badRequest, code: "malformed", "the body is not a callback envelope: \(error)")
        case let error as WeComXMLError:
            return APIError(.badRequest, code: "malformed", "the decrypted event is not well-formed XML: \(error)")
        default:
            return APIError.from(error)
        }
    }
}
