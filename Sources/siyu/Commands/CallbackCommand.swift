import ArgumentParser
import Foundation
import WeCom

/// Developer tools for the callback crypto: decrypt what the platform sent, encrypt a reply.
struct CallbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "callback",
        abstract: "Decrypt a WeCom callback body or encrypt a passive reply (reads standard input).",
        subcommands: [Decrypt.self, EncryptReply.self]
    )

    struct Keys: ParsableArguments {
        @Option(help: "Callback token") var token: String
        @Option(name: .customLong("aes-key"), help: "EncodingAESKey (43 characters)") var aesKey: String
        @Option(name: .customLong("receive-id"), help: "CorpID (or an Official Account's AppID)") var receiveID: String

        func crypto() throws -> CallbackCrypto {
            do {
                return try CallbackCrypto(token: token, encodingAESKey: aesKey, receiveID: receiveID)
            } catch {
                throw ValidationError(error.description)
            }
        }
    }

    static func readInput() -> String {
        String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
    }

    struct Decrypt: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Verify and decrypt an encrypted POST body (XML or JSON envelope) from standard input.")
        @OptionGroup var keys: Keys
        @Option(name: .customLong("msg-signature")) var signature: String
        @Option var timestamp: String
        @Option var nonce: String

        func run() async throws {
            let crypto = try keys.crypto()
            let envelope: WeComEncryptedEnvelope
            do {
                envelope = try WeComEncryptedEnvelope.decode(CallbackCommand.readInput())
            } catch {
                throw ValidationError("cannot read the body: \(error)")
            }
            let plain: String
            do {
                plain = try crypto.decryptMessage(signature: signature, timestamp: timestamp, nonce: nonce, encrypted: envelope.encrypt)
            } catch {
                throw ValidationError("cannot decrypt: \(error.description)")
            }
            FileHandle.standardOutput.write(Data(plain.utf8))
        }
    }

    struct EncryptReply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "encrypt-reply", abstract: "Encrypt a reply message from standard input into the signed passive-reply XML.")
        @OptionGroup var keys: Keys
        @Option var timestamp: String
        @Option var nonce: String

        func run() async throws {
            let crypto = try keys.crypto()
            guard let stamp = Int64(timestamp) else { throw ValidationError("--timestamp must be Unix seconds") }
            let reply: CallbackCrypto.EncryptedReply
            do {
                reply = try crypto.encryptReply(CallbackCommand.readInput(), timestamp: timestamp, nonce: nonce)
            } catch {
                throw ValidationError("cannot encrypt: \(error.description)")
            }
            let xml = WeComEncryptedReply(encrypt: reply.encrypt, msgSignature: reply.signature, timestamp: stamp, nonce: nonce).xml()
            FileHandle.standardOutput.write(Data(xml.utf8))
        }
    }
}
