import Foundation
import Testing
import WeCom

/// Parses `input` and records an issue unless it fails with `code` (at `offset`, when given).
func expectXMLError(
    _ code: WeComXMLError.Code,
    at offset: Int? = nil,
    _ input: some WeComUTF8Input,
    options: WeComXML.Options = WeComXML.Options(),
    sourceLocation: SourceLocation = #_sourceLocation
) {
    do {
        let root = try WeComXML.parse(input, options: options)
        Issue.record("expected \(code.rawValue), parsed <\(root.name)>", sourceLocation: sourceLocation)
    } catch {
        #expect(error.code == code, sourceLocation: sourceLocation)
        if let offset { #expect(error.offset == offset, sourceLocation: sourceLocation) }
    }
}

@Suite("WeComXML parsing")
struct WeComXMLParserTests {
    @Test func officialA1MessageWithNewlines() throws {
        let root = try WeComXML.parse(WeComCallbackSamples.a1TextMessage)
        #expect(root.name == "xml")
        #expect(root.text == "")
        #expect(
            root.children.map(\.name) == [
                "ToUserName", "FromUserName", "CreateTime", "MsgType", "Content", "MsgId", "AgentID",
            ])
        #expect(root["ToUserName"] == "wx5823bf96d3bd56c7")
        #expect(root["CreateTime"] == "1409659813")
        #expect(root["Content"] == "hello")
        #expect(root["MsgId"] == "4561255354251345929")
        #expect(root["AgentID"] == "218")
        #expect(root["Missing"] == nil)
    }

    @Test func protocolSamplesOfSectionD() throws {
        let contact = try WeComXML.parse(WeComCallbackSamples.externalContactAdd)
        #expect(contact.children.count == 10)
        #expect(contact["ExternalUserID"] == "woAJ2GCAAAXtWyujaWJHDDGi0mAAAA")
        #expect(contact["WelcomeCode"] == "WELCOMECODE")

        let chat = try WeComXML.parse(WeComCallbackSamples.externalChatUpdate)
        #expect(chat["ChatId"] == "CHAT_ID")
        #expect(chat["MemChangeCnt"] == "10")
        let list = try #require(chat.child(named: "MemChangeList"))
        #expect(list.text == "")
        #expect(list.children(named: "Item").map(\.text) == ["Jack", "Rose"])
        #expect(chat["CurMemVer"] == "71217227bbd112ecfe3a49c482195cb4")
    }

    @Test func declarationAndWhitespace() throws {
        let root = try WeComXML.parse("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n  <xml>\n\t<A>1</A>\n</xml>\n")
        #expect(root.fields == ["A": "1"])
    }

    @Test func plainTextKeepsSpaces() throws {
        #expect(try WeComXML.parse("<a>  hello world  </a>").text == "  hello world  ")
        #expect(try WeComXML.parse("<a>   </a>").text == "   ")
    }

    @Test func cdataSectionsAndTextMixed() throws {
        let root = try WeComXML.parse("<a>x<![CDATA[<y> & ]]>z<![CDATA[]]><![CDATA[&amp;]]></a>")
        #expect(root.text == "x<y> & z&amp;")
    }

    @Test func predefinedEntities() throws {
        #expect(try WeComXML.parse("<a>&lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;</a>").text == "<b> & \"c\" 'd'")
    }

    @Test func numericCharacterReferences() throws {
        #expect(try WeComXML.parse("<a>&#20013;&#x4e2d;&#x4E2D;&#65;&#x1F600;</a>").text == "中中中A😀")
    }

    @Test func rawChineseText() throws {
        #expect(try WeComXML.parse("<a><![CDATA[你好，世界]]>！</a>").text == "你好，世界！")
    }

    @Test func nestedElementTextBesideChildren() throws {
        let root = try WeComXML.parse("<a>one<b>x</b>two</a>")
        #expect(root.text == "onetwo")
        #expect(root["b"] == "x")
    }

    @Test func selfClosingElements() throws {
        let root = try WeComXML.parse("<xml><Foo/><Bar x='1' /><Baz></Baz></xml>")
        #expect(root.children.map(\.name) == ["Foo", "Bar", "Baz"])
        #expect(root["Foo"] == "")
        #expect(root.child(named: "Bar")?.attributes == ["x": "1"])
        #expect(try WeComXML.parse("<Foo/>").name == "Foo")
    }

    @Test func attributesAreDecodedAndKept() throws {
        let root = try WeComXML.parse("<a x=\"1\" y = 'a&amp;b&#x41;' z=\"'\">t</a>")
        #expect(root.attributes == ["x": "1", "y": "a&bA", "z": "'"])
        #expect(root.text == "t")
    }

    @Test func commentsAndProcessingInstructionsAreSkipped() throws {
        let root = try WeComXML.parse(
            "<!-- head --><xml><!-- <A>no</A> --><A>1<!-- x -->2</A><?pi data?></xml><!-- tail -->")
        #expect(root.children.map(\.name) == ["A"])
        #expect(root["A"] == "12")
    }

    @Test func fieldsKeepTheFirstOccurrenceAndLineEnds() throws {
        let root = try WeComXML.parse("<xml><A>1</A><A>2</A><B><![CDATA[x\r\ny]]></B><L><I>z</I></L></xml>")
        #expect(root.fields == ["A": "1", "B": "x\r\ny", "L": ""])
        #expect(root.children(named: "A").map(\.text) == ["1", "2"])
    }

    @Test func byteOrderMarkIsSkipped() throws {
        #expect(try WeComXML.parse([0xEF, 0xBB, 0xBF] + Array("<a>1</a>".utf8)).text == "1")
    }

    @Test func everyInputKindGivesTheSameTree() throws {
        let text = WeComCallbackSamples.externalChatUpdate
        let expected = try WeComXML.parse(text)
        #expect(try WeComXML.parse(Array(text.utf8)) == expected)
        #expect(try WeComXML.parse(Data(text.utf8)) == expected)
        #expect(try WeComXML.parse(Array(("  " + text).utf8)[2...]) == expected)
        #expect(try WeComXML.parse(("  " + text).dropFirst(2)) == expected)
    }

    @Test func depthUpToTheLimitIsAccepted() throws {
        let nested = String(repeating: "<a>", count: 32) + "x" + String(repeating: "</a>", count: 32)
        var element = try WeComXML.parse(nested)
        var depth = 1
        while let child = element.children.first {
            element = child
            depth += 1
        }
        #expect(depth == 32)
        #expect(element.text == "x")
    }
}

