#!/usr/bin/env python3
"""No secret in plain text where it does not belong: logs, database files, exports.

For each log level (info, debug, trace) this registers a corp through `siyu corp add` with a known
app secret, callback token and EncodingAESKey (read from standard input and from environment
variables, never from arguments), adds a console user with a known password, starts `siyu serve`
on a fresh SQLite database, creates an API key and a webhook (its `whsec_` secret), and drives
requests: successful ones, ones that present the real secrets as wrong credentials, console
sign-ins with a wrong and the right password, a signed callback the server cannot decrypt, a sync
that fails to reach WeCom, a CSV export. Then it stops the server and looks for every secret (as
text, base64, hex and URL-encoded) in the logs, in `siyu.db`, `siyu.db-wal`, `siyu.db-shm`
(bytes), and in the export.

The one exception: a credential generated for the caller may be printed once, on standard output,
when it is created (the admin token at first start; the API key is in the HTTP answer only).

Also checked: the old secret flags still work but warn, the database files are mode 0600.
Standard library only. Usage: secrets_scan.py PATH_TO_SIYU_BINARY
"""
import base64
import binascii
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import stat
import string
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

SIYU = os.path.abspath(sys.argv[1])
TIMEOUT = 20  # seconds for any one step
results = []  # (passed, description)


def check(passed, description):
    results.append((passed, description))
    print(("ok    " if passed else "FAIL  ") + description)


def last_line(data):
    lines = data.decode(errors="replace").strip().splitlines()
    return lines[-1][:200] if lines else ""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def alnum(n):
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(n))


def aes_key():
    """A canonical EncodingAESKey: 32 random bytes in base64 without the padding, letters and digits only."""
    while True:
        key = base64.b64encode(secrets.token_bytes(32)).decode()[:43]
        if key.isalnum():
            return key


def forms(value):
    """The ways a secret could show up: as is, base64, hex, URL-encoded."""
    raw = value.encode()
    found = {"text": raw, "base64": base64.b64encode(raw), "hex": binascii.hexlify(raw)}
    quoted = urllib.parse.quote(value, safe="").encode()
    if quoted != raw:
        found["url-encoded"] = quoted
    return found


def request(base, method, path, token=None, body=None, content_type="application/json", headers=None):
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    if token is not None:
        req.add_header("Authorization", "Bearer " + token)
    if data is not None:
        req.add_header("Content-Type", content_type)
    for key, value in (headers or {}).items():
        req.add_header(key, value)
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers


