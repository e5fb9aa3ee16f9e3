#!/usr/bin/env python3
"""schemathesis against the running server and the OpenAPI document it serves.

Starts `siyu sandbox` (the stand-in for WeCom, with a corp and 3 members) and `siyu serve` on free
loopback ports with the corp pointed at the sandbox, so routes that call WeCom get real answers;
registers the corp and creates a write API key with the CLI, and creates one tag group, channel,
segment, webhook and campaign through the API; then runs schemathesis twice over
`/api/v1/openapi.json`, once with the corp key (every path naming those things, so fuzzing reaches
past 404 into the routes) and once with the admin token (paths as schemathesis makes them, so it
cannot change the corp's credentials under the other run), with the checks

    not_a_server_error, status_code_conformance, response_schema_conformance

Goal: no 5xx, no answer outside its operation's documented statuses, no body that breaks its schema.
Bounded: --max-examples per operation and --max-time per run (fuzzing repeats until that is spent);
about 2.5 minutes in all. One schemathesis worker: with two threads, CPython 3.11.7's ast module
(hypothesis parses lambdas to describe strategies) fails with "AST constructor recursion depth
mismatch", a crash of the tool, not a finding.

Nothing is excluded: every operation of the document is fuzzed with both credentials. (A 5xx the
document lists, such as 503 database_unavailable, would still fail not_a_server_error; the database
is up for the whole run, so none is expected.)

Usage: schemathesis_contract.py PATH_TO_SIYU_BINARY [SECONDS_PER_RUN]
The schemathesis command is looked for beside this Python (a venv's bin/) and then on PATH.
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import json
import time
import urllib.error
import urllib.request

SIYU = os.path.abspath(sys.argv[1])
SECONDS = int(sys.argv[2]) if len(sys.argv) > 2 else 60
CORP_ID = "wwcontract0001"
SECRET = "contract-secret"
TOKEN = "QDG6eK"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
ADMIN = "adm.schemathesis-token-0000000000"
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except Exception:  # noqa: BLE001 - not up yet
            pass
        time.sleep(0.1)
    raise SystemExit(f"FAIL {url} did not answer within {seconds} s")


def api(base, method, path, token, body=None):
    request = urllib.request.Request(base + path, data=None if body is None else json.dumps(body).encode(), method=method,
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        raise SystemExit(f"FAIL seeding: {method} {path} answered {error.code} {error.read()[:300]!r}")


def seed(base, key):
    """One of each thing a path names, so the corp key's run reaches past 404 into the routes."""
    # A corp's first sync runs when the server starts; channels may name only members it mirrored.
    deadline = time.time() + 60
    while not api(base, "GET", "/api/v1/members", key)["members"]:
        if time.time() > deadline:
            raise SystemExit("FAIL seeding: the first sync mirrored no members within 60 s")
        time.sleep(0.5)
    groups = api(base, "POST", "/api/v1/tag_groups", key, {"name": "会员", "tags": ["VIP", "普通"]})["tag_groups"][0]
    channel = api(base, "POST", "/api/v1/channels", key, {"name": "门店", "members": ["member1"]})
    segment = api(base, "POST", "/api/v1/segments", key, {"name": "活跃", "expression": "status = active"})
    webhook = api(base, "POST", "/api/v1/webhooks", key, {"url": "https://hooks.example.com/siyu", "event_types": ["customer.added"]})
    campaign = api(base, "POST", "/api/v1/campaigns", key, {"name": "新品", "kind": "moment", "text": "秋季新品"})
    return {"corp_id": CORP_ID, "group_id": groups["group_id"], "tag_id": groups["tags"][0]["tag_id"], "channel_id": channel["channel_id"],
            "segment_id": segment["segment_id"], "webhook_id": webhook["webhook_id"], "id": campaign["campaign_id"]}


def schemathesis_command():
    beside = os.path.join(os.path.dirname(sys.executable), "schemathesis")
    found = beside if os.path.exists(beside) else shutil.which("schemathesis")
    if not found:
        raise SystemExit("FAIL schemathesis is not installed (pip install schemathesis)")
    return found


