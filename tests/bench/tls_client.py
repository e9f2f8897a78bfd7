# SPDX-License-Identifier: MIT
"""tls_client.py probe PORT SECONDS — one keep-alive TLS connection sending
GET /healthz every 10 ms; prints "p50 p99 max" latencies in ms.
tls_client.py hold PORT N PID — opens N TLS connections (handshake done,
then idle), prints "before after" RssAnon KiB of PID around them.
tls_client.py resume PORT N — N connections one after the other, each
resuming the session of the one before (TCP_NODELAY, as browsers set it:
otherwise Nagle holds the request behind the client's Finished for a
delayed ACK, 40 ms, on any server), each a GET /robots.txt; prints "p50 p90"
ms and how many were not resumed."""
import socket
import ssl
import sys
import time


def ctx():
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    c.check_hostname = False
    c.verify_mode = ssl.CERT_NONE
    return c


def rss_anon(pid):
    with open("/proc/%s/status" % pid) as f:
        return int(next(l for l in f if l.startswith("RssAnon")).split()[1])


def probe(port, secs):
    s = ctx().wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10))
    lat = []
    end = time.monotonic() + secs
    while time.monotonic() < end:
        t = time.monotonic()
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n")
        got = b""
        while b"}" not in got:
            chunk = s.recv(4096)
            if not chunk:
                raise SystemExit("closed")
            got += chunk
        lat.append((time.monotonic() - t) * 1000)
        time.sleep(0.01)
    lat.sort()
    print("%.2f %.2f %.2f" % (lat[len(lat) // 2], lat[int(len(lat) * 0.99)], lat[-1]))


def hold(port, n, pid):
    before = rss_anon(pid)
    c = ctx()
    conns = [c.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10)) for _ in range(n)]
    time.sleep(0.5)
    print(before, rss_anon(pid))
    for s in conns:
        s.close()


def resume(port, n):
    c = ctx()
    c.maximum_version = ssl.TLSVersion.TLSv1_2
    session, lat, full = None, [], 0
    for _ in range(n):
        t = time.monotonic()
        raw = socket.create_connection(("127.0.0.1", port), timeout=10)
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s = c.wrap_socket(raw, session=session)
        s.sendall(b"GET /robots.txt HTTP/1.0\r\nHost: a\r\n\r\n")
        while s.recv(4096):
            pass
        full += session is not None and not s.session_reused
        session = s.session
        s.close()
        lat.append((time.monotonic() - t) * 1000)
    lat.sort()
    print("%.2f %.2f %d" % (lat[n // 2], lat[int(n * 0.9)], full))


if __name__ == "__main__":
    if sys.argv[1] == "probe":
        probe(int(sys.argv[2]), float(sys.argv[3]))
    elif sys.argv[1] == "resume":
        resume(int(sys.argv[2]), int(sys.argv[3]))
    else:
        hold(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
