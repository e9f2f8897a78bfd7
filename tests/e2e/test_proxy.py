# SPDX-License-Identifier: MIT
"""HTTP through the VS Code route, against a scripted backend: bodies both
ways, hash-checked, in both framings; cut responses; unasked 101s;
hop-by-hop and cookie stripping; a backend that is down."""
import hashlib
import json
import os
import socket
import subprocess
import tempfile

from fake_backend import FakeBackend, pattern
from harness import Portico, check, curl, exchange, parse_responses, read_response, recv_until

SIZES = [0, 1, 1023, 65536, (1 << 20) + 1, 64 << 20]


def serve(*flags):
    """A scripted backend, and portico in front of it as the VS Code server."""
    b = FakeBackend()
    return b, Portico("--vscode-addr", "127.0.0.1:%d" % b.port, *flags)


def case_response_bodies_both_framings():
    b, p = serve()
    try:
        for mode in ("cl", "chunked"):
            for n in SIZES:
                rc, out, err = curl("-o", "-", p.url("/bytes/%d/%s" % (n, mode)), timeout=60)
                check(rc == 0 and len(out) == n, "%s %d: rc %d, got %d bytes %r" % (mode, n, rc, len(out), err[-200:]))
                check(hashlib.sha256(out).digest() == hashlib.sha256(pattern(n)).digest(), "%s %d: bytes differ" % (mode, n))
        # Many on one connection: keep-alive both sides.
        rc, out, err = curl("-v", *[p.url("/bytes/%d/chunked" % n) for n in (10, 20, 30)])
        check(rc == 0 and err.count(b"Re-using existing connection") == 2, "client keep-alive")
        check(b.connections <= 3, "backend connections were not reused: %d" % b.connections)
    finally:
        p.stop()
        b.close()


def case_request_bodies_both_framings():
    b, p = serve()
    d = tempfile.mkdtemp()
    try:
        for n in SIZES:
            path = os.path.join(d, "body")
            with open(path, "wb") as f:
                f.write(pattern(n))
            want = hashlib.sha256(pattern(n)).hexdigest()
            for extra in ([], ["-H", "Transfer-Encoding: chunked"]):
                rc, out, err = curl("--data-binary", "@" + path, *extra, p.url("/echo"), timeout=60)
                check(rc == 0, "POST %d %s: %r" % (n, extra, err[-300:]))
                got = json.loads(out)
                check(got["sha"] == want and got["len"] == n, "POST %d %s reached the backend as %d bytes" % (n, extra, got["len"]))
    finally:
        p.stop()
        b.close()


def case_cut_response_closes_the_client():
    b, p = serve()
    try:
        rc, out, _ = curl(p.url("/cut/200000"))
        check(rc == 18, "curl exit %d: a cut response must not look complete" % rc)  # 18: partial file
        check(len(out) == 100000, len(out))
        r = parse_responses(exchange(p, b"GET /bytes/5/cl HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"))
        check(r[0][0] == 200, "the next request failed")
    finally:
        p.stop()
        b.close()


def case_unasked_101_is_no_tunnel():
    b, p = serve()
    try:
        data = exchange(p, b"GET /switch HTTP/1.1\r\nHost: a\r\n\r\n")
        check(data.startswith(b"HTTP/1.1 502 "), data[:100])
        check(b"SECRET-TUNNEL-BYTES" not in data, "tunnel bytes leaked")
    finally:
        p.stop()
        b.close()


def case_hop_by_hop_and_cookies():
    b, p = serve()
    try:
        s = p.connect()
        s.sendall(b"GET /echo?q=1 HTTP/1.1\r\nHost: ide.example\r\nConnection: keep-alive, X-Private\r\nX-Private: 1\r\n"
                  b"Keep-Alive: 300\r\nTE: trailers\r\nProxy-Authorization: Basic Zm9v\r\nUpgrade: h2c\r\n"
                  b"X-Forwarded-For: 6.6.6.6\r\nCookie: a=1; code-server-session=SECRET; b=2\r\nX-Kept: yes\r\n\r\n")
        status, headers, body = read_response(s)
        s.close()
        got = json.loads(body)
        names = {k.lower(): v for k, v in got["headers"]}
        for gone in ("connection", "x-private", "keep-alive", "te", "proxy-authorization", "upgrade"):
            check(gone not in names, "%s reached the backend" % gone)
        check(names.get("cookie") == "a=1; b=2", names.get("cookie"))
        check(names.get("x-forwarded-for") == "127.0.0.1", names.get("x-forwarded-for"))
        check(names.get("x-forwarded-host") == "ide.example" and names.get("x-forwarded-proto") == "http", names)
        check(names.get("host") == "ide.example" and names.get("x-kept") == "yes", names)
        check(got["target"] == "/echo?q=1", got["target"])
        r = parse_responses(exchange(p, b"GET /hop HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"))
        h = r[0][1]
        check("x-hop" not in h and "keep-alive" not in h and "proxy-authenticate" not in h, h)
        check(h.get("x-end") == "2" and r[0][2] == b"ok", r)
        r = parse_responses(exchange(p, b"GET /vscode/echo HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"))
        check(json.loads(r[0][2])["target"] == "/echo", "/vscode/ prefix not stripped")
    finally:
        p.stop()
        b.close()


