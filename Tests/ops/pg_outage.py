#!/usr/bin/env python3
"""A PostgreSQL outage gets fast, honest answers from `siyu serve`, and shutdown has a deadline.

Runs a throwaway PostgreSQL (initdb into DATA_DIR, 127.0.0.1:PORT), `siyu serve --db postgres://…`
under a light load of callbacks, REST and /metrics, then stops PostgreSQL (`pg_ctl stop -m fast`):
callbacks, REST and /metrics must answer 503 `database_unavailable` within 3 s and /readyz 503
with a reason within 1 s. PostgreSQL is started again: 200s must resume within 5 s, and every
callback that got a 200 must be in callback_inbox. Finally PostgreSQL is stopped once more and
the server gets SIGTERM: it must exit within its shutdown deadline plus a margin.

Callbacks are encrypted with `siyu callback encrypt-reply` (the same AES-CBC + SHA-1 signature
as a platform callback), so only the standard library is needed. As root, PostgreSQL runs as
the `postgres` user. Bounded: about 40 s.

Usage: pg_outage.py PATH_TO_SIYU_BINARY PG_BIN_DIR DATA_DIR [PORT]
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

SIYU = os.path.abspath(sys.argv[1])
PG_BIN = sys.argv[2]
DATA = os.path.abspath(sys.argv[3])
PG_PORT = int(sys.argv[4]) if len(sys.argv) > 4 else 55443
CORP_ID = "wwoutage00001"
TOKEN = "QDG6eK"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
ADMIN = "adm.pg-outage-test-token-0000"
SHUTDOWN_DEADLINE = 4.0
EVENTS = 400

results = {"passed": 0, "failed": 0}


def check(name, ok, detail=""):
    results["passed" if ok else "failed"] += 1
    print(f"{'PASS' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}", flush=True)


def as_postgres(args, **kwargs):
    if os.geteuid() == 0:
        subprocess.run(["chown", "-R", "postgres", DATA], check=True)
        args = ["runuser", "-u", "postgres", "--"] + args
    return subprocess.run(args, check=True, capture_output=True, **kwargs)


def pg_start():
    as_postgres([f"{PG_BIN}/pg_ctl", "-D", f"{DATA}/data", "-l", f"{DATA}/log", "-w", "-o",
                 f"-c listen_addresses=127.0.0.1 -p {PG_PORT} -k {DATA} -c fsync=off", "start"])


def pg_stop():
    as_postgres([f"{PG_BIN}/pg_ctl", "-D", f"{DATA}/data", "-m", "fast", "-w", "stop"])


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def encrypted_callback(index):
    ext = f"wmoutage{index}"
    event = (f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>"
             f"<CreateTime>{1700000000 + index}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
             "<Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[add_external_contact]]></ChangeType>"
             f"<UserID><![CDATA[m1]]></UserID><ExternalUserID><![CDATA[{ext}]]></ExternalUserID></xml>")
    nonce, timestamp = f"n{index}", str(1700000000 + index)
    reply = subprocess.run([SIYU, "callback", "encrypt-reply", "--token", TOKEN, "--aes-key", AES_KEY,
                            "--receive-id", CORP_ID, "--timestamp", timestamp, "--nonce", nonce],
                           input=event.encode(), check=True, capture_output=True).stdout.decode()
    encrypt = re.search(r"<Encrypt><!\[CDATA\[(.*?)\]\]></Encrypt>", reply).group(1)
    signature = re.search(r"<MsgSignature><!\[CDATA\[(.*?)\]\]></MsgSignature>", reply).group(1)
    body = f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    query = urllib.parse.urlencode({"msg_signature": signature, "timestamp": timestamp, "nonce": nonce})
    return ext, f"/callback/wecom/{CORP_ID}?{query}", body.encode()


def call(base, path, data=None, token=None, timeout=15):
    """(status, seconds, body) — never raises; status 0 for a transport failure."""
    request = urllib.request.Request(base + path, data=data, method="POST" if data is not None else "GET")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    start = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, time.monotonic() - start, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, time.monotonic() - start, error.read(), dict(error.headers)
    except Exception as error:  # noqa: BLE001 - timeouts and resets count as failures
        return 0, time.monotonic() - start, repr(error).encode(), {}


class Load(threading.Thread):
    """One client that calls `next_request()` over and over, recording (sent_at, status, seconds, body)."""

    def __init__(self, name, next_request, pause):
        super().__init__(daemon=True, name=name)
        self.next_request, self.pause = next_request, pause
        self.records, self.stop = [], threading.Event()

    def run(self):
        while not self.stop.is_set():
            sent = time.monotonic()
            record = self.next_request()
            if record is None:
                return
            self.records.append((sent,) + record)
            self.stop.wait(self.pause)


def window(records, start, end):
    return [r for r in records if start <= r[0] < end]


def main():
    work = tempfile.mkdtemp(prefix="siyu-outage-")
    os.makedirs(DATA, exist_ok=True)
    if not os.path.exists(f"{DATA}/data/PG_VERSION"):
        as_postgres([f"{PG_BIN}/initdb", "-D", f"{DATA}/data", "-U", "postgres", "--auth=trust"])
    pg_start()
    db = f"postgres://postgres@127.0.0.1:{PG_PORT}/postgres?sslmode=disable"
    env = dict(os.environ, SIYU_ADMIN_TOKEN=ADMIN, SIYU_DB=db, SIYU_SHUTDOWN_TIMEOUT=str(SHUTDOWN_DEADLINE),
               SIYU_WECOM_API_BASE_URL="http://127.0.0.1:9")  # jobs fail fast instead of going online
    psql = [f"{PG_BIN}/psql", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "-d", "postgres", "-At", "-c"]
    subprocess.run(psql + ["DROP SCHEMA public CASCADE; CREATE SCHEMA public"], check=True, capture_output=True)
    subprocess.run([SIYU, "corp", "add", "--corp-id", CORP_ID, "--name", "Outage", "--secret", "s", "--token", TOKEN,
                    "--aes-key", AES_KEY], cwd=work, env=env, check=True, capture_output=True)
    callbacks = [encrypted_callback(i) for i in range(EVENTS)]

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(os.path.join(work, "serve.log"), "wb")
    server = subprocess.Popen([SIYU, "serve", "--port", str(port), "--workers", "1", "--log-level", "warning"],
                              cwd=work, env=env, stdout=log, stderr=log)
    try:
        for _ in range(300):
            if call(base, "/healthz", timeout=1)[0] == 200:
                break
            time.sleep(0.05)

        acknowledged = set()
        queue = iter(callbacks)

        def next_callback():
            item = next(queue, None)
            if item is None:
                return None
            ext, path, body = item
            status, seconds, text, headers = call(base, path, data=body)
            if status == 200:
                acknowledged.add(ext)
            return status, seconds, text, headers

        loads = {
            "callback": Load("callback", next_callback, 0.05),
            "rest": Load("rest", lambda: call(base, "/api/v1/corps", token=ADMIN), 0.1),
            "metrics": Load("metrics", lambda: call(base, "/metrics"), 0.2),
            "readyz": Load("readyz", lambda: call(base, "/readyz"), 0.1),
        }
        for load in loads.values():
            load.start()
        time.sleep(2)
        baseline_end = time.monotonic()
        for name, load in loads.items():
            statuses = {r[1] for r in window(load.records, 0, baseline_end)}
            check(f"{name} answers 200 before the outage", statuses == {200}, f"statuses {sorted(statuses)}")

        # The outage.
        pg_stop()
        stopped = time.monotonic()
        time.sleep(6)
        restart_at = time.monotonic()
        for name, load in loads.items():
            during = window(load.records, stopped, restart_at)
            failing = [r for r in during if r[1] != 200]
            first_503 = next((r for r in during if r[1] == 503), None)
            time_to_503 = (first_503[0] + first_503[2] - stopped) if first_503 else None
            # How long any request waited while PostgreSQL was down, including one sent just before.
            overlapping = [r for r in load.records if r[0] < restart_at and r[0] + r[2] > stopped]
            slowest = max((min(r[0] + r[2], restart_at) - max(r[0], stopped) for r in overlapping), default=0.0)
            limit = 1.0 if name == "readyz" else 3.0
            codes = sorted({r[1] for r in failing})
            print(f"{name}: {len(during)} requests during the outage, statuses {sorted({r[1] for r in during})}, "
                  f"first 503 {time_to_503 if time_to_503 is None else round(time_to_503, 2)} s after the stop, "
                  f"longest wait {slowest:.2f} s")
            check(f"{name} answers 503 during the outage", first_503 is not None and codes == [503] and len(during) >= 2,
                  f"{len(during)} requests, non-200 statuses {codes}")
            check(f"{name} answers within {limit:.0f} s during the outage", slowest <= limit, f"longest wait {slowest:.2f} s")
            if name == "readyz" and first_503:
                reason = json.loads(first_503[3] or b"{}").get("reason", "")
                print(f"readyz reason: {reason}")
                check("readyz says why it is not ready", "PostgreSQL" in reason or "database" in reason, reason)
            elif first_503:
                code = (json.loads(first_503[3] or b"{}").get("error") or {}).get("code")
                retry = first_503[4].get("Retry-After")
                check(f"{name}'s 503 is database_unavailable with Retry-After", code == "database_unavailable" and retry,
                      f"code {code}, Retry-After {retry}")

        pg_start()
        started = time.monotonic()
        time.sleep(6)
        recovered_by = time.monotonic()
        for name, load in loads.items():
            after = window(load.records, started, recovered_by)
            last_failure = max((r[0] + r[2] for r in after if r[1] != 200), default=started)
            recovery = last_failure - started
            ok_after = [r for r in after if r[0] > last_failure]
            print(f"{name}: 200s resumed {recovery:.2f} s after PostgreSQL was back ({len(ok_after)} ok since)")
            check(f"{name} recovers within 5 s", recovery <= 5.0 and len(ok_after) > 0)

        for load in loads.values():
            load.stop.set()
        for load in loads.values():
            load.join(timeout=20)
        stored = set(subprocess.run(psql + [f"SELECT payload FROM callback_inbox WHERE corp_id = '{CORP_ID}'"],
                                    check=True, capture_output=True).stdout.decode().split("\n"))
        present = {ext for ext in acknowledged if any(f"[{ext}]" in line for line in stored)}
        lost = acknowledged - present
        print(f"callbacks: {len(acknowledged)} acknowledged, {len(lost)} of them missing from callback_inbox")
        check("no acknowledged callback was lost", not lost and len(acknowledged) > 0, ", ".join(sorted(lost)[:5]))

        # Shutdown while PostgreSQL is away.
        pg_stop()
        time.sleep(1)
        server.send_signal(signal.SIGTERM)
        sent = time.monotonic()
        try:
            server.wait(timeout=SHUTDOWN_DEADLINE + 20)
        except subprocess.TimeoutExpired:
            pass
        exit_after = time.monotonic() - sent
        exited = server.poll() is not None
        print(f"shutdown with PostgreSQL down: exited {exited} after {exit_after:.2f} s (status {server.poll()}), "
              f"deadline {SHUTDOWN_DEADLINE:.0f} s")
        check("SIGTERM with PostgreSQL down exits within the shutdown deadline plus 3 s",
              exited and exit_after <= SHUTDOWN_DEADLINE + 3)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        log.close()
        try:
            pg_stop()
        except subprocess.CalledProcessError:
            pass
        if results["failed"]:
            print(f"server log kept in {work}/serve.log")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
