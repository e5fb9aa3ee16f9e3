import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing
import WeCom

/// `gettoken` carries the app secret in its query: a WeCom base URL that answers with a redirect
/// must not get the client to carry the secret anywhere else.
@Suite("WeCom client and redirects")
struct ClientRedirectTests {
    /// Records what reaches it, as an attacker's receiver would.
    final class Receiver: Sendable {
        let queries = Mutex<[String]>([])
    }

    @Test("a redirect (302, 307, 308) to another host is an error, and the secret never reaches that host")
    func noRedirect() async throws {
        let receiver = Receiver()
        let catcher = Router()
        catcher.get("cgi-bin/gettoken") { request, _ -> String in
            receiver.queries.withLock { $0.append(request.uri.query ?? "") }
            return #"{"errcode":0,"errmsg":"ok","access_token":"stolen","expires_in":7200}"#
        }
        let catcherApp = Application(router: catcher, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: SandboxHarness.logger)
        try await catcherApp.test(.live) { catcherClient in
            let catcherPort = try #require(catcherClient.port)
            // `/<status>/cgi-bin/gettoken` answers that redirect status towards the catcher, query and all.
            let redirector = Router()
            for status in [HTTPResponse.Status.found, .temporaryRedirect, .permanentRedirect] {
                redirector.get("\(status.code)/cgi-bin/gettoken") { request, _ in
                    Response(status: status, headers: [.location: "http://localhost:\(catcherPort)/cgi-bin/gettoken?\(request.uri.query ?? "")"])
                }
            }
            let redirectorApp = Application(router: redirector, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: SandboxHarness.logger)
            try await redirectorApp.test(.live) { redirectorClient in
                let port = try #require(redirectorClient.port)
                for code in [302, 307, 308] {
                    let client = WeComClient(
                        configuration: WeComClientConfiguration(
                            baseURL: "http://127.0.0.1:\(port)/\(code)", tokenSource: .wecom(corpID: "wwvictim", secret: "the-app-secret")
                        ),
                        logger: SandboxHarness.logger
                    )
                    let error = await #expect(throws: WeComAPIError.self) { _ = try await client.accessToken() }
                    #expect(error?.errmsg.contains("redirect") == true, "HTTP \(code): \(String(describing: error))")
                }
            }
        }
        #expect(receiver.queries.withLock { $0 }.isEmpty, "the secret reached the other host")
    }
}
