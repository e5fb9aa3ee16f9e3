#!/usr/bin/env python3
"""Interop with an Official Account client nobody here wrote: wechatpy 1.8.18 (wechatpy.WeChatClient).

`siyu sandbox` plays the WeChat Official Account platform under /mp/cgi-bin/; wechatpy's
menu, qrcode, user, tag, media and message APIs call it and must get the shapes they expect.
wechatpy's WeChatCrypto and signatures interoperate with `siyu serve`'s /callback/mp/{app_id} both
ways. A mismatch is a bug in Siyu. Usage: wechatpy_mp_interop.py PATH_TO_SIYU_BINARY
"""
import io
import json
import os
import subprocess
import tempfile
import sys
import time
import urllib.parse
import urllib.error
import urllib.request

import xmltodict
from wechatpy import WeChatClient
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner, check_signature
from wechatpy.exceptions import WeChatClientException

# The WeCom interop script beside this one: its check() counts, free_port() picks a port.
import wechatpy_interop as shared
from wechatpy_interop import check, free_port, stop

SIYU = sys.argv[1]
APP_ID = "wxinterop00000001"
SECRET = "mp-interop-secret"
TOKEN = "QDG6eK"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
ORIGINAL_ID = "gh_interop00001"



def errcode_of(call):
    """The errcode a wechatpy call raised, or None when it succeeded."""
    try:
        call()
        return None
    except WeChatClientException as error:
        return error.errcode


