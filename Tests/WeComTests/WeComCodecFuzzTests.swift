import Testing
import WeCom
import WeComSandbox

@Suite("Codec fuzzing")
struct WeComCodecFuzzTests {
    private static let seeds: [[UInt8]] = [
        WeComCallbackSamples.a1TextMessage, WeComCallbackSamples.externalContactAdd,
        WeComCallbackSamples.externalChatUpdate,
        "<?xml version=\"1.0\"?><!-- c --><xml a='1' b=\"&amp;\"><Content>&lt;&#20013;&#x4e2d;<![CDATA[x]]]]><![CDATA[>]]></Content><E/></xml>",
        WeComTextReply(toUserName: "o", fromUserName: "gh", createTime: 1, content: "中文 ]]> &").xml(),
        WeComEncryptedReply(encrypt: "QUJD", msgSignature: "s", timestamp: 2, nonce: "n").xml(),
    ].map { Array($0.utf8) }

    private static let insertions: [[UInt8]] =
        [
            "<", "&", "]]>", "<![CDATA[", "<!--", "-->", "</xml>", "<xml>", "&#x", ";", "<!DOCTYPE", "/>", "\u{FF}",
            "中",
        ].map { Array($0.utf8) } + [[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0x00]]

    private func mutate(_ input: [UInt8], _ rng: inout SeededGenerator) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &rng)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0 where position < bytes.count:
                bytes[position] ^= UInt8.random(in: 1...255, using: &rng)
            case 1:
                bytes.removeSubrange(position...)
            case 2:
                bytes.insert(contentsOf: Self.insertions.randomElement(using: &rng)!, at: position)
            case 3 where position < bytes.count:
                let end = min(bytes.count, position + Int.random(in: 1...20, using: &rng))
                bytes.removeSubrange(position..<end)
            case 4:
                let depth = Int.random(in: 1...40, using: &rng)
                bytes =
                    Array(repeating: Array("<d>".utf8), count: depth).flatMap { $0 } + bytes
                    + Array(repeating: Array("</d>".utf8), count: depth).flatMap { $0 }
            default:
                let end = min(bytes.count, position + Int.random(in: 1...40, using: &rng))
                bytes.insert(contentsOf: bytes[position..<end], at: position)
            }
        }
        return bytes
    }

    private func noise(_ rng: inout SeededGenerator) -> [UInt8] {
        let alphabet = Array("<>/&;#x![]CDATA-? =\"'xmlItem中\n".utf8)
        return (0..<Int.random(in: 0...120, using: &rng)).map { _ in
            Bool.random(using: &rng) ? alphabet.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng)
        }
    }

    /// Every input either parses or fails with a typed error (typed throws make the type
    /// certain; the test proves there is no crash or hang), and whatever parses re-encodes.
    @Test func mutatedAndRandomInputsNeverCrash() {
        var rng = SeededGenerator(seed: 0x5159_5553_4349_0001)
        var parsed = 0
        var rejected = 0
        var decoded = 0
        for round in 0..<4000 {
            let input = round % 4 == 3 ? noise(&rng) : mutate(Self.seeds[round % Self.seeds.count], &rng)
            do {
                let root = try WeComXML.parse(input, options: .init(maxInputBytes: 4096))
                parsed += 1
                expectLeafFieldsRoundTrip(root)
            } catch {
                rejected += 1
                #expect(error.offset >= 0 && error.offset <= max(input.count, 4096))
            }
            if (try? WeComCallback.decode(input)) != nil { decoded += 1 }
            _ = try? WeComEncryptedEnvelope.decode(input)
        }
        #expect(parsed > 100)
        #expect(rejected > 1000)
        #expect(decoded > 50)
    }

    /// Re-encodes the root's childless children with the writer and parses them back.
    private func expectLeafFieldsRoundTrip(_ root: WeComXMLElement) {
        var writer = WeComXMLWriter()
        let leaves = root.children.filter(\.children.isEmpty)
        for leaf in leaves { writer.text(leaf.name, leaf.text) }
        let document = writer.finish()
        #expect((try? WeComXML.parse(document))?.children.map(\.text) == leaves.map(\.text), "\(document)")
    }

    @Test func deepAndWideInputsStayBounded() {
        let deep = String(repeating: "<a>", count: 100_000)
        expectXMLError(.depthLimitExceeded, at: 32 * 3, deep)
        let wide = "<xml>" + String(repeating: "<Item>x</Item>", count: 50_000) + "</xml>"
        #expect((try? WeComXML.parse(wide))?.children.count == 50_000)
        let entities = "<a>" + String(repeating: "&amp;", count: 100_000) + "</a>"
        #expect((try? WeComXML.parse(entities))?.text.utf8.count == 100_000)
    }
}
