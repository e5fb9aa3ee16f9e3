#!/usr/bin/env python3
"""Interop with a WeCom client nobody here wrote: wechatpy 1.8.18 (wechatpy.enterprise).

- wechatpy's WeChatCrypto encrypts events that `siyu callback decrypt` decrypts, and decrypts
  the replies `siyu callback encrypt-reply` encrypts;
- wechatpy's WeChatClient, pointed at `siyu sandbox`, calls the external-contact and
  customer-group APIs and receives the shapes it expects.

A mismatch is a bug in Siyu. Usage: wechatpy_interop.py PATH_TO_SIYU_BINARY
"""
import json
import socket
import subprocess
import sys
import time
import urllib.request

from wechatpy.enterprise import WeChatClient
from wechatpy.enterprise.crypto import WeChatCrypto

SIYU = sys.argv[1]
CORP_ID = "wwinterop0001"
SECRET = "interop-secret"
TOKEN = "QDG6eK"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"

passed = 0
failed = 0


def check(name, condition, detail=""):
    global passed, failed
    if condition:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


def stop(process):
    """Ends a server this script started: SIGTERM, then SIGKILL after 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def siyu(*args, stdin=""):
    result = subprocess.run([SIYU, *args], input=stdin.encode(), capture_output=True, timeout=60)
    if result.returncode != 0:
        raise RuntimeError(f"siyu {' '.join(args)} failed: {result.stderr.decode()}")
    return result.stdout.decode()


def crypto_interop():
    crypto = WeChatCrypto(TOKEN, AES_KEY, CORP_ID)
    event = (
        f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>"
        "<CreateTime>1403610513</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        "<Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[add_external_contact]]></ChangeType>"
        "<UserID><![CDATA[zhangsan]]></UserID><ExternalUserID><![CDATA[woAJ2GCAAAXtWyujaWJHDDGi0mAAAA]]></ExternalUserID>"
        "<State><![CDATA[门店A]]></State><WelcomeCode><![CDATA[WELCOMECODE]]></WelcomeCode></xml>"
    )
    for index, message in enumerate([event, "hello", "中文 ]]> & <x>" * 20]):
        nonce, timestamp = f"nonce{index}", str(1700000000 + index)
        encrypted = crypto.encrypt_message(message, nonce, timestamp)
        # wechatpy returns the reply-shaped XML; its MsgSignature signs its Encrypt.
        import xmltodict
        parsed = xmltodict.parse(encrypted)["xml"]
        body = f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><Encrypt><![CDATA[{parsed['Encrypt']}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>"
        plain = siyu("callback", "decrypt", "--token", TOKEN, "--aes-key", AES_KEY, "--receive-id", CORP_ID,
                     "--msg-signature", parsed["MsgSignature"], "--timestamp", timestamp, "--nonce", nonce, stdin=body)
        check(f"siyu decrypts what wechatpy encrypted ({index})", plain == message, repr(plain[:80]))

        reply_xml = siyu("callback", "encrypt-reply", "--token", TOKEN, "--aes-key", AES_KEY, "--receive-id", CORP_ID,
                         "--timestamp", timestamp, "--nonce", nonce, stdin=message)
        signature = xmltodict.parse(reply_xml)["xml"]["MsgSignature"]
        decrypted = crypto.decrypt_message(reply_xml, signature, timestamp, nonce)
        check(f"wechatpy decrypts what siyu encrypted ({index})", decrypted == message, repr(decrypted[:80]))

    # A signature wechatpy computed over a tampered body must not pass.
    try:
        siyu("callback", "decrypt", "--token", TOKEN, "--aes-key", AES_KEY, "--receive-id", CORP_ID,
             "--msg-signature", "0" * 40, "--timestamp", "1", "--nonce", "n",
             stdin=f"<xml><Encrypt><![CDATA[{xmltodict.parse(crypto.encrypt_message('x', 'n', '1'))['xml']['Encrypt']}]]></Encrypt></xml>")
        check("siyu refuses a wrong signature", False)
    except RuntimeError as error:
        check("siyu refuses a wrong signature", "-40001" in str(error), str(error))


def control(base, path, body):
    request = urllib.request.Request(f"{base}/sandbox/corps/{CORP_ID}/{path}", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        answer = json.loads(response.read())
    assert answer.get("errcode") == 0, answer
    return answer


def client_interop():
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    sandbox = subprocess.Popen([SIYU, "sandbox", "--port", str(port), "--seed", "5", "--corp-id", CORP_ID, "--secret", SECRET,
                                "--token", TOKEN, "--aes-key", AES_KEY, "--members", "3"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for _ in range(200):
            try:
                with urllib.request.urlopen(f"{base}/cgi-bin/gettoken?corpid={CORP_ID}&corpsecret={SECRET}", timeout=1) as response:
                    token = json.loads(response.read())["access_token"]
                break
            except Exception:
                time.sleep(0.1)
        else:
            raise RuntimeError("the sandbox did not start")

        client = WeChatClient(CORP_ID, SECRET, access_token=token)
        client.API_BASE_URL = f"{base}/cgi-bin/"
        ec = client.external_contact

        follow = ec.get_follow_user_list()
        check("get_follow_user_list", follow["errcode"] == 0 and follow["follow_user"] == ["member1", "member2", "member3"], follow)

        way = ec.add_contact_way(2, 2, remark="门店A", state="store_a", user=["member1", "member2"])
        config_id = way.get("config_id", "")
        # The sandbox serves the QR image itself (offline), as an SVG that encodes the contact link.
        qr = urllib.request.urlopen(way.get("qr_code", ""), timeout=10).read().decode() if way.get("qr_code", "").startswith(base) else ""
        check("add_contact_way", way["errcode"] == 0 and len(config_id) == 32 and qr.lstrip().startswith("<svg"), way)
        got_way = ec.get_contact_way(config_id)
        check("get_contact_way", got_way["contact_way"]["state"] == "store_a" and got_way["contact_way"]["user"] == ["member1", "member2"], got_way)

        customers = [control(base, "customers", {"config_id": config_id})["customer"] for _ in range(4)]
        listed = ec.list("member1")
        check("list", sorted(listed["external_userid"]) == sorted(c["external_userid"] for c in customers if c["userid"] == "member1"), listed)

        first = customers[0]["external_userid"]
        detail = ec.get(first)
        check("get", detail["external_contact"]["external_userid"] == first and detail["follow_user"][0]["state"] == "store_a"
              and detail["follow_user"][0]["userid"] == "member1", detail)

        created = ec.add_corp_tag(None, "客户等级", 1, [{"name": "VIP", "order": 1}, {"name": "新客"}])
        tag_group = created["tag_group"]
        check("add_corp_tag", created["errcode"] == 0 and [t["name"] for t in tag_group["tag"]] == ["VIP", "新客"], created)
        tags = ec.get_corp_tag_list()
        check("get_corp_tag_list", tags["tag_group"][0]["group_name"] == "客户等级" and len(tags["tag_group"][0]["tag"]) == 2, tags)
        vip = tag_group["tag"][0]["id"]
        marked = ec.mark_tag("member1", first, add_tag=[vip])
        check("mark_tag", marked["errcode"] == 0, marked)
        check("mark_tag shows in get", [t["tag_id"] for t in ec.get(first)["follow_user"][0]["tags"]] == [vip])

        template = ec.add_msg_template({"chat_type": "single", "external_userid": [first], "sender": "member1",
                                        "text": {"content": "新品上市"}})
        msgid = template["msgid"]
        check("add_msg_template", template["errcode"] == 0 and msgid.startswith("msg"), template)
        control(base, f"mass_messages/{msgid}/confirm", {"userid": "member1"})
        result = ec.get_group_msg_result(msgid)
        check("get_group_msg_result", result["errcode"] == 0 and result["detail_list"][0]["external_userid"] == first
              and result["detail_list"][0]["status"] == 1, result)

        code = customers[1]["welcome_code"]
        welcome = ec.send_welcome_msg({"welcome_code": code, "text": {"content": "欢迎光临"}})
        check("send_welcome_msg", welcome["errcode"] == 0, welcome)
        try:
            ec.send_welcome_msg({"welcome_code": code, "text": {"content": "again"}})
            check("send_welcome_msg twice is refused", False)
        except Exception as error:
            check("send_welcome_msg twice is refused", getattr(error, "errcode", None) == 41051, repr(error))

        chat = control(base, "groups", {"owner": "member1", "name": "咖啡爱好者"})["chat_id"]
        control(base, f"groups/{chat}/join", {"external_userid": first})
        groups = client.external_contact_group_chat.list()
        check("groupchat list", [g["chat_id"] for g in groups["group_chat_list"]] == [chat], groups)
        group = client.external_contact_group_chat.get(chat)
        members = group["group_chat"]["member_list"]
        check("groupchat get", group["group_chat"]["name"] == "咖啡爱好者" and [m["type"] for m in members] == [1, 2]
              and members[1]["userid"] == first, group)
    finally:
        stop(sandbox)


if __name__ == "__main__":
    crypto_interop()
    client_interop()
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
