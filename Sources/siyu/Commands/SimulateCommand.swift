import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore

/// Drives a running sandbox through its control API, as people would.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Drive a running WeCom sandbox: customers adding and leaving members, chatting, ordering; members confirming mass messages.",
        subcommands: [AddCustomers.self, DeleteMember.self, Message.self, Order.self, Confirm.self, JoinGroup.self]
    )

    struct Target: ParsableArguments {
        @Option(help: "The sandbox's address") var sandbox = "http://127.0.0.1:8090"
        @Option(name: .customLong("corp-id"), help: "The corp in the sandbox") var corpID: String

        /// POSTs a JSON body to `/sandbox/corps/<corp>/<path>` and returns the decoded answer.
        func post(_ path: String, _ body: [String: any Sendable]) async throws -> [String: Any] {
            var request = HTTPClientRequest(url: "\(sandbox)/sandbox/corps/\(corpID)/\(path)")
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
