# SPDX-License-Identifier: MIT
"""5,000 /healthz WebSockets held open for 30 s, each sending a message every
few seconds; every message must be answered.  Reports portico's memory with
them all open (goal: VmRSS <= 16 MiB).  WS_LOAD_CONNS and WS_LOAD_SECONDS
shrink it for a quick run."""
import json
import os
import random
import resource
import selectors
import socket
import time

from harness import BINARY, Fail, Portico, check
from wsclient import TEXT, frame, request

N = int(os.environ.get("WS_LOAD_CONNS", "5000"))
SECONDS = float(os.environ.get("WS_LOAD_SECONDS", "30"))
PERIOD = 3.0
MSG = frame(TEXT, b"status?")


def memory(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "RssAnon", "RssFile"):
                out[k] = int(v.split()[0])
    return out


def case_5000_websockets_held_and_answered():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = N + 256
    check(hard >= need, "fd hard limit %d is below %d" % (hard, need))
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, need), hard))  # portico inherits it
    p = Portico("--max-connections", str(N + 64))
    sel = selectors.DefaultSelector()
    socks = []
    try:
        for i in range(N):
            s = socket.create_connection(("127.0.0.1", p.port), timeout=10)
            s.sendall(request())
            socks.append(s)
        for s in socks:  # every handshake answered
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = s.recv(4096)
                check(chunk, "closed during the handshake")
                data += chunk
            check(data.startswith(b"HTTP/1.1 101 "), data[:80])
            check(data.endswith(b"\r\n\r\n"), "bytes after the 101: %r" % data[-40:])
            s.setblocking(False)
        sent = [0] * N
        answered = [0] * N
        pending = [b""] * N
        for i, s in enumerate(socks):
            sel.register(s, selectors.EVENT_READ, i)
        due = [time.monotonic() + random.uniform(0, PERIOD) for _ in range(N)]
        end = time.monotonic() + SECONDS
        while time.monotonic() < end:
            now = time.monotonic()
            for i in range(N):
                if due[i] <= now:
                    socks[i].send(MSG)  # 13 bytes: never a short write on an idle socket
                    sent[i] += 1
                    due[i] = now + PERIOD
            for key, _ in sel.select(timeout=0.05):
                i = key.data
                data = pending[i] + socks[i].recv(65536)
                check(data, "connection %d closed by the server" % i)
                while len(data) >= 2 and len(data) >= 2 + data[1]:
                    check(data[0] == 0x81 and data[1] < 126, "unexpected frame %r" % data[:10])
                    body = json.loads(data[2:2 + data[1]])
                    check(body["event"] == "health", body)
                    answered[i] += 1
                    data = data[2 + data[1]:]
                pending[i] = data
        # Let the last answers arrive.
        deadline = time.monotonic() + 5
        while sum(answered) < sum(sent) and time.monotonic() < deadline:
            for key, _ in sel.select(timeout=0.1):
                i = key.data
                data = pending[i] + socks[i].recv(65536)
                while len(data) >= 2 and len(data) >= 2 + data[1]:
                    answered[i] += 1
                    data = data[2 + data[1]:]
                pending[i] = data
        held = memory(p.proc.pid)
        short = [i for i in range(N) if answered[i] != sent[i]]
        print("measure: %d WebSockets held %.0f s, %d messages sent, %d answered; portico with them open: "
              "VmRSS %d KiB, RssAnon %d KiB (%s)" % (N, SECONDS, sum(sent), sum(answered), held["VmRSS"],
                                                   held["RssAnon"], BINARY))
        check(not short, "%d connections missing answers, e.g. #%d: %d of %d" % (
            len(short), short[0], answered[short[0]], sent[short[0]]) if short else "")
        check(min(sent) >= int(SECONDS / PERIOD) - 1, "the client fell behind its schedule")
        if "asan" not in BINARY:  # ASan's shadow memory says nothing about portico's
            check(held["VmRSS"] <= 16 * 1024, "VmRSS %d KiB with %d WebSockets open" % (held["VmRSS"], N))
    finally:
        for s in socks:
            s.close()
        sel.close()
        p.stop(timeout=20)