@Suite("WeComXML errors")
struct WeComXMLErrorTests {
    @Test func mismatchedTag() {
        expectXMLError(.mismatchedTag, at: 6, "<a><b></a></b>")
    }

    @Test func unclosedElement() {
        expectXMLError(.unclosedElement, at: 13, "<xml><a>1</a><b>")
        expectXMLError(.unclosedElement, at: 0, "<xml><a>1</a>")
    }

    @Test func invalidEntity() {
        expectXMLError(.invalidEntity, at: 3, "<a>&foo;</a>")
        expectXMLError(.invalidEntity, "<a>&amp</a>")
        expectXMLError(.invalidEntity, "<a>&;</a>")
        expectXMLError(.invalidEntity, "<a>&#0;</a>")
        expectXMLError(.invalidEntity, "<a>&#xD800;</a>")
        expectXMLError(.invalidEntity, "<a>&#x110000;</a>")
        expectXMLError(.invalidEntity, "<a>&#X41;</a>")
        expectXMLError(.invalidEntity, "<a>&#x;</a>")
        expectXMLError(.invalidEntity, "<a x='&bad;'/>")
        expectXMLError(.invalidEntity, "<a>&#99999999999999999;</a>")
    }

    @Test func contentAfterRoot() {
        expectXMLError(.contentAfterRoot, at: 8, "<a></a> junk")
        expectXMLError(.contentAfterRoot, at: 4, "<a/><b/>")
        expectXMLError(.contentAfterRoot, "<a/><![CDATA[x]]>")
    }

