import Foundation
import Testing
import WeComSandbox

@testable import WeCom

@Suite("Callback crypto")
struct CallbackCryptoTests {
    // Official vector A-1 (WeCom 加解密方案说明).
    static let token = "QDG6eK"
    static let aesKey = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
    static let corpID = "wx5823bf96d3bd56c7"
    static let postEncrypt = "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
    static let postMessage = "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n<FromUserName><![CDATA[mycreate]]></FromUserName>\n<CreateTime>1409659813</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[hello]]></Content>\n<MsgId>4561255354251345929</MsgId>\n<AgentID>218</AgentID>\n</xml>"

    var crypto: CallbackCrypto { get throws { try CallbackCrypto(token: Self.token, encodingAESKey: Self.aesKey, receiveID: Self.corpID) } }

    static func hex(_ text: String) -> [UInt8] {
        stride(from: 0, to: text.count, by: 2).map { i in
            let start = text.index(text.startIndex, offsetBy: i)
            return UInt8(text[start..<text.index(start, offsetBy: 2)], radix: 16)!
        }
    }

    @Test("official vector A-1: URL verification (GET)")
    func officialGet() throws {
        let echo = "P9nAzCzyDtyTWESHep1vC5X9xho%2FqYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp%2B4RPcs8TgAE7OaBO%2BFZXvnaqQ%3D%3D".removingPercentEncoding!
        let plain = try crypto.verifyURL(signature: "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", timestamp: "1409659589", nonce: "263014780", echoStr: echo)
        #expect(plain == "1616140317555161061")
        #expect(try crypto.decrypt(echo).random == Array("c41b64491c2468d0".utf8))
    }

    @Test("official vector A-1: event (POST), and byte-exact re-encryption")
    func officialPost() throws {
        let message = try crypto.decryptMessage(
            signature: "477715d11cdb4164915debcba66cb864d751f3e6", timestamp: "1409659813", nonce: "1372623149", encrypted: Self.postEncrypt
        )
        #expect(message == Self.postMessage)
        #expect(message.utf8.count == 284)
        let decrypted = try crypto.decrypt(Self.postEncrypt)
        #expect(decrypted.random == Array("0960688932c47ef1".utf8))
        #expect(decrypted.receiveID == Self.corpID)
        #expect(try crypto.encrypt(Self.postMessage, random: decrypted.random) == Self.postEncrypt)
    }

    @Test("the key of vector A-1 is the documented bytes")
    func keyBytes() throws {
        let raw = Data(base64Encoded: Self.aesKey + "=")!
        #expect(Array(raw) == Self.hex("8d69989bbaabe67328014c194631ad0719b3dca035b64023df292447aab60760"))
    }

