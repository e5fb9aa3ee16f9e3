import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import WeCom

@testable import WeComSandbox

@Suite("Official Account platform API")
struct OfficialAccountAPITests {
    typealias H = OfficialAccountHarness

    @Test("token and stable_token: credentials checked, stable token reused, force refresh limited, tokens expire")
    func tokens() async throws {
        try await H.run { ctx in
            let wrongApp = try await ctx.get("/mp/cgi-bin/token?grant_type=client_credential&appid=wxnobody&secret=x")
            #expect(wrongApp["errcode"] as? Int == 40013)
            let wrongSecret = try await ctx.get("/mp/cgi-bin/token?grant_type=client_credential&appid=\(H.appID)&secret=nope")
            #expect(wrongSecret["errcode"] as? Int == 40125)
            let grant = try await ctx.get("/mp/cgi-bin/token?grant_type=client_credential&appid=\(H.appID)&secret=\(H.secret)")
            #expect(grant["errcode"] == nil)
            #expect(grant["expires_in"] as? Int == 7200)
            let token = try #require(grant["access_token"] as? String)

            #expect(try await ctx.api("user/get", token: "")["errcode"] as? Int == 41001)
            #expect(try await ctx.api("user/get", token: "bogus")["errcode"] as? Int == 40001)
            #expect(try await ctx.api("user/get", token: token)["total"] as? Int == 0)

            let body: [String: Any] = ["grant_type": "client_credential", "appid": H.appID, "secret": H.secret]
            let stable = try await ctx.post("/mp/cgi-bin/stable_token", body)
            let again = try await ctx.post("/mp/cgi-bin/stable_token", body)
            let stableToken = try #require(stable["access_token"] as? String)
            #expect(again["access_token"] as? String == stableToken)
            #expect(stableToken != token)

            var forced = body
            forced["force_refresh"] = true
            let refreshed = try await ctx.post("/mp/cgi-bin/stable_token", forced)
            #expect(refreshed["access_token"] as? String != stableToken)
            #expect(try await ctx.api("user/get", token: stableToken)["errcode"] as? Int == 40001)
            #expect(try await ctx.post("/mp/cgi-bin/stable_token", forced)["errcode"] as? Int == 45011)

            // A second `token` call leaves the first one 5 minutes.
            _ = try await ctx.accessToken()
            ctx.world.clock.advance(by: 301)
            #expect(try await ctx.api("user/get", token: token)["errcode"] as? Int == 42001)
        }
    }

    @Test("user/get, user/info (followers and people who left), batchget, updateremark")
    func followers() async throws {
        try await H.run { ctx in
            let token = try await ctx.accessToken()
            var openIDs: [String] = []
            for _ in 0..<3 { openIDs.append(try await ctx.newFollower()) }
            let list = try await ctx.api("user/get", token: token)
            #expect(list["total"] as? Int == 3)
            #expect(list["count"] as? Int == 3)
            #expect((list["data"] as? [String: Any])?["openid"] as? [String] == openIDs)
            #expect(list["next_openid"] as? String == "")
            let rest = try await ctx.api("user/get?next_openid=\(openIDs[2])", token: token)
            #expect(rest["count"] as? Int == 0)
            #expect(rest["data"] == nil)

            let info = try await ctx.api("user/info?openid=\(openIDs[0])&lang=zh_CN", token: token)
            #expect(info["subscribe"] as? Int == 1)
            #expect(info["subscribe_time"] as? Int == 1_800_000_000)
            #expect(info["subscribe_scene"] as? String == "ADD_SCENE_SEARCH")
            #expect(info["tagid_list"] as? [Int] == [])
            #expect(info["nickname"] == nil)

            _ = try await ctx.person("unfollow", ["openid": openIDs[1]])
            let left = try await ctx.api("user/info?openid=\(openIDs[1])", token: token)
            #expect(Set(left.keys) == ["subscribe", "openid"])
            #expect(left["subscribe"] as? Int == 0)
            #expect(try await ctx.api("user/get", token: token)["total"] as? Int == 2)
            #expect(try await ctx.api("user/info?openid=onobody", token: token)["errcode"] as? Int == 40003)

            let batch = try await ctx.api("user/info/batchget", token: token, ["user_list": [["openid": openIDs[0], "lang": "zh_CN"], ["openid": openIDs[2]]]])
            #expect((batch["user_info_list"] as? [[String: Any]])?.compactMap { $0["openid"] as? String } == [openIDs[0], openIDs[2]])
            let tooMany = try await ctx.api("user/info/batchget", token: token, ["user_list": (0..<101).map { _ in ["openid": openIDs[0]] }])
            #expect(tooMany["errcode"] as? Int == 40032)

            let remark = try await ctx.api("user/info/updateremark", token: token, ["openid": openIDs[0], "remark": "老客户"])
            #expect(remark["errcode"] as? Int == 0)
            #expect(try await ctx.api("user/info?openid=\(openIDs[0])", token: token)["remark"] as? String == "老客户")
            #expect(try await ctx.api("user/info/updateremark", token: token, ["openid": openIDs[0]])["errcode"] as? Int == 47001)
        }
    }

