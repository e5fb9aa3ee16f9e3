import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore

/// Drives a running sandbox through its control API, as people would.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Drive a running sandbox: WeCom customers adding and leaving members, chatting, ordering; members confirming mass messages; people following, scanning, writing to and tapping the menu of an Official Account.",
        subcommands: [
            AddCustomers.self, DeleteMember.self, Message.self, Order.self, Confirm.self, JoinGroup.self,
            Follow.self, Unfollow.self, Scan.self, Text.self, Location.self, Click.self,
        ]
    )

    /// POSTs a JSON body to the sandbox and returns the decoded answer; a non-zero errcode is an error.
    static func post(_ url: String, sandbox: String, _ body: [String: any Sendable]) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        } catch {
            throw ValidationError("cannot reach the sandbox at \(sandbox); start it with `siyu sandbox` (\(error))")
        }
        let data = Data(try await response.body.collect(upTo: 16 << 20).readableBytesView)
        let answer = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        if let code = answer["errcode"] as? Int, code != 0 {
            throw ValidationError("sandbox refused: errcode \(code), \(answer["errmsg"] as? String ?? "")")
        }
        return answer
    }

    struct Target: ParsableArguments {
        @Option(help: "The sandbox's address") var sandbox = "http://127.0.0.1:8090"
        @Option(name: .customLong("corp-id"), help: "The corp in the sandbox") var corpID: String

        /// POSTs a JSON body to `/sandbox/corps/<corp>/<path>` and returns the decoded answer.
        func post(_ path: String, _ body: [String: any Sendable]) async throws -> [String: Any] {
            try await SimulateCommand.post("\(sandbox)/sandbox/corps/\(corpID)/\(path)", sandbox: sandbox, body)
        }
    }

    struct AddCustomers: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add-customers", abstract: "Customers scan a contact way (or add a member) one after another.")
        @OptionGroup var target: Target
        @Option(help: "How many customers") var count = 1
        @Option(name: .customLong("config-id"), help: "The contact way they scan") var configID: String?
        @Option(help: "Or the member they add directly") var userid: String?
        @Option(help: "Customers per second (0: as fast as possible)") var rate: Double = 0

        func run() async throws {
            var delivered = 0
            for index in 0..<count {
                var body: [String: any Sendable] = [:]
                if let configID { body["config_id"] = configID }
                if let userid { body["userid"] = userid }
                let answer = try await target.post("customers", body)
                let deliveries = answer["deliveries"] as? [[String: Any]] ?? []
                delivered += deliveries.filter { $0["outcome"] as? String == "delivered" }.count
                if let customer = answer["customer"] as? [String: Any] {
                    print("\(index + 1)\t\(customer["external_userid"] as? String ?? "")\t→ \(customer["userid"] as? String ?? "")")
                }
                if rate > 0 { try await Task.sleep(for: .seconds(1 / rate)) }
            }
            print("\(count) customers added, \(delivered) callbacks delivered")
        }
    }

    struct DeleteMember: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "delete-member", abstract: "A customer deletes a member (a lost customer).")
        @OptionGroup var target: Target
        @Option(name: .customLong("external-userid")) var externalUserID: String
        @Option var userid: String

        func run() async throws {
            _ = try await target.post("customers/\(externalUserID)/delete_member", ["userid": userid])
            print("\(externalUserID) deleted \(userid)")
        }
    }

    struct Message: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A message lands in the session archive.")
        @OptionGroup var target: Target
        @Option var from: String
        @Option var to: String
        @Option var content: String

        func run() async throws {
            _ = try await target.post("messages", ["from": from, "to": to, "content": content])
            print("archived")
        }
    }

    struct Order: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A customer places an order.")
        @OptionGroup var target: Target
        @Option(name: .customLong("external-userid")) var externalUserID: String
        @Option(name: .customLong("amount-fen")) var amountFen: Int

        func run() async throws {
            let answer = try await target.post("orders", ["external_userid": externalUserID, "amount_fen": amountFen])
            print(answer["order_id"] as? String ?? "")
        }
    }

    struct Confirm: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A member confirms their part of a mass message.")
        @OptionGroup var target: Target
        @Option var msgid: String
        @Option var userid: String

        func run() async throws {
            let answer = try await target.post("mass_messages/\(msgid)/confirm", ["userid": userid])
            print(answer["status_counts"] ?? [:])
        }
    }

    struct JoinGroup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "join-group", abstract: "A customer joins a customer group.")
        @OptionGroup var target: Target
        @Option(name: .customLong("chat-id")) var chatID: String
        @Option(name: .customLong("external-userid")) var externalUserID: String

        func run() async throws {
            _ = try await target.post("groups/\(chatID)/join", ["external_userid": externalUserID])
            print("\(externalUserID) joined \(chatID)")
        }
    }
}