    @Test("Official Account vector: encryption with a known random")
    func officialAccount() throws {
        let oa = try CallbackCrypto(token: "pamtest", encodingAESKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", receiveID: "wxb11529c136998cb6")
        let encrypted = try oa.encrypt("我是中文abcd123", random: Array("aaaabbbbccccdddd".utf8))
        #expect(encrypted == "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==")
        #expect(try oa.decrypt(encrypted).message == "我是中文abcd123")
    }

    @Test("plain-mode Official Account signature vector")
    func plainSignature() {
        #expect(CallbackCrypto.plainSignature(token: "AAAAA", timestamp: "1714037059", nonce: "486452656") == "899cf89e464efb63f54ddac96b0a0a235f53aa78")
    }

    @Test("round trip over random keys, ids and messages, reply signatures verify")
    func roundTrip() throws {
        var generator = SeededGenerator(seed: 42)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        for _ in 0..<200 {
            let keyBytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let aesKey = String(Data(keyBytes).base64EncodedString().dropLast())
            let receive = "ww" + String((0..<16).map { _ in alphabet.randomElement(using: &generator)! })
            let crypto = try CallbackCrypto(token: "tok", encodingAESKey: aesKey, receiveID: receive)
            let length = Int.random(in: 0...700, using: &generator)
            let message = String((0..<length).map { _ in ["a", "中", "\n", "<", "😀", "]"].randomElement(using: &generator)! }.joined())
            let reply = try crypto.encryptReply(message, timestamp: "1700000000", nonce: "42")
            #expect(Data(base64Encoded: reply.encrypt)!.count % 32 == 0)
            #expect(try crypto.decryptMessage(signature: reply.signature, timestamp: "1700000000", nonce: "42", encrypted: reply.encrypt) == message)
        }
    }

    @Test("a whole block of padding is added when the plaintext is already aligned")
    func alignedPadding() throws {
        // 16 random + 4 length + 12 message + 18 receive id = 50; pick a message that makes it 64.
        let crypto = try self.crypto
        let message = String(repeating: "x", count: 64 - 20 - Self.corpID.utf8.count)
        let encrypted = try crypto.encrypt(message)
        #expect(Data(base64Encoded: encrypted)!.count == 96)
        #expect(try crypto.decrypt(encrypted).message == message)
    }

    // MARK: Bad input: a typed error each

    @Test("a wrong signature is refused")
    func badSignature() throws {
        #expect(throws: WeComCryptoError(.invalidSignature, "msg_signature does not match; check the callback token")) {
            try crypto.decryptMessage(signature: "477715d11cdb4164915debcba66cb864d751f3e7", timestamp: "1409659813", nonce: "1372623149", encrypted: Self.postEncrypt)
        }
        #expect(throws: WeComCryptoError.self) {
            try crypto.decryptMessage(signature: "477715d11cdb4164915debcba66cb864d751f3e6", timestamp: "1409659814", nonce: "1372623149", encrypted: Self.postEncrypt)
        }
    }

    @Test("a message for another corp is refused")
    func wrongReceiveID() throws {
        let other = try CallbackCrypto(token: Self.token, encodingAESKey: Self.aesKey, receiveID: "wwsomeoneelse")
        do {
            _ = try other.decrypt(Self.postEncrypt)
            Issue.record("accepted a message for another corp")
        } catch {
            #expect(error.code == .receiveIDMismatch)
        }
    }

    @Test("non-base64, truncated and misaligned ciphertext are refused")
    func badCiphertext() throws {
        let crypto = try self.crypto
        func code(_ input: String) -> WeComCryptoError.Code? {
            do { _ = try crypto.decrypt(input); return nil } catch { return error.code }
        }
        #expect(code("not base64 !!") == .decodeBase64)
        #expect(code("") == .invalidBuffer)
        #expect(code(Data(repeating: 1, count: 15).base64EncodedString()) == .invalidBuffer)
        let raw = Data(base64Encoded: Self.postEncrypt)!
        #expect(code(raw.prefix(raw.count - 16).base64EncodedString()) == .invalidBuffer, "truncated by one AES block")
        #expect(code(raw.prefix(raw.count - 3).base64EncodedString()) == .invalidBuffer, "truncated mid-block")
    }

    @Test("wrong padding (a wrong key) is refused")
    func wrongKey() throws {
        let wrong = try CallbackCrypto(token: Self.token, encodingAESKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", receiveID: Self.corpID)
        do {
            _ = try wrong.decrypt(Self.postEncrypt)
            Issue.record("decrypted with the wrong key")
        } catch {
            #expect([.invalidBuffer, .receiveIDMismatch].contains(error.code))
        }
    }

    @Test("keys of the wrong length are refused")
    func badKeyLength() {
        for key in ["", "short", String(repeating: "a", count: 44), "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2!"] {
            do {
                _ = try CallbackCrypto(token: "t", encodingAESKey: key, receiveID: "")
                Issue.record("accepted key \(key)")
            } catch {
                #expect(error.code == .invalidAESKey)
            }
        }
    }

    @Test("thousands of mutated ciphertexts: no crash, a typed error or a clean decrypt")
    func fuzzDecrypt() throws {
        let crypto = try self.crypto
        var generator = SeededGenerator(seed: 7)
        let original = Array(Data(base64Encoded: Self.postEncrypt)!)
        for round in 0..<3000 {
            var bytes = original
            switch round % 4 {
            case 0: bytes[Int.random(in: 0..<bytes.count, using: &generator)] ^= UInt8.random(in: 1...255, using: &generator)
            case 1: bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &generator)))
            case 2: bytes = (0..<(16 * Int.random(in: 1...20, using: &generator))).map { _ in UInt8.random(in: 0...255, using: &generator) }
            default: bytes += (0..<Int.random(in: 1...40, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            }
            var input = Data(bytes).base64EncodedString()
            if round % 50 == 0 { input.insert("%", at: input.startIndex) }
            do {
                _ = try crypto.decrypt(input)
            } catch {
                #expect(error.code != .encrypt)
            }
        }
    }
}