    @Test("tags: create, limits and reserved ids, tagging all-or-nothing, per-user lists, delete")
    func tags() async throws {
        try await H.run { ctx in
            let token = try await ctx.accessToken()
            let fan = try await ctx.newFollower()
            let created = try await ctx.api("tags/create", token: token, ["tag": ["name": "广东"]])
            let tagID = try #require((created["tag"] as? [String: Any])?["id"] as? Int)
            #expect(tagID == 100)
            #expect(created["errcode"] == nil)
            #expect(try await ctx.api("tags/create", token: token, ["tag": ["name": "广东"]])["errcode"] as? Int == 45157)
            #expect(try await ctx.api("tags/create", token: token, ["tag": ["name": String(repeating: "长", count: 11)]])["errcode"] as? Int == 45158)
            #expect(try await ctx.api("tags/update", token: token, ["tag": ["id": 2, "name": "x"]])["errcode"] as? Int == 45058)
            #expect(try await ctx.api("tags/delete", token: token, ["tag": ["id": 999]])["errcode"] as? Int == 45159)
            #expect(try await ctx.api("tags/update", token: token, ["tag": ["id": tagID, "name": "广州"]])["errcode"] as? Int == 0)

            #expect(try await ctx.api("tags/members/batchtagging", token: token, ["openid_list": [String](), "tagid": tagID])["errcode"] as? Int == 40032)
            #expect(try await ctx.api("tags/members/batchtagging", token: token, ["openid_list": (0..<51).map { _ in fan }, "tagid": tagID])["errcode"] as? Int == 40032)
            #expect(try await ctx.api("tags/members/batchtagging", token: token, ["openid_list": [fan, "onobody"], "tagid": tagID])["errcode"] as? Int == 40003)
            #expect(try await ctx.api("tags/getidlist", token: token, ["openid": fan])["tagid_list"] as? [Int] == [])
            #expect(try await ctx.api("tags/members/batchtagging", token: token, ["openid_list": [fan], "tagid": "\(tagID)"])["errcode"] as? Int == 0)
            #expect(try await ctx.api("tags/getidlist", token: token, ["openid": fan])["tagid_list"] as? [Int] == [tagID])
            let tags = try await ctx.api("tags/get", token: token)
            #expect((tags["tags"] as? [[String: Any]])?.first?["count"] as? Int == 1)
            #expect((tags["tags"] as? [[String: Any]])?.first?["name"] as? String == "广州")
            let members = try await ctx.api("user/tag/get", token: token, ["tagid": tagID, "next_openid": ""])
            #expect((members["data"] as? [String: Any])?["openid"] as? [String] == [fan])

            // 20 tags per follower, 100 per account.
            for index in 1..<100 { _ = try await ctx.api("tags/create", token: token, ["tag": ["name": "t\(index)"]]) }
            #expect(try await ctx.api("tags/create", token: token, ["tag": ["name": "one too many"]])["errcode"] as? Int == 45056)
            for id in 101..<120 { _ = try await ctx.api("tags/members/batchtagging", token: token, ["openid_list": [fan], "tagid": id]) }
            #expect(try await ctx.api("tags/members/batchtagging", token: token, ["openid_list": [fan], "tagid": 120])["errcode"] as? Int == 45059)

            #expect(try await ctx.api("tags/members/batchuntagging", token: token, ["openid_list": [fan], "tagid": 101])["errcode"] as? Int == 0)
            #expect(try await ctx.api("tags/delete", token: token, ["tag": ["id": tagID]])["errcode"] as? Int == 0)
            let left = try #require(try await ctx.api("tags/getidlist", token: token, ["openid": fan])["tagid_list"] as? [Int])
            #expect(!left.contains(tagID) && !left.contains(101) && left.count == 18)
        }
    }

