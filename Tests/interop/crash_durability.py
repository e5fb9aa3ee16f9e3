#!/usr/bin/env python3
"""Zero loss across kill -9: every callback `siyu serve` acknowledged is in the database after a crash.

Events are encrypted by wechatpy (a client nobody here wrote), posted concurrently, and the server
is killed with SIGKILL while requests are still in flight. After a restart, every event that got a
200 must be in callback_inbox exactly once. Usage: crash_durability.py PATH_TO_SIYU_BINARY
"""
import concurrent.futures
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

import xmltodict
from wechatpy.enterprise.crypto import WeChatCrypto

SIYU = os.path.abspath(sys.argv[1])
CORP_ID = "wwcrash000001"
TOKEN = "QDG6eK"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
EVENTS = 600


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    work = tempfile.mkdtemp(prefix="siyu-crash-")
    env = dict(os.environ, SIYU_ADMIN_TOKEN="adm.crash-test-token-0000")
    subprocess.run([SIYU, "corp", "add", "--corp-id", CORP_ID, "--name", "Crash", "--secret", "s", "--token", TOKEN,
                    "--aes-key", AES_KEY], cwd=work, env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen([SIYU, "serve", "--port", str(port), "--workers", "0", "--log-level", "error"],
                              cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            break
        except Exception:
            time.sleep(0.05)

    crypto = WeChatCrypto(TOKEN, AES_KEY, CORP_ID)
    requests = []
    for index in range(EVENTS):
        event = (f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>"
                 f"<CreateTime>{1700000000 + index}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
                 "<Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[add_external_contact]]></ChangeType>"
                 f"<UserID><![CDATA[m1]]></UserID><ExternalUserID><![CDATA[wmcrash{index}]]></ExternalUserID></xml>")
        nonce, timestamp = str(index), str(1700000000 + index)
        parsed = xmltodict.parse(crypto.encrypt_message(event, nonce, timestamp))["xml"]
        body = f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><Encrypt><![CDATA[{parsed['Encrypt']}]]></Encrypt></xml>"
        url = f"{base}/callback/wecom/{CORP_ID}?msg_signature={parsed['MsgSignature']}&timestamp={timestamp}&nonce={nonce}"
        requests.append((f"wmcrash{index}", url, body.encode()))

    acknowledged = set()
    lock = threading.Lock()
    killed = threading.Event()

    def post(item):
        ext, url, body = item
        if killed.is_set():
            return
        try:
            with urllib.request.urlopen(urllib.request.Request(url, data=body, method="POST"), timeout=5) as response:
                if response.status == 200:
                    with lock:
                        acknowledged.add(ext)
                        if len(acknowledged) == EVENTS // 2:
                            # Crash in the middle of the load, with requests in flight.
                            os.kill(server.pid, signal.SIGKILL)
                            killed.set()
        except (urllib.error.URLError, ConnectionError, OSError):
            pass

    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(post, requests))
    server.wait(timeout=10)

    # Restart, as an operator would, then look in the database itself.
    restarted = subprocess.Popen([SIYU, "serve", "--port", str(free_port()), "--workers", "0", "--log-level", "error"],
                                 cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(2)
    restarted.send_signal(signal.SIGTERM)
    restarted.wait(timeout=20)
    rows = sqlite3.connect(os.path.join(work, "siyu.db")).execute(
        "SELECT payload FROM callback_inbox WHERE corp_id = ?", (CORP_ID,)).fetchall()
    stored = [ext for (payload,) in rows for ext in [payload.split("<ExternalUserID><![CDATA[")[1].split("]]>")[0]]]
    missing = acknowledged - set(stored)
    duplicated = len(stored) - len(set(stored))
    print(f"acknowledged {len(acknowledged)} of {EVENTS} before kill -9; stored {len(stored)}; "
          f"acknowledged but missing {len(missing)}; duplicated {duplicated}")
    ok = len(acknowledged) >= EVENTS // 2 and not missing and duplicated == 0
    print(f"{1 if ok else 0} passed, {0 if ok else 1} failed")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
