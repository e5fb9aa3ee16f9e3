#!/usr/bin/env python3
"""Slow and idle clients cannot hold `siyu serve`: half-sent heads and bodies and idle keep-alive
connections are closed within their timeouts, one address cannot open more than its cap, and
/healthz answers throughout.

Starts the built binary on a free loopback port with short limits (set through SIYU_* variables),
attacks it from 127.0.0.2.. (Linux routes all of 127/8 to loopback) while probing /healthz from
127.0.0.1. Standard library only; finishes by itself in about 20 s.

Usage: slow_clients.py PATH_TO_SIYU_BINARY
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

SIYU = os.path.abspath(sys.argv[1])
HEADER_TIMEOUT = 2.0
BODY_TIMEOUT = 2.0
IDLE_TIMEOUT = 4.0
CAP = 20
MARGIN = 1.5          # scheduling slack on a loaded machine
FLOOD_ADDRESSES = 15  # × CAP half-sent connections

results = {"passed": 0, "failed": 0}


def check(name, ok, detail=""):
    results["passed" if ok else "failed"] += 1
    print(f"{'PASS' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def connect(port, source):
    s = socket.socket()
    s.bind((source, 0))
    s.settimeout(5)
    s.connect(("127.0.0.1", port))
    return s


def closed_by_server(sock, wait):
    """Seconds until the server closes `sock` (EOF or reset), or None if still open after `wait`."""
    start = time.monotonic()
    deadline = start + wait
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        sock.settimeout(remaining)
        try:
            data = sock.recv(65536)
        except socket.timeout:
            return None
        except (ConnectionResetError, BrokenPipeError):
            return time.monotonic() - start
        if not data:
            return time.monotonic() - start


def wait_all_closed(socks, opened_at, wait):
    """Seconds from opening to close for every socket (None for those still open after `wait`)."""
    times = [None] * len(socks)
    end = opened_at + wait
    for index, sock in enumerate(socks):
        elapsed = closed_by_server(sock, max(0.0, end - time.monotonic()))
        if elapsed is not None:
            times[index] = time.monotonic() - opened_at
    return times


def check_closed(what, timeout_name, socks, opened_at, timeout):
    """Every socket in `socks` (opened from `opened_at`) must be closed by the server within `timeout`."""
    times = wait_all_closed(socks, opened_at, timeout + MARGIN + 2)
    still_open = sum(t is None for t in times)
    slowest = max((t for t in times if t is not None), default=float("nan"))
    print(f"{what}: {len(socks)} connections, slowest closed after {slowest:.2f} s, {still_open} still open")
    check(f"{what} are closed within the {timeout_name} timeout", still_open == 0 and slowest <= timeout + MARGIN,
          f"limit {timeout + MARGIN:.1f} s")
    for sock in socks:
        sock.close()


class HealthProbe(threading.Thread):
    def __init__(self, base):
        super().__init__(daemon=True)
        self.base, self.stop, self.latencies, self.failures = base, threading.Event(), [], []

    def run(self):
        while not self.stop.is_set():
            start = time.monotonic()
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as response:
                    ok = response.status == 200
            except Exception as error:  # noqa: BLE001 - any failure counts
                ok, detail = False, repr(error)
            elapsed = time.monotonic() - start
            if ok:
                self.latencies.append(elapsed)
            else:
                self.failures.append(detail)
            self.stop.wait(0.2)


def main():
    work = tempfile.mkdtemp(prefix="siyu-slow-")
    port = free_port()
    env = dict(os.environ, SIYU_ADMIN_TOKEN="adm.slow-clients-test-0000",
               SIYU_HEADER_TIMEOUT=str(HEADER_TIMEOUT), SIYU_BODY_TIMEOUT=str(BODY_TIMEOUT),
               SIYU_IDLE_TIMEOUT=str(IDLE_TIMEOUT), SIYU_MAX_CONNECTIONS_PER_ADDRESS=str(CAP))
    server = subprocess.Popen([SIYU, "serve", "--port", str(port), "--workers", "0", "--log-level", "error"],
                              cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.05)
        probe = HealthProbe(base)
        probe.start()

        # 1. A flood of half-sent request heads from many addresses, each at the cap.
        flood, opened = [], time.monotonic()
        for a in range(FLOOD_ADDRESSES):
            for _ in range(CAP):
                s = connect(port, f"127.0.1.{a + 1}")
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: siyu\r\nX-Slow: ")
                flood.append(s)
        check_closed("half-sent request heads", "header", flood, opened, HEADER_TIMEOUT)

        # 2. A head dripped one byte at a time (slowloris) is closed at the header timeout too.
        drip = connect(port, "127.0.2.1")
        start = time.monotonic()
        closed_after = None
        for byte in b"GET /healthz HTTP/1.1\r\nHost: siyu\r\nX-Drip: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa":
            try:
                drip.sendall(bytes([byte]))
            except OSError:
                closed_after = time.monotonic() - start
                break
            if closed_by_server(drip, 0.25) is not None:
                closed_after = time.monotonic() - start
                break
            if time.monotonic() - start > HEADER_TIMEOUT + MARGIN + 3:
                break
        drip.close()
        print(f"dripped head: closed after {closed_after if closed_after is None else round(closed_after, 2)} s")
        check("a head sent a byte at a time is closed within the header timeout",
              closed_after is not None and closed_after <= HEADER_TIMEOUT + MARGIN)

        # 3. A body that stops arriving.
        bodies, opened = [], time.monotonic()
        for index in range(10):
            s = connect(port, "127.0.3.1")
            s.sendall(b"POST /callback/wecom/wwslow0001?msg_signature=a&timestamp=1&nonce=n HTTP/1.1\r\n"
                      b"Host: siyu\r\nContent-Length: 4096\r\n\r\n<xml><Encrypt>")
            bodies.append(s)
        check_closed("stalled request bodies", "body", bodies, opened, BODY_TIMEOUT)

        # 4. Idle keep-alive: open for the idle timeout (longer than the header timeout), then closed.
        idle = connect(port, "127.0.4.1")
        idle.sendall(b"GET /healthz HTTP/1.1\r\nHost: siyu\r\n\r\n")
        first = idle.recv(65536)
        elapsed = closed_by_server(idle, IDLE_TIMEOUT + MARGIN + 2)
        idle.close()
        print(f"idle keep-alive: closed {elapsed if elapsed is None else round(elapsed, 2)} s after its response")
        check("a keep-alive connection answers, stays open past the header timeout, and closes at the idle timeout",
              first.startswith(b"HTTP/1.1 200") and elapsed is not None
              and HEADER_TIMEOUT + 0.5 <= elapsed <= IDLE_TIMEOUT + MARGIN)

        # 5. The per-address cap: CAP connections are kept, the next is closed at once.
        held = [connect(port, "127.0.5.1") for _ in range(CAP)]
        time.sleep(0.2)
        extra = connect(port, "127.0.5.1")
        refused_after = closed_by_server(extra, 1.0)
        print(f"over the cap: connection {CAP + 1} closed after "
              f"{refused_after if refused_after is None else round(refused_after, 3)} s")
        check("a connection over the per-address cap is closed at once", refused_after is not None and refused_after < 0.5)
        check("connections under the cap stay open", closed_by_server(held[0], 0.2) is None)
        other = connect(port, "127.0.5.2")
        other.sendall(b"GET /healthz HTTP/1.1\r\nHost: siyu\r\nConnection: close\r\n\r\n")
        check("another address is not affected by the first one's cap", other.recv(65536).startswith(b"HTTP/1.1 200"))
        other.close()
        for s in held:
            s.close()
        extra.close()
        time.sleep(0.3)
        again = connect(port, "127.0.5.1")
        again.sendall(b"GET /healthz HTTP/1.1\r\nHost: siyu\r\nConnection: close\r\n\r\n")
        check("closed connections give their slots back", again.recv(65536).startswith(b"HTTP/1.1 200"))
        again.close()

        probe.stop.set()
        probe.join()
        worst = max(probe.latencies, default=float("nan"))
        print(f"/healthz during the attacks: {len(probe.latencies)} answers, slowest {worst * 1000:.1f} ms, "
              f"{len(probe.failures)} failures")
        check("/healthz answered throughout", not probe.failures and len(probe.latencies) > 10,
              "; ".join(probe.failures[:3]))
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)
    print(f"{results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
