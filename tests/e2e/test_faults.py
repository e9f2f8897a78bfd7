# SPDX-License-Identifier: MIT
"""Faults end to end (issue 11): a backend killed mid-head, mid-body and
mid-tunnel, one that accepts and stalls, a client that stops reading a
200 MB answer, slowloris on every slot, SIGTERM during transfers.  Each ends
with Portico.stop(): no sanitizer report, a clean log, exit 0."""
import os
import select
import signal
import socket
import subprocess
import sys
import time

from harness import Fail, Portico, check, exchange, is_closed, parse_responses, recv_all, recv_until

HERE = os.path.dirname(os.path.abspath(__file__))


class Backend:
    def __init__(self, *args):
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "fault_backend.py"), *args],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.port = int(self.line())

    def line(self, timeout=10):
        r, _, _ = select.select([self.proc.stdout], [], [], timeout)
        check(r, "the backend said nothing in %ss" % timeout)
        return self.proc.stdout.readline().strip().decode()

    def kill(self):
        self.proc.kill()
        self.proc.wait()


def healthz(p):
    got = exchange(p, b"GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
    return parse_responses(got)[0][0]


def case_a_backend_killed_mid_head_body_and_tunnel():
    upgrade = (b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1\r\n\r\n")
    for mode, req in (("head", b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n"), ("body", b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n"),
                      ("tunnel", upgrade)):
        b = Backend(mode)
        p = Portico("--vscode-addr", "127.0.0.1:%d" % b.port)
        try:
            s = p.connect()
            s.sendall(req)
            check(b.line() == "sent", mode)
            if mode == "body":
                got = recv_until(s, b"b" * 1000)
            elif mode == "tunnel":
                got = recv_until(s, b"hello")
            b.kill()
            got = (got if mode != "head" else b"") + recv_all(s, timeout=10)
            if mode == "head":
                check(got.startswith(b"HTTP/1.1 502 "), "%s: %r" % (mode, got[:200]))
            elif mode == "body":
                check(got.endswith(b"\r\n\r\n" + b"b" * 1000), "body: cut short must stay short: %r" % got[-100:])
            else:
                check(got.startswith(b"HTTP/1.1 101 ") and got.endswith(b"hello"), "tunnel: %r" % got[-100:])
            check(healthz(p) == 200, mode)
        finally:
            p.stop()
            b.kill()


def case_a_backend_that_accepts_and_stalls_times_out():
    b = Backend("stall")
    p = Portico("--vscode-addr", "127.0.0.1:%d" % b.port, "--io-timeout", "1")
    try:
        s = p.connect()
        s.sendall(b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n")
        check(b.line() == "sent", "stall")
        check(healthz(p) == 200, "healthz while a backend stalls")
        got = recv_all(s, timeout=10)
        check(got.startswith(b"HTTP/1.1 504 "), got[:200])
    finally:
        p.stop()
        b.kill()


def vm_rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def case_a_client_that_stops_reading_a_200_mb_answer():
    b = Backend("big", str(200 << 20))
    p = Portico("--vscode-addr", "127.0.0.1:%d" % b.port, "--io-timeout", "2")
    try:
        s = p.connect()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        s.sendall(b"GET /big HTTP/1.1\r\nHost: a\r\n\r\n")
        check(b.line() == "sent", "big")
        got = b""
        while len(got) < (1 << 20):
            got += s.recv(65536)
        # The client reads no more: portico must hold one buffer, not the answer.
        rss = [vm_rss_kib(p.proc.pid)]
        check(healthz(p) == 200, "healthz while a client stalls")
        rss.append(vm_rss_kib(p.proc.pid))
        check(b.line(timeout=15) == "cut", "the backend was not cut off after the client stalled")
        check(max(rss) < 64 * 1024, "portico grew to %s KiB with a stalled client" % rss)
        check(is_closed(s, 5), "the stalled client's connection stayed open")
        print("measure: client stalled after 1 MiB of 200 MiB: portico VmRSS %s KiB" % max(rss))
    finally:
        p.stop()
        b.kill()


def case_slowloris_on_every_slot_then_healthz_again():
    p = Portico("--max-connections", "8", "--header-timeout", "1")
    try:
        slow = [p.connect() for _ in range(8)]
        for s in slow:
            s.sendall(b"GET / HTTP/1.1\r\nHost: a\r\n")  # never finished
        extra = p.connect()  # the answer comes at accept; a request sent first would be reset unread
        full = recv_all(extra)
        check(full.startswith(b"HTTP/1.1 503 "), "all slots taken, got %r" % full[:100])
        for s in slow:
            check(is_closed(s, 5), "a slow head outlived its deadline")
        # The attacker keeps its sockets: each slot is free once its lingering
        # close ends (Linger timeout, 2 s), so /healthz is tried until then.
        deadline = time.monotonic() + 6
        code = None
        while code != 200 and time.monotonic() < deadline:
            try:
                code = healthz(p)
            except (OSError, Fail):
                code = None
            if code != 200:
                time.sleep(0.05)  # a poll interval, not a wait for an event
        check(code == 200, "healthz after the head deadline freed the slots: %s" % code)
    finally:
        p.stop()


def case_sigterm_during_a_transfer_lets_it_finish():
    b = Backend("big", str(64 << 20))
    p = Portico("--vscode-addr", "127.0.0.1:%d" % b.port)
    try:
        s = p.connect()
        s.sendall(b"GET /big HTTP/1.1\r\nHost: a\r\n\r\n")
        check(b.line() == "sent", "big")
        got = recv_until(s, b"z" * 1000)
        p.signal(signal.SIGTERM)
        body = bytearray(got.split(b"\r\n\r\n", 1)[1])
        s.settimeout(20)
        for _ in range(100000):  # bounded: 64 MiB in reads of up to 1 MiB
            chunk = s.recv(1 << 20)
            if not chunk:
                break
            body += chunk
        check(len(body) == 64 << 20 and body.count(b"z") == len(body), "got %d bytes of %d" % (len(body), 64 << 20))
    finally:
        p.stop()
        b.kill()
