import Testing
import WeCom

@Suite("Official Account callbacks and messages")
struct WeComAccountCallbackTests {
    private func payload(_ event: String, _ fields: [(String, String)] = []) throws -> WeComCallback.Payload {
        try WeComCallback.decode(CallbackFixtures.accountEvent(event, fields)).payload
    }

    @Test func subscribeFromParametricQRCode() throws {
        let callback = try WeComCallback.decode(
            CallbackFixtures.accountEvent("subscribe", [("EventKey", "qrscene_123123"), ("Ticket", "TICKET")]))
        #expect(callback.payload == .accountEvent(.subscribe(qr: .init(scene: "123123", ticket: "TICKET"))))
        #expect(callback.header.fromUserName == "oFollowerOpenID")
        #expect(callback.header.agentID == nil)
        #expect(callback.fields["EventKey"] == "qrscene_123123")
    }

    @Test func plainSubscribe() throws {
        #expect(try payload("subscribe") == .accountEvent(.subscribe(qr: nil)))
        #expect(try payload("subscribe", [("EventKey", "")]) == .accountEvent(.subscribe(qr: nil)))
    }

    @Test func scanHasNoPrefix() throws {
        #expect(
            try payload("SCAN", [("EventKey", "123123"), ("Ticket", "T")])
                == .accountEvent(.scan(.init(scene: "123123", ticket: "T"))))
    }

    @Test func unsubscribe() throws {
        #expect(try payload("unsubscribe") == .accountEvent(.unsubscribe))
    }

    @Test func locationAsDoubles() throws {
        let location = try payload(
            "LOCATION", [("Latitude", "23.137466"), ("Longitude", "113.352425"), ("Precision", "119.385040")])
        #expect(
            location
                == .accountEvent(.location(.init(latitude: 23.137466, longitude: 113.352425, precision: 119.385040))))
    }

    @Test func menuEvents() throws {
        #expect(
            try payload("CLICK", [("EventKey", "V1001_TODAY_MUSIC")]) == .accountEvent(.click(key: "V1001_TODAY_MUSIC"))
        )
        #expect(try payload("click", [("EventKey", "k")]) == .accountEvent(.click(key: "k")))
        #expect(
            try payload("VIEW", [("EventKey", "https://example.com/a?b=1&c=2")])
                == .accountEvent(.view(url: "https://example.com/a?b=1&c=2")))
    }

    @Test func accountEventErrors() {
        expectCallbackError(.missingField, field: "EventKey", CallbackFixtures.accountEvent("SCAN", []))
        expectCallbackError(.missingField, field: "EventKey", CallbackFixtures.accountEvent("CLICK", []))
        expectCallbackError(
            .invalidField, field: "Latitude",
            CallbackFixtures.accountEvent("LOCATION", [("Latitude", "north"), ("Longitude", "1"), ("Precision", "1")]))
        expectCallbackError(
            .missingField, field: "Precision",
            CallbackFixtures.accountEvent("LOCATION", [("Latitude", "1"), ("Longitude", "1")]))
    }

    @Test func officialA1TextMessage() throws {
        let callback = try WeComCallback.decode(WeComCallbackSamples.a1TextMessage)
        #expect(
            callback.header
                == .init(
                    toUserName: "wx5823bf96d3bd56c7", fromUserName: "mycreate", createTime: 1_409_659_813,
                    msgType: "text", agentID: "218"))
        #expect(callback.payload == .message(.init(msgID: "4561255354251345929", content: .text("hello"))))
        #expect(callback.header.createdAt.timeIntervalSince1970 == 1_409_659_813)
    }

    @Test func textMessageWithChineseAndEntities() throws {
        let xml = CallbackFixtures.document([
            ("ToUserName", "gh_1"), ("FromUserName", "oUser"), ("CreateTime", "1714037059"), ("MsgType", "text"),
            ("Content", "你好 <b> & ]]"), ("MsgId", "1"),
        ])
        #expect(try WeComCallback.decode(xml).payload == .message(.init(msgID: "1", content: .text("你好 <b> & ]]"))))
    }

    @Test func otherMessageTypesAreGeneric() throws {
        let xml = CallbackFixtures.document([
            ("ToUserName", "gh_1"), ("FromUserName", "oUser"), ("CreateTime", "1714037059"), ("MsgType", "image"),
            ("PicUrl", "http://x/y.jpg"), ("MediaId", "m1"), ("MsgId", "2"),
        ])
        let callback = try WeComCallback.decode(xml)
        #expect(callback.payload == .message(.init(msgID: "2", content: .other(msgType: "image"))))
        #expect(callback.fields["MediaId"] == "m1")
    }

    @Test func textMessageWithoutContentFails() {
        expectCallbackError(
            .missingField, field: "Content",
            CallbackFixtures.document([
                ("ToUserName", "gh_1"), ("FromUserName", "oUser"), ("CreateTime", "1"), ("MsgType", "text"),
            ]))
    }
}