def run_level(level):
    work = tempfile.mkdtemp(prefix=f"siyu-secrets-{level}-")
    failures_before = sum(1 for ok, _ in results if not ok)
    corp_id = "wwscan" + alnum(8).lower()
    known = {
        "app secret": alnum(43),
        "callback token": alnum(32),
        "EncodingAESKey": aes_key(),
        "console password": "pw-" + alnum(20),
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIYU_")}
    # The webhook below points at a closed loopback port: the installation allows loopback explicitly,
    # as an admin would for a receiver on the same host (webhooks reach public addresses only by default).
    env.update({"SIYU_LOG_LEVEL": level, "SCAN_TOKEN": known["callback token"], "SCAN_PW": known["console password"],
                "SIYU_OUTBOUND_ALLOW": "127.0.0.1/32"})
    logs = []  # (name, bytes) of everything the processes wrote where secrets must not be

    def cli(args, stdin=None):
        done = subprocess.run([SIYU] + args, cwd=work, env=env, input=stdin, capture_output=True, timeout=TIMEOUT * 3)
        logs.append((f"`siyu {args[0]} {args[1]}` stderr", done.stderr))
        logs.append((f"`siyu {args[0]} {args[1]}` stdout", done.stdout))
        return done

    # The secret on standard input, the token from the environment, the AES key on standard input.
    added = cli(["corp", "add", "--corp-id", corp_id, "--name", "Scan", "--stdin", "--token-env", "SCAN_TOKEN"],
                stdin=(known["app secret"] + "\n" + known["EncodingAESKey"] + "\n").encode())
    check(added.returncode == 0, f"[{level}] siyu corp add reads the secret and AES key from stdin, the token from --token-env "
          f"(exit {added.returncode}" + (f": {last_line(added.stderr)})" if added.returncode else ")"))
    check(b"visible" not in added.stderr, f"[{level}] no visibility warning without secret arguments")
    # The old flags still work, with a warning (the values of this second corp are not secrets of the scan).
    old = cli(["corp", "add", "--corp-id", corp_id + "b", "--name", "Old", "--secret", "visible-secret", "--token", "QDG6eK",
               "--aes-key", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"])
    check(old.returncode == 0 and b"visible" in old.stderr and b"ps" in old.stderr,
          f"[{level}] --secret/--token/--aes-key still work and warn that they are visible in ps")
    user = cli(["user", "add", "--username", "scanadmin", "--password-env", "SCAN_PW", "--role", "admin"])
    check(user.returncode == 0, f"[{level}] siyu user add --password-env")

    export = b""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    out_path, err_path = os.path.join(work, "serve.out"), os.path.join(work, "serve.err")
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        server = subprocess.Popen([SIYU, "serve", "--port", str(port), "--workers", "1"], cwd=work, env=env, stdout=out, stderr=err)
    try:
        deadline = time.time() + TIMEOUT * 3
        while time.time() < deadline:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        stdout = open(out_path, "rb").read().decode(errors="replace")
        admin = next((line.strip() for line in stdout.splitlines() if line.strip().startswith("adm.")), None)
        if admin is None:  # the token's shape is the server's business; take the line after the notice
            lines = stdout.splitlines()
            admin = next((lines[i + 1].strip() for i, line in enumerate(lines) if "Admin token" in line and i + 1 < len(lines)), "")
        check(bool(admin), f"[{level}] the generated admin token is printed once on stdout")
        known["admin token"] = admin
        master = os.path.join(work, "siyu.master.key")
        if os.path.exists(master):
            known["master key"] = open(master).read().strip()

        # Point the corp's WeCom calls at a closed port, so a sync fails here instead of on the internet.
        status, _, _ = request(base, "PATCH", f"/api/v1/corps/{corp_id}", admin, {"settings": {"wecom_api_base_url": "http://127.0.0.1:9"}})
        check(status == 200, f"[{level}] admin updates the corp ({status})")
        status, body, _ = request(base, "POST", f"/api/v1/corps/{corp_id}/keys", admin, {"label": "scan"})
        key = json.loads(body or b"{}").get("key", "")
        check(status == 201 and key.startswith("sk."), f"[{level}] admin creates an API key ({status})")
        known["API key"] = key
        status, body, _ = request(base, "POST", "/api/v1/webhooks", key,
                                  {"url": "http://127.0.0.1:9/hook", "event_types": ["customer.added"]})
        hook = json.loads(body or b"{}").get("secret", "")
        check(status == 201 and hook.startswith("whsec_"), f"[{level}] the key registers a webhook ({status})")
        known["webhook secret"] = hook

        # The real secrets presented as wrong credentials.
        for name in ["app secret", "callback token", "EncodingAESKey", "webhook secret", "console password"]:
            status, _, _ = request(base, "GET", "/api/v1/customers", known[name])
            check(status == 401, f"[{level}] the {name} as a bearer token is refused ({status})")
        status, _, _ = request(base, "GET", "/api/v1/customers", key[:-1] + ("x" if key[-1] != "x" else "y"))
        check(status == 401, f"[{level}] an API key with a wrong last character is refused ({status})")
        status, _, _ = request(base, "GET", "/api/v1/corps", admin + "x")
        check(status == 401, f"[{level}] the admin token with a suffix is refused ({status})")

        # Console: a wrong password (the app secret), then the right one.
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(), NoRedirect())
        for password, expected in [(known["app secret"], 401), (known["console password"], 303)]:
            page = opener.open(base + "/console/login", timeout=TIMEOUT).read().decode()
            csrf = page.split('name="_csrf" value="', 1)[1].split('"', 1)[0]
            form = urllib.parse.urlencode({"username": "scanadmin", "password": password, "_csrf": csrf}).encode()
            try:
                status = opener.open(urllib.request.Request(base + "/console/login", data=form, method="POST"), timeout=TIMEOUT).status
            except urllib.error.HTTPError as error:
                status = error.code
            check(status == expected, f"[{level}] console sign-in answers {expected} ({status})")

        # A callback signed with the real token whose body cannot be decrypted, and one signed wrongly.
        encrypt = base64.b64encode(secrets.token_bytes(64)).decode()
        timestamp, nonce = str(int(time.time())), alnum(10)
        signature = hashlib.sha1("".join(sorted([known["callback token"], timestamp, nonce, encrypt])).encode()).hexdigest()
        xml = f"<xml><ToUserName><![CDATA[{corp_id}]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>".encode()
        query = urllib.parse.urlencode({"msg_signature": signature, "timestamp": timestamp, "nonce": nonce})
        status, _, _ = request(base, "POST", f"/callback/wecom/{corp_id}?{query}", body=xml, content_type="text/xml")
        check(status in (400, 403), f"[{level}] a signed callback that does not decrypt is refused ({status})")
        query = urllib.parse.urlencode({"msg_signature": "0" * 40, "timestamp": timestamp, "nonce": nonce})
        status, _, _ = request(base, "POST", f"/callback/wecom/{corp_id}?{query}", body=xml, content_type="text/xml")
        check(status == 403, f"[{level}] a wrongly signed callback is refused ({status})")

        # A sync (WeCom unreachable: the job fails and logs why), then an export.
        status, _, _ = request(base, "POST", "/api/v1/sync", key)
        check(status in (200, 202), f"[{level}] a sync is queued ({status})")
        time.sleep(1.5)
        status, export, _ = request(base, "GET", "/api/v1/exports/customers.csv", key)
        check(status == 200, f"[{level}] the customer export answers ({status})")
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

    serve_out = open(out_path, "rb").read()
    # The one allowed print: the admin token, once, on stdout at first start.
    if known.get("admin token"):
        check(serve_out.count(known["admin token"].encode()) == 1, f"[{level}] the admin token is on stdout exactly once")
        serve_out = serve_out.replace(known["admin token"].encode(), b"<printed once>")
    logs.append(("`siyu serve` stdout", serve_out))
    logs.append(("`siyu serve` stderr", open(err_path, "rb").read()))
    db = os.path.join(work, "siyu.db")
    artifacts = logs + [("customer export", export)]
    for suffix in ["", "-wal", "-shm"]:
        path = db + suffix
        if os.path.exists(path):
            artifacts.append((f"siyu.db{suffix}", open(path, "rb").read()))
            mode = stat.S_IMODE(os.stat(path).st_mode)
            check(mode & 0o077 == 0, f"[{level}] siyu.db{suffix} is readable by its owner only (mode {mode:o})")
    check(any(name == "siyu.db" for name, _ in artifacts), f"[{level}] the database file exists")
    trace_lines = sum(1 for name, data in logs if data.count(b"\n") > 0)
    print(f"[{level}] scanning {len(artifacts)} artifacts "
          f"({sum(len(d) for _, d in artifacts)} bytes, {trace_lines} non-empty logs) for {len(known)} secrets")

    for secret_name, value in known.items():
        if not value:
            continue
        for artifact, data in artifacts:
            hits = [form for form, needle in forms(value).items() if needle in data]
            check(not hits, f"[{level}] {secret_name} not in {artifact}" + (f" (found as {', '.join(hits)})" if hits else ""))
    if sum(1 for ok, _ in results if not ok) == failures_before:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"[{level}] kept {work} for a look")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None

    def http_error_303(self, req, fp, code, msg, headers):
        return fp


def main():
    for level in ["info", "debug", "trace"]:
        run_level(level)
    passed = sum(1 for ok, _ in results if ok)
    failed = len(results) - passed
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
