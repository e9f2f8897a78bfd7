# SPDX-License-Identifier: MIT
"""login_flood.py PORT SECONDS RATE — wrong logins at RATE (0: none) a second (open
loop: each on a new connection, from 127.0.0.10 on, rotating over 20
addresses so the per-client limit does not refuse them) while /healthz is
probed 50 times a second on one kept-alive connection.  Prints one line:
"p50 P99 MAX N STATUSES" (latencies in ms, N probes, statuses as code=count).
A bench tool: it paces itself with the clock, it is not a test."""
import collections
import os
import select
import socket
import sys
import time

port, seconds, rate = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
BODY = b"password=wrong&base=."
LOGIN = (b"POST /login HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\n"
         b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(BODY)) + BODY
statuses = collections.Counter()
stop = time.monotonic() + seconds


def flood():
    if rate <= 0:  # the control: /healthz alone, on the same box at the same time
        return
    socks, i, next_at = {}, 0, time.monotonic()
    while time.monotonic() < stop or socks:
        now = time.monotonic()
        if now >= next_at and now < stop:
            s = socket.socket()
            s.bind(("127.0.0.%d" % (10 + i % 20), 0))
            s.connect(("127.0.0.1", port))
            s.sendall(LOGIN)
            socks[s] = b""
            i += 1
            next_at += 1 / rate
        wait = max(0.0, min(next_at - time.monotonic(), 0.05)) if time.monotonic() < stop else 1.0
        r, _, _ = select.select(list(socks), [], [], wait)
        for s in r:
            chunk = s.recv(65536)
            socks[s] += chunk
            if not chunk:  # Connection: close: the whole answer is in
                statuses[socks[s][9:12].decode() or "closed"] += 1
                del socks[s]
                s.close()
        if time.monotonic() > stop + 120:
            break


def probe(out):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    next_at = time.monotonic()
    while time.monotonic() < stop:
        t0 = time.perf_counter()
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n")
        got = b""
        while not (b"\r\n\r\n" in got and got.endswith(b"}")):
            got += s.recv(4096)
        out.append((time.perf_counter() - t0) * 1000)
        next_at += 0.02
        time.sleep(max(0.0, next_at - time.monotonic()))


# Two processes, so that neither waits for the other's hold on the GIL.
rfd, wfd = os.pipe()
child = os.fork()
if child == 0:
    os.close(rfd)
    flood()
    os.write(wfd, ",".join("%s=%d" % kv for kv in sorted(statuses.items())).encode())
    os._exit(0)
os.close(wfd)
lat = []
probe(lat)
counts = b""
while True:
    chunk = os.read(rfd, 4096)
    if not chunk:
        break
    counts += chunk
os.waitpid(child, 0)
lat.sort()
pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
print("%.2f %.2f %.2f %d %s" % (pick(0.5), pick(0.99), lat[-1], len(lat), counts.decode() or "none"))