def case_backend_down_is_502():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    p = Portico("--vscode-addr", "127.0.0.1:%d" % port)
    try:
        rc, out, _ = curl("-i", "-H", "Accept: text/html", p.url("/x"))
        check(out.startswith(b"HTTP/1.1 502 ") and b"cannot be reached" in out, out[:300])
        check(curl("-s", "-o", "/dev/null", "-w", "%{http_code}", p.url("/healthz"))[1] == b"200", "healthz while the backend is down")
    finally:
        p.stop()


def ws_backend():
    """Answers one upgrade with 101, then echoes upper-cased bytes; on the
    client's FIN it sends "bye" and closes."""
    import threading
    l = socket.socket()
    l.bind(("127.0.0.1", 0))
    l.listen(8)
    seen = {}

    def serve():
        c, _ = l.accept()
        head = b""
        while b"\r\n\r\n" not in head:
            head += c.recv(4096)
        seen["head"] = head
        c.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
        data = head.split(b"\r\n\r\n", 1)[1]
        while True:
            if data:
                c.sendall(data.upper())
            data = c.recv(65536)
            if not data:
                break
        seen["fin"] = True
        c.sendall(b"bye")
        c.close()

    threading.Thread(target=serve, daemon=True).start()
    return l, seen


UPGRADE = (b"GET /vscode/ws?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1\r\n\r\n")


def tunnel_case(*flags):
    l, seen = ws_backend()
    p = Portico("--vscode-addr", "127.0.0.1:%d" % l.getsockname()[1], *flags)
    try:
        s = p.connect()
        s.sendall(UPGRADE + b"early bytes;")  # sent with the handshake: delivered after the 101
        got = recv_until(s, b"EARLY BYTES;")
        check(got.startswith(b"HTTP/1.1 101 "), got[:60])
        big = os.urandom(3 << 20)
        s.sendall(big)
        want = big.upper()
        echo = got.split(b"EARLY BYTES;", 1)[1]
        while len(echo) < len(want):
            chunk = s.recv(1 << 20)
            check(chunk, "closed mid-stream")
            echo += chunk
        check(echo == want, "3 MiB through the tunnel came back different")
        s.shutdown(socket.SHUT_WR)  # the half-close must reach the backend...
        tail = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            tail += chunk
        check(tail == b"bye" and seen.get("fin"), "half-close: %r %r" % (tail, seen))  # ...and its answer come back
        head = seen["head"].split(b"\r\n\r\n")[0]
        check(head.startswith(b"GET /ws?x=1 HTTP/1.1\r\n"), head[:60])
        check(b"\r\nUpgrade: websocket" in head and b"Sec-WebSocket-Key: " in head, head)
        s.close()
    finally:
        err = p.stop()
        l.close()


def case_tunnel_spliced():
    tunnel_case()


def case_tunnel_copied():
    tunnel_case("--no-splice")


def case_tunnel_refused_origin_and_auth():
    l, seen = ws_backend()
    p = Portico("--vscode-addr", "127.0.0.1:%d" % l.getsockname()[1])
    try:
        bad = UPGRADE.replace(b"Origin: http://127.0.0.1", b"Origin: http://evil.example")
        check(exchange(p, bad) == b"HTTP/1.1 403 Forbidden\r\n\r\n", "foreign origin")
    finally:
        p.stop()
    p = Portico("--vscode-addr", "127.0.0.1:%d" % l.getsockname()[1], auth=True, env={"PASSWORD": "x"})
    try:
        check(exchange(p, UPGRADE) == b"HTTP/1.1 401 Unauthorized\r\n\r\n", "no session")
        check("head" not in seen, "a refused upgrade reached the backend")
    finally:
        p.stop()
        l.close()
