import Foundation
import Testing

@testable import WeCom

@Suite("API client pieces")
struct ClientUnitTests {
    @Test("the token bucket allows a burst, then spaces calls at the refill rate")
    func tokenBucket() {
        var bucket = TokenBucket(perMinute: 60, burst: 3)
        #expect(bucket.take(now: 0) == 0)
        #expect(bucket.take(now: 0) == 0)
        #expect(bucket.take(now: 0) == 0)
        #expect(bucket.take(now: 0) == 1, "the fourth call waits a second")
        #expect(bucket.take(now: 0) == 2, "the fifth two")
        #expect(bucket.take(now: 10) == 0, "refilled after waiting")
        var steady = TokenBucket(perMinute: 10_000)
        let waits = (0..<10_001).map { _ in steady.take(now: 5) }
        #expect(waits.prefix(10_000).allSatisfy { $0 == 0 })
        #expect(abs(waits.last! - 0.006) < 0.0001)
    }

    @Test("models decode the documented answers and tolerate omitted fields")
    func decodeDocumentedShapes() throws {
        let get = #"""
        {"errcode":0,"errmsg":"ok","external_contact":{"external_userid":"woAJ2GCAAAXtWyujaWJHDDGi0mACHAAA","name":"李四","position":"Manager","avatar":"http://p.qlogo.cn/x/0","corp_name":"腾讯","corp_full_name":"腾讯科技有限公司","type":2,"gender":1,"unionid":"ozynqsulJFCZ2z1aYeS8h-nuasdAAA","external_profile":{"external_attr":[{"type":0,"name":"文本名称","text":{"value":"文本"}}]}},
         "follow_user":[{"userid":"rocky","remark":"李部长","description":"对接采购事务","createtime":1525779812,"tags":[{"group_name":"标签分组名称","tag_name":"标签名称","tag_id":"etAJ2GCAAAXtWyujaWJHDDGi0mACHAAA","type":1}],"remark_corp_name":"腾讯科技","remark_mobiles":["13800000001"],"oper_userid":"rocky","add_way":10,"state":"外联二维码1"}],"next_cursor":"NEXT_CURSOR"}
        """#
        let detail = try JSONDecoder().decode(ExternalContactDetail.self, from: Data(get.utf8))
        #expect(detail.externalContact.name == "李四")
        #expect(detail.followUser.first?.tags?.first?.tagID == "etAJ2GCAAAXtWyujaWJHDDGi0mACHAAA")
        #expect(detail.followUser.first?.state == "外联二维码1")
        #expect(detail.nextCursor == "NEXT_CURSOR")
        if case .object(let profile) = detail.externalContact.externalProfile {
            #expect(profile["external_attr"] != nil)
        } else {
            Issue.record("external_profile was not kept")
        }

        let tags = try JSONDecoder().decode(CorpTagListResponse.self, from: Data(#"{"errcode":0,"errmsg":"ok","tag_group":[{"group_id":"g1","group_name":"客户等级","create_time":1557838797,"order":1,"tag":[{"id":"t1","name":"一级","create_time":1557838797,"order":1}]}]}"#.utf8))
        #expect(tags.tagGroup.first?.tag.first?.name == "一级")
        let empty = try JSONDecoder().decode(GroupChatListResponse.self, from: Data(#"{"errcode":0,"errmsg":"ok"}"#.utf8))
        #expect(empty.groupChatList.isEmpty)
    }

    @Test("requests encode the platform's field names and omit absent fields")
    func encodeRequests() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let way = ContactWay(type: 2, scene: 2, remark: "门店", skipVerify: true, state: "store01", user: ["zhangsan", "lisi"])
        #expect(String(decoding: try encoder.encode(way), as: UTF8.self) == #"{"remark":"门店","scene":2,"skip_verify":true,"state":"store01","type":2,"user":["zhangsan","lisi"]}"#)
        let mark = MarkTagRequest(userID: "u", externalUserID: "wo1", addTag: ["et1"])
        #expect(String(decoding: try encoder.encode(mark), as: UTF8.self) == #"{"add_tag":["et1"],"external_userid":"wo1","userid":"u"}"#)
    }

    @Test("cursor walks stop at an empty cursor and at a repeated one")
    func cursors() async throws {
        let pages = ["": (["a", "b"], "c1"), "c1": (["c"], "c2"), "c2": (["d"], "")]
        let all = try await WeComClient.collectPages { cursor in pages[cursor ?? ""]! }
        #expect(all == ["a", "b", "c", "d"])
        let looping = try await WeComClient.collectPages { cursor in (["x"], "same") }
        #expect(looping == ["x", "x"])
    }

    @Test("query values are percent-encoded")
    func queryEncoding() {
        #expect(WeComClient.encode([("corpsecret", "a+b/c=d&e"), ("userid", "张三")]) == "corpsecret=a%2Bb%2Fc%3Dd%26e&userid=%E5%BC%A0%E4%B8%89")
    }
}
