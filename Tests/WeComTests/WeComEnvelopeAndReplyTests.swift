import Foundation
import Testing
import WeCom

@Suite("Encrypted envelopes")
struct WeComEncryptedEnvelopeTests {
    private let cipher = "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0Q=="

    @Test func xmlVariant() throws {
        let body =
            "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Encrypt><![CDATA[\(cipher)]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>"
        let expected = WeComEncryptedEnvelope(toUserName: "wx5823bf96d3bd56c7", encrypt: cipher, agentID: "218")
        #expect(try WeComEncryptedEnvelope.decodeXML(body) == expected)
        #expect(try WeComEncryptedEnvelope.decode(Data(body.utf8)) == expected)
    }

    @Test func officialAccountXMLWithoutAgentID() throws {
        let body = "<xml>\n<ToUserName><![CDATA[gh_1]]></ToUserName>\n<Encrypt><![CDATA[\(cipher)]]></Encrypt>\n</xml>"
        #expect(try WeComEncryptedEnvelope.decode(body) == .init(toUserName: "gh_1", encrypt: cipher, agentID: nil))
    }

    @Test func jsonVariant() throws {
        let body =
            #"{"tousername":"ww1","encrypt":"\#(cipher.replacingOccurrences(of: "/", with: "\\/"))","agentid":"218"}"#
        let expected = WeComEncryptedEnvelope(toUserName: "ww1", encrypt: cipher, agentID: "218")
        #expect(try WeComEncryptedEnvelope.decodeJSON(body) == expected)
        #expect(try WeComEncryptedEnvelope.decode("  \n" + body) == expected)
        let numericAgent = #"{"tousername":"ww1","encrypt":"abc","agentid":1000002}"#
        #expect(try WeComEncryptedEnvelope.decode(numericAgent).agentID == "1000002")
    }

    @Test func missingEncryptFails() {
        func code(_ body: String, json: Bool = false) -> (WeComCallbackError.Code, String?)? {
            do {
                _ = try json ? WeComEncryptedEnvelope.decodeJSON(body) : WeComEncryptedEnvelope.decode(body)
                return nil
            } catch {
                return (error.code, error.field)
            }
        }
        #expect(code("<xml><ToUserName>a</ToUserName></xml>")! == (.missingField, "Encrypt"))
        #expect(code("<xml><Encrypt></Encrypt></xml>")! == (.missingField, "Encrypt"))
        #expect(code(#"{"tousername":"a"}"#)! == (.missingField, "encrypt"))
        #expect(code(#"{"encrypt":["x"]}"#)! == (.invalidField, "encrypt"))
        #expect(code(#"{"encrypt":"#)! == (.malformedJSON, nil))
        #expect(code(#"["encrypt"]"#, json: true)! == (.malformedJSON, nil))
        #expect(code(#"["encrypt"]"#)! == (.malformedXML, nil))
        #expect(code("<xml><Encrypt>x</Encrypt>")! == (.malformedXML, nil))
        #expect(code("<Envelope><Encrypt>x</Encrypt></Envelope>")! == (.unexpectedRoot, "Envelope"))
    }
}

@Suite("Passive replies and the XML writer")
struct WeComPassiveReplyTests {
    @Test func encryptedReplyXML() throws {
        let reply = WeComEncryptedReply(
            encrypt: "ABC+/=", msgSignature: "5c45ff5e", timestamp: 1_411_525_903, nonce: "461056294")
        let xml = reply.xml()
        #expect(
            xml
                == "<xml><Encrypt><![CDATA[ABC+/=]]></Encrypt><MsgSignature><![CDATA[5c45ff5e]]></MsgSignature><TimeStamp>1411525903</TimeStamp><Nonce><![CDATA[461056294]]></Nonce></xml>"
        )
        let root = try WeComXML.parse(xml)
        #expect(
            root.fields == [
                "Encrypt": "ABC+/=", "MsgSignature": "5c45ff5e", "TimeStamp": "1411525903", "Nonce": "461056294",
            ])
    }

    @Test func encryptedReplyJSON() throws {
        let reply = WeComEncryptedReply(
            encrypt: "AB/C\"\\\n\u{1}", msgSignature: "sig", timestamp: 1_411_525_903, nonce: "n")
        let json = reply.json()
        #expect(json == #"{"encrypt":"AB/C\"\\\n\u0001","msgsignature":"sig","timestamp":1411525903,"nonce":"n"}"#)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["encrypt"] as? String == reply.encrypt)
        #expect(object["msgsignature"] as? String == "sig")
        #expect((object["timestamp"] as? NSNumber)?.int64Value == 1_411_525_903)
        #expect(object["nonce"] as? String == "n")
    }

    @Test func textReplyRoundTripsThroughTheDecoder() throws {
        for content in ["hello", "中文回复，谢谢！", "a]]>b", "]]>", "]]]]>>", "x]]", "<tag> & \"q\" 'a'", ""] {
            let reply = WeComTextReply(
                toUserName: "oUser", fromUserName: "gh_1", createTime: 1_714_037_059, content: content)
            let callback = try WeComCallback.decode(reply.xml())
            #expect(
                callback.header
                    == .init(toUserName: "oUser", fromUserName: "gh_1", createTime: 1_714_037_059, msgType: "text"))
            #expect(callback.payload == .message(.init(msgID: nil, content: .text(content))))
        }
    }

    @Test func textReplyLayout() {
        let reply = WeComTextReply(toUserName: "o1", fromUserName: "gh_1", createTime: 12, content: "hi")
        #expect(
            reply.xml()
                == "<xml><ToUserName><![CDATA[o1]]></ToUserName><FromUserName><![CDATA[gh_1]]></FromUserName><CreateTime>12</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content></xml>"
        )
    }

    @Test func writerSplitsCDATATerminatorAndNestsLists() throws {
        var writer = WeComXMLWriter()
        writer.text("Content", "a]]>b")
        writer.integer("Count", -3)
        writer.element("List") { list in
            list.text("Item", "Jack")
            list.text("Item", "Rose")
        }
        let xml = writer.finish()
        #expect(
            xml
                == "<xml><Content><![CDATA[a]]]]><![CDATA[>b]]></Content><Count>-3</Count><List><Item><![CDATA[Jack]]></Item><Item><![CDATA[Rose]]></Item></List></xml>"
        )
        let root = try WeComXML.parse(xml)
        #expect(root["Content"] == "a]]>b")
        #expect(root["Count"] == "-3")
        #expect(root.child(named: "List")?.children(named: "Item").map(\.text) == ["Jack", "Rose"])
    }
}