def control(base, path, body):
    request = urllib.request.Request(f"{base}/sandbox/mp/accounts/{APP_ID}/{path}", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        answer = json.loads(response.read())
    assert answer.get("errcode") == 0, answer
    return answer


CALLBACK_CORP = "wwmpinterop0001"
CALLBACK_APP = "wxinterop000000001"
ADMIN = "adm.mp-interop-token-000000"


def signed(timestamp, nonce, token=TOKEN):
    """The plain `signature` as wechatpy computes it (sha1 over the sorted token, timestamp, nonce)."""
    signer = WeChatSigner()
    signer.add_data(token, timestamp, nonce)
    return signer.signature


def http(method, url, body=None, headers=None):
    request = urllib.request.Request(url, data=body, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def callback_interop():
    """wechatpy's signatures and WeChatCrypto against `siyu serve`'s /callback/mp/{app_id}: what
    wechatpy signs and encrypts, Siyu verifies and decrypts; what Siyu encrypts and signs, wechatpy
    verifies and decrypts."""
    work = tempfile.mkdtemp(prefix="siyu-mp-interop-")
    env = dict(os.environ, SIYU_ADMIN_TOKEN=ADMIN)
    def cli(*args):
        subprocess.run([SIYU, *args], cwd=work, env=env, check=True, capture_output=True, timeout=60)
    cli("corp", "add", "--corp-id", CALLBACK_CORP, "--name", "互通", "--secret", "s", "--token", TOKEN, "--aes-key", AES_KEY)
    cli("account", "add", "--corp-id", CALLBACK_CORP, "--app-id", CALLBACK_APP, "--secret", "mp-s", "--token", TOKEN,
        "--aes-key", AES_KEY, "--mode", "secure")
    port = free_port()
    server = subprocess.Popen([SIYU, "serve", "--port", str(port), "--workers", "0", "--log-level", "error"],
                              cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(400):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except Exception:
                time.sleep(0.05)
        status, text = http("POST", f"{base}/api/v1/corps/{CALLBACK_CORP}/keys", b"{}",
                            {"Authorization": f"Bearer {ADMIN}", "Content-Type": "application/json"})
        key = json.loads(text)["key"]
        rules = {"rules": [{"id": "price", "name": "价格", "keywords": ["价格"], "match": "contains",
                            "reply": {"type": "text", "text": "价格表见菜单 ]]> & <ok>"}}]}
        status, _ = http("PUT", f"{base}/api/v1/accounts/{CALLBACK_APP}/replies", json.dumps(rules).encode(),
                         {"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
        check("reply rules saved through the API", status == 200, status)

        path = f"{base}/callback/mp/{CALLBACK_APP}"
        timestamp, nonce = str(int(time.time())), "interop1"
        query = f"signature={signed(timestamp, nonce)}&timestamp={timestamp}&nonce={nonce}"
        status, text = http("GET", f"{path}?{query}&echostr=5837291046")
        check("siyu verifies the URL with wechatpy's signature and answers the plain echostr", (status, text) == (200, "5837291046"), (status, text))
        status, _ = http("GET", f"{path}?signature={signed(timestamp, nonce, 'wrongToken')}&timestamp={timestamp}&nonce={nonce}&echostr=1")
        check("a signature over another token is refused (403)", status == 403, status)

        crypto = WeChatCrypto(TOKEN, AES_KEY, CALLBACK_APP)
        message = (f"<xml><ToUserName><![CDATA[{ORIGINAL_ID}]]></ToUserName><FromUserName><![CDATA[oInterop1]]></FromUserName>"
                   f"<CreateTime>{timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[请问价格]]></Content>"
                   "<MsgId>6054768590064713728</MsgId></xml>")
        sealed = xmltodict.parse(crypto.encrypt_message(message, nonce, timestamp))["xml"]
        body = f"<xml><ToUserName><![CDATA[{ORIGINAL_ID}]]></ToUserName><Encrypt><![CDATA[{sealed['Encrypt']}]]></Encrypt></xml>"
        encrypted_query = f"{query}&openid=oInterop1&encrypt_type=aes&msg_signature={sealed['MsgSignature']}"
        status, reply = http("POST", f"{path}?{encrypted_query}", body.encode(), {"Content-Type": "text/xml"})
        check("siyu decrypts a push wechatpy encrypted (secure mode)", status == 200, (status, reply[:200]))
        parsed = xmltodict.parse(reply)["xml"]
        check("siyu's reply is encrypted in secure mode", "Encrypt" in parsed and "MsgSignature" in parsed, reply[:200])
        decrypted = crypto.decrypt_message(reply, parsed["MsgSignature"], parsed["TimeStamp"], parsed["Nonce"])
        answer = xmltodict.parse(decrypted)["xml"]
        check("wechatpy verifies and decrypts siyu's passive reply", answer["Content"] == "价格表见菜单 ]]> & <ok>" and answer["ToUserName"] == "oInterop1"
              and answer["FromUserName"] == ORIGINAL_ID and answer["MsgType"] == "text", answer)
        check("check_signature accepts the signature siyu checked", check_signature(TOKEN, signed(timestamp, nonce), timestamp, nonce) is None)

        status, _ = http("POST", f"{path}?{encrypted_query}", body.encode(), {"Content-Type": "text/xml"})
        check("a redelivery is absorbed with 200", status == 200, status)
        status, _ = http("POST", f"{path}?{query}&openid=oInterop1", message.encode(), {"Content-Type": "text/xml"})
        check("a plain push to a secure account is refused (403)", status == 403, status)
        tampered = encrypted_query.replace("msg_signature=", "msg_signature=0")
        status, _ = http("POST", f"{path}?{tampered}", body.encode(), {"Content-Type": "text/xml"})
        check("a push whose msg_signature does not match is refused (403)", status == 403, status)
    finally:
        stop(server)


def client_interop():
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    sandbox = subprocess.Popen([SIYU, "sandbox", "--port", str(port), "--seed", "5", "--mp-app-id", APP_ID, "--mp-secret", SECRET,
                                "--mp-token", TOKEN, "--mp-aes-key", AES_KEY, "--mp-mode", "secure", "--mp-original-id", ORIGINAL_ID],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        query = urllib.parse.urlencode({"grant_type": "client_credential", "appid": APP_ID, "secret": SECRET})
        for _ in range(200):
            try:
                with urllib.request.urlopen(f"{base}/mp/cgi-bin/token?{query}", timeout=1) as response:
                    grant = json.loads(response.read())
                break
            except Exception:
                time.sleep(0.1)
        else:
            raise RuntimeError("the sandbox did not start")
        check("token", grant.get("expires_in") == 7200 and "errcode" not in grant, grant)

        client = WeChatClient(APP_ID, SECRET, access_token=grant["access_token"])
        client.API_BASE_URL = f"{base}/mp/cgi-bin/"

        # menu
        check("menu get before create is None", client.menu.get() is None)
        menu = {"button": [
            {"type": "click", "name": "今日歌曲", "key": "V1001_TODAY_MUSIC"},
            {"name": "菜单", "sub_button": [
                {"type": "view", "name": "搜索", "url": "http://www.soso.com/"},
                {"type": "click", "name": "赞一下我们", "key": "V1001_GOOD"},
            ]},
        ]}
        created = client.menu.create(menu)
        check("menu create", created["errcode"] == 0, created)
        got = client.menu.get()
        buttons = got["menu"]["button"]
        check("menu get", buttons[0]["key"] == "V1001_TODAY_MUSIC" and buttons[1]["sub_button"][0]["url"] == "http://www.soso.com/", got)
        check("menu info", client.menu.get_menu_info()["is_menu_open"] == 1)
        too_wide = {"button": [{"type": "click", "name": f"b{i}", "key": "k"} for i in range(4)]}
        check("menu create refuses 4 buttons (40016)", errcode_of(lambda: client.menu.create(too_wide)) == 40016)
        check("menu create refuses a long name (40018)",
              errcode_of(lambda: client.menu.create({"button": [{"type": "click", "name": "一二三四五六", "key": "k"}]})) == 40018)

        # qrcode
        temporary = client.qrcode.create({"expire_seconds": 1800, "action_name": "QR_SCENE", "action_info": {"scene": {"scene_id": 123}}})
        check("qrcode create temporary", temporary["expire_seconds"] == 1800 and temporary["url"].startswith("http://weixin.qq.com/q/"), temporary)
        permanent = client.qrcode.create({"action_name": "QR_LIMIT_STR_SCENE", "action_info": {"scene": {"scene_str": "store_a"}}})
        check("qrcode create permanent", "expire_seconds" not in permanent and permanent["ticket"], permanent)
        image_url = client.qrcode.get_url(permanent).replace("https://mp.weixin.qq.com/cgi-bin/", f"{base}/mp/cgi-bin/")
        svg = urllib.request.urlopen(image_url, timeout=10).read().decode()
        check("showqrcode answers an SVG", svg.lstrip().startswith("<svg"), svg[:80])
        check("qrcode create refuses a bad scene (40053)",
              errcode_of(lambda: client.qrcode.create({"action_name": "QR_LIMIT_SCENE", "action_info": {"scene": {"scene_id": 100001}}})) == 40053)

        # followers: one through the permanent code, two plain.
        first = control(base, "follow", {"ticket": permanent["ticket"]})
        check("a follow is pushed in secure mode (no callback URL: recorded)", first["delivery"]["event"] == "subscribe"
              and first["delivery"]["event_key"] == "qrscene_store_a", first)
        openids = [first["openid"]] + [control(base, "follow", {})["openid"] for _ in range(2)]
        followers = client.user.get_followers()
        check("user get_followers", followers["total"] == 3 and followers["data"]["openid"] == openids, followers)
        check("user iter_followers", list(client.user.iter_followers()) == openids)
        user = client.user.get(openids[0])
        check("user get", user["subscribe"] == 1 and user["qr_scene_str"] == "store_a" and user["subscribe_scene"] == "ADD_SCENE_QR_CODE", user)
        batch = client.user.get_batch(openids[:2])
        check("user get_batch", [u["openid"] for u in batch] == openids[:2], batch)
        check("user update_remark", client.user.update_remark(openids[1], "老客户")["errcode"] == 0)
        check("remark shows in user get", client.user.get(openids[1])["remark"] == "老客户")

        # tag
        tag = client.tag.create("广东")
        check("tag create", tag["name"] == "广东" and tag["id"] >= 100, tag)
        check("tag create duplicate (45157)", errcode_of(lambda: client.tag.create("广东")) == 45157)
        check("tag update", client.tag.update(tag["id"], "广州")["errcode"] == 0)
        check("tag tag_user", client.tag.tag_user(tag["id"], openids[:2])["errcode"] == 0)
        check("tag get", [(t["name"], t["count"]) for t in client.tag.get()] == [("广州", 2)])
        check("tag get_user_tag", client.tag.get_user_tag(openids[0]) == [tag["id"]])
        tag_users = client.tag.get_tag_users(tag["id"])
        check("tag get_tag_users", tag_users["data"]["openid"] == openids[:2], tag_users)
        check("tag iter_tag_users", list(client.tag.iter_tag_users(tag["id"])) == openids[:2])
        check("tag untag_user", client.tag.untag_user(tag["id"], openids[0])["errcode"] == 0
              and client.tag.get_user_tag(openids[0]) == [])
        check("tag update reserved (45058)", errcode_of(lambda: client.tag.update(2, "x")) == 45058)
        check("tag delete", client.tag.delete(tag["id"])["errcode"] == 0 and client.tag.get() == [])

        # media
        media = client.media.upload("image", ("logo.png", io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)))
        check("media upload", media["type"] == "image" and len(media["media_id"]) == 64 and "created_at" in media, media)
        check("media upload wrong type (40004)", errcode_of(lambda: client.media.upload("picture", ("a.png", io.BytesIO(b"x")))) == 40004)

        # message: the follow opened 3 sends in a minute.
        fresh = control(base, "follow", {})["openid"]
        check("message send_text", client.message.send_text(fresh, "欢迎")["errcode"] == 0)
        check("message send_image", client.message.send_image(fresh, media["media_id"])["errcode"] == 0)
        check("message send_text third", client.message.send_text(fresh, "再见")["errcode"] == 0)
        check("message fourth is out of count (45047)", errcode_of(lambda: client.message.send_text(fresh, "x")) == 45047)
        control(base, "unfollow", {"openid": fresh})
        check("message after unfollow (45015)", errcode_of(lambda: client.message.send_text(fresh, "x")) == 45015)
        check("message to an unknown openid (40003)", errcode_of(lambda: client.message.send_text("onobody", "x")) == 40003)
        record = json.loads(urllib.request.urlopen(f"{base}/sandbox/mp/accounts/{APP_ID}", timeout=10).read())
        sent = next(f for f in record["followers"] if f["openid"] == fresh)["custom_messages"]
        check("the sends are recorded", [m["msgtype"] for m in sent] == ["text", "image", "text"], sent)

        check("menu delete", client.menu.delete()["errcode"] == 0 and client.menu.get() is None)
    finally:
        stop(sandbox)


if __name__ == "__main__":
    client_interop()
    callback_interop()
    print(f"{shared.passed} passed, {shared.failed} failed")
    sys.exit(1 if shared.failed else 0)