// MARK: Official Account people

extension SimulateCommand {
    struct AccountTarget: ParsableArguments {
        @Option(help: "The sandbox's address") var sandbox = "http://127.0.0.1:8090"
        @Option(name: .customLong("app-id"), help: "The Official Account in the sandbox (its AppID)") var appID: String
        @Option(help: "The person (omit on follow for a new one)") var openid: String?

        /// POSTs the action to `/sandbox/mp/accounts/<app>/<action>` and prints the push and the reply.
        func perform(_ action: String, _ body: [String: any Sendable]) async throws {
            var body = body
            if let openid { body["openid"] = openid }
            let answer = try await SimulateCommand.post("\(sandbox)/sandbox/mp/accounts/\(appID)/\(action)", sandbox: sandbox, body)
            let delivery = answer["delivery"] as? [String: Any] ?? [:]
            let what = [delivery["msg_type"], delivery["event"], delivery["event_key"]].compactMap { $0 as? String }.joined(separator: " ")
            print("openid\t\(answer["openid"] as? String ?? "")")
            print("pushed\t\(what) → \(delivery["url"] as? String ?? "(no callback URL)") [\(delivery["mode"] as? String ?? "")]")
            print("outcome\t\(delivery["outcome"] as? String ?? "") after \(delivery["attempts"] as? Int ?? 0) tries, HTTP \(delivery["last_status"].map { "\($0)" } ?? "-")")
            if let error = delivery["last_error"] as? String { print("error\t\(error)") }
            print("xml\t\(delivery["xml"] as? String ?? "")")
            if let reply = delivery["reply_xml"] as? String {
                print("reply\t\((delivery["reply_encrypted"] as? Bool ?? false) ? "(encrypted) " : "")\(reply)")
            }
            if let problem = delivery["reply_error"] as? String { print("refused\t\(problem)") }
        }
    }

    /// The parametric QR code a person scans.
    struct QRCodeOptions: ParsableArguments {
        @Option(help: "The QR code's scene (scene_id or scene_str)") var scene: String?
        @Option(help: "Or the QR code's ticket") var ticket: String?

        var body: [String: any Sendable] {
            var body: [String: any Sendable] = [:]
            if let scene { body["scene"] = scene }
            if let ticket { body["ticket"] = ticket }
            return body
        }
    }

    struct Follow: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A person follows an Official Account, optionally by scanning a parametric QR code.")
        @OptionGroup var target: AccountTarget
        @OptionGroup var code: QRCodeOptions

        func run() async throws { try await target.perform("follow", code.body) }
    }

    struct Unfollow: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A follower unfollows.")
        @OptionGroup var target: AccountTarget

        func run() async throws { try await target.perform("unfollow", [:]) }
    }

    struct Scan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A person scans a parametric QR code (SCAN for a follower, a follow otherwise).")
        @OptionGroup var target: AccountTarget
        @OptionGroup var code: QRCodeOptions

        func run() async throws {
            guard !code.body.isEmpty else { throw ValidationError("--scene or --ticket is needed") }
            try await target.perform("scan", code.body)
        }
    }

    struct Text: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A follower sends a text message.")
        @OptionGroup var target: AccountTarget
        @Option var content: String

        func run() async throws { try await target.perform("text", ["content": content]) }
    }

    struct Location: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A follower sends a location message (or, with --event, reports the LOCATION event).")
        @OptionGroup var target: AccountTarget
        @Option var latitude: Double
        @Option var longitude: Double
        @Option(help: "The place's name") var label: String?
        @Flag(help: "The LOCATION event instead of a location message") var event = false

        func run() async throws {
            var body: [String: any Sendable] = ["latitude": latitude, "longitude": longitude]
            if let label { body["label"] = label }
            try await target.perform(event ? "location_event" : "location", body)
        }
    }

    struct Click: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A follower taps a menu button with a key (CLICK), or one with a URL (--url: VIEW).")
        @OptionGroup var target: AccountTarget
        @Option(help: "The button's key") var key: String?
        @Option(help: "Or the view button's URL") var url: String?

        func run() async throws {
            if let url { return try await target.perform("view", ["url": url]) }
            guard let key else { throw ValidationError("--key or --url is needed") }
            try await target.perform("click", ["key": key])
        }
    }
}