def main():
    work = tempfile.mkdtemp(prefix="siyu-schemathesis-")
    port, sandbox_port = free_port(), free_port()
    base, sandbox_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{sandbox_port}"
    env = dict(os.environ, SIYU_ADMIN_TOKEN=ADMIN, SIYU_DB=f"sqlite:{work}/siyu.db", SIYU_WECOM_API_BASE_URL=sandbox_url)
    logs = open(os.path.join(work, "servers.log"), "wb")
    processes = []
    results = {"passed": 0, "failed": 0}
    try:
        processes.append(subprocess.Popen(
            [SIYU, "sandbox", "--port", str(sandbox_port), "--corp-id", CORP_ID, "--secret", SECRET, "--token", TOKEN,
             "--aes-key", AES_KEY, "--members", "3", "--callback-url", f"{base}/callback/wecom/{CORP_ID}"],
            cwd=work, stdout=logs, stderr=logs))
        subprocess.run([SIYU, "corp", "add", "--corp-id", CORP_ID, "--name", "契约测试", "--secret", SECRET, "--token", TOKEN,
                        "--aes-key", AES_KEY], cwd=work, env=env, check=True, capture_output=True)
        created = subprocess.run([SIYU, "corp", "key", "create", "--corp-id", CORP_ID, "--label", "schemathesis"],
                                 cwd=work, env=env, check=True, capture_output=True, text=True).stdout
        key = re.search(r"sk\.[A-Za-z0-9._-]+", created).group(0)
        processes.append(subprocess.Popen([SIYU, "serve", "--port", str(port), "--workers", "1", "--log-level", "warning"],
                                          cwd=work, env=env, stdout=logs, stderr=logs))
        wait_for(f"{base}/healthz")
        wait_for(f"{base}/readyz")
        deadline = time.monotonic() + 30
        while socket.socket().connect_ex(("127.0.0.1", sandbox_port)) != 0:
            if time.monotonic() > deadline:
                raise SystemExit("FAIL the sandbox did not listen within 30 s")
            time.sleep(0.1)

        command = schemathesis_command()
        # The corp key's run names the seeded things in every path; the admin's names none (it could
        # otherwise change the corp's credentials under the other run's feet).
        pinned = os.path.join(work, "pinned.toml")
        with open(pinned, "w") as config:
            config.write("[parameters]\n" + "".join(f'"path.{name}" = "{value}"\n' for name, value in seed(base, key).items()))
        unpinned = os.path.join(work, "unpinned.toml")
        open(unpinned, "w").close()
        for label, token, config in [("corp key", key, pinned), ("admin token", ADMIN, unpinned)]:
            started = time.monotonic()
            print(f"schemathesis with the {label} ({SECONDS} s) …", flush=True)
            run = subprocess.run(
                [command, "--config-file", config, "run", f"{base}/api/v1/openapi.json", "--checks", CHECKS, "-H", f"Authorization: Bearer {token}",
                 "--phases", "examples,coverage,fuzzing", "--max-examples", "25", "--max-time", str(SECONDS), "--seed", "11",
                 "--workers", "1", "--request-timeout", "10", "--no-color", "--suppress-health-check", "all"],
                cwd=work, env=dict(os.environ, SCHEMATHESIS_HOOKS=""), capture_output=True, text=True)
            output = run.stdout + run.stderr
            # The failures and the summary; a passing run shows its summary only.
            shown = output if run.returncode else "\n".join(output.splitlines()[-14:])
            print(shown[:20000] + ("\n… (cut)" if len(shown) > 20000 else ""), flush=True)
            ok = run.returncode == 0
            results["passed" if ok else "failed"] += 1
            print(f"{'PASS' if ok else 'FAIL'} schemathesis with the {label}: exit {run.returncode} after {time.monotonic() - started:.0f} s",
                  flush=True)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        logs.close()
        if results["failed"]:
            with open(os.path.join(work, "servers.log"), "rb") as log:
                tail = log.read()[-4000:].decode(errors="replace")
            print("server log (end):\n" + tail)
        shutil.rmtree(work, ignore_errors=True)
    print(f"{results['passed']} passed, {results['failed']} failed")
    sys.exit(1 if results["failed"] else 0)


if __name__ == "__main__":
    main()