    @Test func depthLimitExceeded() {
        let nested = String(repeating: "<a>", count: 33) + String(repeating: "</a>", count: 33)
        expectXMLError(.depthLimitExceeded, at: 32 * 3, nested)
        expectXMLError(.depthLimitExceeded, at: 6, "<a><b><c/></b></a>", options: .init(maxDepth: 2))
    }

    @Test func inputTooLarge() {
        expectXMLError(.inputTooLarge, "<a>0123456789</a>", options: .init(maxInputBytes: 10))
        let big = "<a>" + String(repeating: "x", count: 1 << 20) + "</a>"
        expectXMLError(.inputTooLarge, at: 1 << 20, big)
    }

    @Test func invalidUTF8() {
        let prefix = Array("<a>".utf8)
        expectXMLError(.invalidUTF8, at: 3, prefix + [0xFF] + Array("</a>".utf8))
        expectXMLError(.invalidUTF8, at: 3, prefix + [0xC0, 0x80] + Array("</a>".utf8))
        expectXMLError(.invalidUTF8, at: 3, prefix + [0xED, 0xA0, 0x80] + Array("</a>".utf8))
        expectXMLError(.invalidUTF8, at: 3, prefix + [0xE4, 0xB8])
        expectXMLError(.invalidUTF8, at: 11, Array("<a>abcdefgh".utf8) + [0xF5, 0x80, 0x80, 0x80])
    }

    @Test func doctypeIsRefused() {
        let billionLaughs = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">]><lolz>&lol;</lolz>"
        expectXMLError(.doctypeNotAllowed, at: 21, billionLaughs)
        expectXMLError(.doctypeNotAllowed, at: 3, "<a><!DOCTYPE x></a>")
    }

    @Test func missingRoot() {
        expectXMLError(.missingRoot, at: 0, "")
        expectXMLError(.missingRoot, at: 3, "   ")
        expectXMLError(.missingRoot, at: 0, "text<a/>")
        expectXMLError(.missingRoot, "<?xml version=\"1.0\"?><!-- only -->")
    }

    @Test func malformedTag() {
        expectXMLError(.malformedTag, at: 4, "<a b></a>")
        expectXMLError(.malformedTag, at: 1, "<1a/>")
        expectXMLError(.malformedTag, at: 1, "< a/>")
        expectXMLError(.malformedTag, "<a x=1/>")
        expectXMLError(.malformedTag, "<a x=\"<\"/>")
        expectXMLError(.malformedTag, "<a/ >")
        expectXMLError(.malformedTag, "<a x='1'y='2'/>")
        expectXMLError(.malformedTag, "<a><![FOO[x]]></a>")
        expectXMLError(.malformedTag, "<a></a x>")
        expectXMLError(.malformedTag, "</a>")
    }

    @Test func unexpectedEnd() {
        expectXMLError(.unexpectedEnd, "<a><![CDATA[abc</a>")
        expectXMLError(.unexpectedEnd, "<a><!-- never closed</a>")
        expectXMLError(.unexpectedEnd, "<a")
        expectXMLError(.unexpectedEnd, "<a x='1")
        expectXMLError(.unexpectedEnd, "<?xml version='1.0'")
        expectXMLError(.unexpectedEnd, "<a><")
    }

    @Test func duplicateAttribute() {
        expectXMLError(.duplicateAttribute, at: 9, "<a x='1' x='2'/>")
    }

    @Test func errorDescriptionNamesCodeAndOffset() {
        #expect(WeComXMLError(.mismatchedTag, at: 42).description == "WeComXMLError(mismatched_tag at byte 42)")
    }
}

@Suite("WeCom callback samples")
struct WeComCallbackSampleTests {
    /// The samples must stay verbatim copies of the protocol reference.
    @Test func samplesMatchTheProtocolReference() throws {
        let docs = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/wecom-protocol.md")
        let reference = try String(contentsOf: docs, encoding: .utf8)
        #expect(reference.contains(WeComCallbackSamples.externalContactAdd))
        #expect(reference.contains(WeComCallbackSamples.externalChatUpdate))
        #expect(reference.contains(WeComCallbackSamples.a1TextMessage.replacingOccurrences(of: "\n", with: "\\n")))
    }
}
