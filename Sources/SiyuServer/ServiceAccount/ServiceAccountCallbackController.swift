import Foundation
import Hummingbird
import NIOCore
import SiyuCore
import SiyuStore
import WeCom

/// `GET|POST /callback/mp/{app_id}`: a service account's server URL.
///
/// GET answers the plain `echostr` after the `signature` check, in every mode. POST checks
/// `signature` (and `msg_signature` when encrypted), refuses a push in a weaker mode than the
/// account is configured for (403), decrypts with the current key or the previous one, stores
/// the push in the durable inbox (group commit, deduplicated by the decrypted content) and only
/// then answers: with a passive reply chosen in memory from the account's rules, encrypted with
/// the key that opened the push, or with `success`.
struct ServiceAccountCallbackController: Sendable {
    let accounts: ServiceAccountConnections
    let ingestor: CallbackIngestor
    let time: TimeSource
    static let maxBody = CallbackController.maxBody
    /// The job kind that applies a stored push; its payload is `<app_id> <dedupe key>`.
    static let applyJobKind = "mp.apply"

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("callback/mp/{app_id}", use: verifyURL)
        router.post("callback/mp/{app_id}", use: receive)
    }

    @Sendable func verifyURL(_ request: Request, context: AppRequestContext) async throws -> Response {
        let connection = try await connection(context)
        do {
            let echo = try OfficialAccountPush.verifyURL(Self.query(request), token: connection.token)
            context.logger.info("service account URL verified", metadata: ["app_id": .string(connection.account.appID)])
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: echo)))
        } catch {
            throw Self.refusal(error)
        }
    }

    @Sendable func receive(_ request: Request, context: AppRequestContext) async throws -> Response {
        let connection = try await connection(context)
        let account = connection.account
        var request = request
        let body = try await request.collectBody(limit: Self.maxBody)
        let opened: OfficialAccountPush.Opened
        let push: WeComCallback
        do {
            opened = try OfficialAccountPush.open(
                body: Array(body.readableBytesView), query: Self.query(request), token: connection.token, cryptos: connection.cryptos
            )
            push = try WeComCallback.decode(opened.xml)
        } catch {
            throw Self.refusal(error)
        }
        guard Self.strength(of: opened.arrival) >= account.mode else {
            throw APIError(
                .forbidden, code: "mode_refused",
                "the account is configured for \(account.mode.rawValue) mode; a push in \(opened.arrival.rawValue) mode is refused"
            )
        }
        if opened.keyIndex == 1 {
            context.logger.notice("push decrypted with the previous EncodingAESKey", metadata: ["app_id": .string(account.appID)])
        }
        let key = CallbackInbox.dedupeKey(for: opened.xml)
        do {
            let outcome = try await ingestor.submit(CallbackInbox.Submission(
                corpID: account.corpID, payload: opened.xml, dedupeKey: key, jobKind: Self.applyJobKind, jobPayload: "\(account.appID) \(key)"
            ))
            if outcome == .duplicate {
                context.logger.debug("duplicate push absorbed", metadata: ["app_id": .string(account.appID)])
            }
        } catch {
            context.logger.error("push not stored", metadata: ["app_id": .string(account.appID), "error": .string(String(describing: error))])
            throw APIError.databaseUnavailable("the push could not be stored now; the platform will retry")
        }
        return reply(to: push, opened: opened, connection: connection, context: context)
    }

    /// The passive reply, or `success`. Nothing here waits on anything; a reply that cannot be
    /// built is logged and the push is still acknowledged.
    func reply(to push: WeComCallback, opened: OfficialAccountPush.Opened, connection: ServiceAccountConnections.Connection, context: AppRequestContext) -> Response {
        guard let content = Self.replyContent(for: push, rules: connection.replies, channels: connection.channels) else { return Self.success }
        let now = BusinessCalendar.seconds(time())
        let plain = Self.platformReply(content).xml(to: push.header.fromUserName, from: push.header.toUserName, createTime: now)
        guard opened.arrival != .plain, let index = opened.keyIndex, connection.cryptos.indices.contains(index) else {
            return Response(status: .ok, headers: [.contentType: "application/xml; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: plain)))
        }
        do {
            let nonce = String(UInt64.random(in: 1...UInt64.max), radix: 36)
            let sealed = try connection.cryptos[index].encryptReply(plain, timestamp: String(now), nonce: nonce)
            let xml = WeComEncryptedReply(encrypt: sealed.encrypt, msgSignature: sealed.signature, timestamp: now, nonce: nonce).xml()
            return Response(status: .ok, headers: [.contentType: "application/xml; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: xml)))
        } catch {
            context.logger.error("cannot encrypt the passive reply; answering success", metadata: ["error": .string(String(describing: error))])
            return Self.success
        }
    }

    static let success = Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "success")))

    /// What the account's rules answer to this push, if anything.
    static func replyContent(for push: WeComCallback, rules: ReplyRuleSet, channels: [String: SiyuCore.Channel]) -> ReplyContent? {
        switch push.payload {
        case .message(let message):
            if case .text(let text) = message.content { return rules.reply(toText: text) }
            return nil
        case .accountEvent(.subscribe(let qr)):
            return qr.flatMap { channels[$0.scene]?.settings.followerWelcome } ?? rules.subscribeReply
        case .accountEvent(.scan(let qr)):
            return channels[qr.scene]?.settings.followerWelcome
        case .accountEvent(.click(let key)):
            return rules.reply(toClick: key)
        default:
            return nil
        }
    }

    static func platformReply(_ content: ReplyContent) -> OfficialAccountReply {
        switch content {
        case .text(let text): .text(text)
        case .image(let mediaID): .image(mediaID: mediaID)
        case .news(let article): .news(title: article.title, description: article.description, picURL: article.picURL, url: article.url)
        }
    }

    static func strength(of arrival: OfficialAccountPush.Arrival) -> CallbackMode {
        switch arrival {
        case .plain: .plain
        case .compatible: .compatible
        case .secure: .secure
        }
    }

    static func query(_ request: Request) -> OfficialAccountPush.Query {
        OfficialAccountPush.Query(Dictionary(request.uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { first, _ in first }))
    }

    private func connection(_ context: AppRequestContext) async throws -> ServiceAccountConnections.Connection {
        let appID = try context.parameters.require("app_id")
        guard let connection = try await accounts.connection(appID: appID) else {
            throw APIError(.notFound, code: "not_found", "no service account \(appID)")
        }
        return connection
    }

    static func refusal(_ error: any Error) -> APIError {
        if let error = error as? WeComCryptoError, error.code == .invalidSignature {
            return APIError(.forbidden, code: "bad_signature", error.description)
        }
        return CallbackController.refusal(error)
    }
}