    @Test("qrcode/create: the four kinds, scene limits, default and maximum lifetimes; showqrcode draws the url")
    func qrCodes() async throws {
        try await H.run { ctx in
            let token = try await ctx.accessToken()
            let temporary = try await ctx.api("qrcode/create", token: token, ["action_name": "QR_STR_SCENE", "action_info": ["scene": ["scene_str": "ch_42"]]])
            #expect(temporary["expire_seconds"] as? Int == 60)
            #expect((temporary["url"] as? String)?.hasPrefix("http://weixin.qq.com/q/") == true)
            let long = try await ctx.api("qrcode/create", token: token, ["expire_seconds": 9_999_999, "action_name": "QR_SCENE", "action_info": ["scene": ["scene_id": 7]]])
            #expect(long["expire_seconds"] as? Int == 2_592_000)
            let permanent = try await ctx.api("qrcode/create", token: token, ["action_name": "QR_LIMIT_SCENE", "action_info": ["scene": ["scene_id": 100_000]]])
            #expect(permanent["ticket"] is String)
            #expect(permanent["expire_seconds"] == nil)
            let limitStr = try await ctx.api("qrcode/create", token: token, ["action_name": "QR_LIMIT_STR_SCENE", "action_info": ["scene": ["scene_str": "store"]]])
            #expect(limitStr["ticket"] is String)

            #expect(try await ctx.api("qrcode/create", token: token, ["action_name": "QR_LIMIT_SCENE", "action_info": ["scene": ["scene_id": 100_001]]])["errcode"] as? Int == 40053)
            #expect(try await ctx.api("qrcode/create", token: token, ["action_name": "QR_SCENE", "action_info": ["scene": ["scene_id": 0]]])["errcode"] as? Int == 40053)
            #expect(try await ctx.api("qrcode/create", token: token, ["action_name": "QR_STR_SCENE", "action_info": ["scene": ["scene_str": String(repeating: "x", count: 65)]]])["errcode"] as? Int == 40053)
            #expect(try await ctx.api("qrcode/create", token: token, ["action_name": "QR_FOREVER", "action_info": ["scene": ["scene_id": 1]]])["errcode"] as? Int == 40052)

            let ticket = try #require(permanent["ticket"] as? String)
            let encoded = try #require(ticket.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
            let image = try await HTTPClientTestFetch.text("\(ctx.base)/mp/cgi-bin/showqrcode?ticket=\(encoded)")
            #expect(image.status == 200)
            #expect(image.body.hasPrefix("<svg"))
            #expect(try await HTTPClientTestFetch.text("\(ctx.base)/mp/cgi-bin/showqrcode?ticket=nope").status == 404)
        }
    }

    @Test("menu: created and read back in the platform's shape; the platform's limits refuse bad menus")
    func menu() async throws {
        try await H.run { ctx in
            let token = try await ctx.accessToken()
            #expect(try await ctx.api("menu/get", token: token)["errcode"] as? Int == 46003)
            let good: [String: Any] = ["button": [
                ["type": "click", "name": "今日歌曲", "key": "V1001_TODAY_MUSIC"],
                ["name": "菜单", "sub_button": [
                    ["type": "view", "name": "搜索", "url": "http://www.soso.com/"],
                    ["type": "miniprogram", "name": "wxa", "url": "http://mp.weixin.qq.com", "appid": "wx286b93c14bbf93aa", "pagepath": "pages/lunar/index"],
                    ["type": "click", "name": "赞一下我们", "key": "V1001_GOOD"],
                ]],
            ]]
            #expect(try await ctx.api("menu/create", token: token, good)["errcode"] as? Int == 0)
            let menu = try #require((try await ctx.api("menu/get", token: token)["menu"] as? [String: Any])?["button"] as? [[String: Any]])
            #expect(menu.count == 2)
            #expect(menu[0]["key"] as? String == "V1001_TODAY_MUSIC")
            #expect((menu[0]["sub_button"] as? [Any])?.isEmpty == true)
            #expect((menu[1]["sub_button"] as? [[String: Any]])?.map { $0["name"] as? String } == ["搜索", "wxa", "赞一下我们"])
            let selfMenu = try await ctx.api("get_current_selfmenu_info", token: token)
            #expect(selfMenu["is_menu_open"] as? Int == 1)

            let click = { (name: String) -> [String: Any] in ["type": "click", "name": name, "key": "k"] }
            let bad: [(Int, [Any])] = [
                (40016, [click("a"), click("b"), click("c"), click("d")]),
                (40016, []),
                (40018, [click("一二三四五六")]),
                (40017, [["type": "tap", "name": "a", "key": "k"]]),
                (40019, [["type": "click", "name": "a"]]),
                (40019, [["type": "click", "name": "a", "key": String(repeating: "k", count: 129)]]),
                (40020, [["type": "view", "name": "a", "url": "http://x/" + String(repeating: "p", count: 1020)]]),
                (40055, [["type": "view", "name": "a", "url": "ftp://example.com/"]]),
                (40023, [["name": "a", "sub_button": (0..<6).map { click("s\($0)") }]]),
                (40025, [["name": "a", "sub_button": [click(String(repeating: "字", count: 21))]]]),
                (40024, [["name": "a", "sub_button": [["type": "tap", "name": "s", "key": "k"]]]]),
                (40026, [["name": "a", "sub_button": [["type": "scancode_push", "name": "s"]]]]),
                (40027, [["name": "a", "sub_button": [["type": "view", "name": "s"]]]]),
                (40054, [["name": "a", "sub_button": [["type": "view", "name": "s", "url": "javascript:alert(1)"]]]]),
                (40007, [["type": "media_id", "name": "a"]]),
            ]
            for (code, buttons) in bad {
                let answer = try await ctx.api("menu/create", token: token, ["button": buttons])
                #expect(answer["errcode"] as? Int == code, "\(buttons)")
            }
            // Sub-buttons: up to 60 bytes (20 Chinese characters) is fine.
            #expect(try await ctx.api("menu/create", token: token, ["button": [["name": "a", "sub_button": [click(String(repeating: "字", count: 20))]]]])["errcode"] as? Int == 0)
            #expect(try await ctx.api("menu/delete", token: token)["errcode"] as? Int == 0)
            #expect(try await ctx.api("menu/get", token: token)["errcode"] as? Int == 46003)
        }
    }

    @Test("media/upload: multipart field media; type, file type and size checked; thumbs answer thumb_media_id")
    func media() async throws {
        try await H.run { ctx in
            let token = try await ctx.accessToken()
            let upload = { (type: String, field: String, filename: String, bytes: Int) async throws -> [String: Any] in
                let boundary = "----sandboxboundary"
                var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"; filename=\"\(filename)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
                body.append(Data(repeating: 0x89, count: bytes))
                body.append(Data("\r\n--\(boundary)--\r\n".utf8))
                return try await ctx.post("/mp/cgi-bin/media/upload?access_token=\(token)&type=\(type)", bytes: body, contentType: "multipart/form-data; boundary=\(boundary)")
            }
            let image = try await upload("image", "media", "a.png", 2048)
            #expect(image["type"] as? String == "image")
            #expect((image["media_id"] as? String)?.count == 64)
            #expect(image["created_at"] as? Int == 1_800_000_000)
            #expect(image["errcode"] == nil)
            #expect(try await upload("thumb", "media", "t.jpg", 1024)["thumb_media_id"] is String)
            #expect(try await upload("picture", "media", "a.png", 10)["errcode"] as? Int == 40004)
            #expect(try await upload("image", "file", "a.png", 10)["errcode"] as? Int == 41005)
            #expect(try await upload("image", "media", "a.txt", 10)["errcode"] as? Int == 40005)
            #expect(try await upload("image", "media", "a.png", 0)["errcode"] as? Int == 40006)
            #expect(try await upload("thumb", "media", "t.jpg", 65 * 1024)["errcode"] as? Int == 40012)
            #expect(try await upload("voice", "media", "v.amr", (2 << 20) + 1)["errcode"] as? Int == 40010)
        }
    }
}

/// A plain GET for images and status codes.
enum HTTPClientTestFetch {
    static func text(_ url: String) async throws -> (status: Int, body: String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 4 << 20)))
    }
}
