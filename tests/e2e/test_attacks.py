# SPDX-License-Identifier: MIT
"""What an attacker sends, end to end against the real binary (run against
the ASan+UBSan build too, where a stale pointer is a report, not luck): each
case is one finding of issue 11, and fails on the code that had it."""
import socket

from fake_backend import FakeBackend, pattern
from test_proxy import serve
from harness import Portico, check, exchange, is_closed, parse_responses, read_response, recv_all

PW = "correct horse"


def alive(p):
    got = exchange(p, b"GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
    check(got.startswith(b"HTTP/1.1 200 OK\r\n"), "portico stopped answering: %r" % got[:200])


def case_absolute_form_without_a_path():
    # #1: the login redirect of "GET http://3000.dev.test" read outside a literal.
    p = Portico("--proxy-domain", "dev.test", auth=True, env={"PASSWORD": PW})
    try:
        got = exchange(p, b"GET http://3000.dev.test HTTP/1.1\r\nHost: 3000.dev.test\r\nAccept: text/html\r\n"
                          b"Connection: close\r\n\r\n")
        check(got.startswith(b"HTTP/1.1 302 "), got[:300])
        alive(p)
    finally:
        p.stop()
    # ...and without a proxy domain it is "/", not a 431.
    p = Portico()
    try:
        want = exchange(p, b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").split(b"\r\n", 1)[0]
        got = exchange(p, b"GET http://a HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        check(got.split(b"\r\n", 1)[0] == want, "%r, not %r" % (got[:200], want))
    finally:
        p.stop()


def case_an_upgrade_to_another_protocol_smuggles_nothing():
    # #2: "Upgrade: foo" on a preflight let the next request reach the app unparsed,
    # with a forged X-Forwarded-For and no login.
    app = FakeBackend()
    p = Portico("--skip-auth-preflight", auth=True, env={"PASSWORD": PW})
    try:
        px = b"/proxy/%d" % app.port
        s = p.connect()  # not half-closed: the second request must be read as one
        s.sendall(b"OPTIONS " + px + b"/ HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: foo\r\n\r\n"
                          b"GET " + px + b"/secret HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 6.6.6.6\r\n"
                          b"Connection: close\r\n\r\n")
        got = recv_all(s)
        answers = parse_responses(got)
        check([a[0] for a in answers] == [404, 401], "answers: %r" % got[:600])
        targets = [e[1] for e in app.log]
        check(targets == ["/"], "the app saw %r" % targets)
        check(not any(k.lower() == "upgrade" for k, _ in app.log[0][2]), "Upgrade forwarded: %r" % app.log[0][2])
    finally:
        p.stop()
        app.close()


def case_trailers_are_refused_and_touch_no_other_buffer():
    # #3: trailer fields were written through the header table of a chunk that
    # had gone back to the pool, i.e. into another connection's bytes.
    b, p = serve()
    try:
        other = p.connect()
        s = p.connect()
        s.sendall(b"POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n")
        other.sendall(b"GET /healthz HTTP/1.1\r\nHost: a\r\nCookie: code-server-session=SECRET\r\n\r\n")
        s.sendall(b"X-Trailer: " + b"t" * 3000)
        s.sendall(b"t" * 3000 + b"\r\n\r\n")
        got = recv_all(s, timeout=5)  # a reset (the close racing the last bytes) fails here
        check(got.startswith(b"HTTP/1.1 400 ") and got.count(b"HTTP/1.1 ") == 1
              and b"trailer fields in a request" in got, "a request with trailers: %r" % got[:300])
        check(b"SECRET" not in got, "another connection's bytes came back")
        other.sendall(b"GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        check(recv_all(other).count(b"HTTP/1.1 200 OK") == 2, "the other connection was disturbed")
        alive(p)
    finally:
        p.stop()
        b.close()


def case_chunked_with_a_tab_is_refused():
    # #7: "chunked\t" was read as no body by llhttp, as chunked by the app.
    b, p = serve()
    try:
        got = exchange(p, b"POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\t\r\n\r\n"
                          b"5\r\nhello\r\n0\r\n\r\n")
        check(got.startswith(b"HTTP/1.1 400 ") and got.count(b"HTTP/1.1 ") == 1, got[:300])
        check(b.log == [], "the app saw %r" % b.log)
    finally:
        p.stop()
        b.close()


def case_interim_answers_and_folded_fields():
    # #9: a 1xx from the app was a 502; obs-fold reached the client (now a 502).
    b, p = serve()
    try:
        got = exchange(p, b"GET /interim HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        check(got.startswith(b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\n"), got[:300])
        check(b"100 Continue" not in got and got.endswith(b"\r\n\r\nok"), got[:400])
        got = exchange(p, b"GET /interim HTTP/1.0\r\nHost: a\r\n\r\n")
        check(got.startswith(b"HTTP/1.1 200 OK\r\n"), "an HTTP/1.0 client got a 1xx: %r" % got[:200])
        got = exchange(p, b"GET /fold HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        check(got.startswith(b"HTTP/1.1 502 ") and b"X-Folded" not in got, got[:300])
    finally:
        p.stop()
        b.close()


def case_an_upstream_that_dies_tells_its_client():
    # #4: the client of an upstream closed on a write error waited forever, then
    # wrote through a stale pointer.  Here the app reads the head and resets.
    l = socket.socket()
    l.bind(("127.0.0.1", 0))
    l.listen(8)
    p = Portico("--vscode-addr", "127.0.0.1:%d" % l.getsockname()[1])
    try:
        s = p.connect()
        s.sendall(b"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 10000000\r\n\r\n")
        a, _ = l.accept()
        a.settimeout(5)
        a.recv(65536)
        a.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        a.close()  # RST
        sent = 0
        s.settimeout(5)
        try:
            while sent < 10000000:
                sent += s.send(b"x" * 65536)
        except OSError:
            pass
        check(is_closed(s, 10), "the client was left waiting")
        alive(p)
    finally:
        p.stop()
        l.close()


def case_a_proxy_to_portico_itself_on_ipv6_loopback():
    # #9: bound to [::1], portico proxied /proxy/<its own port> to itself.
    p = Portico(bind="[::1]:0")
    try:
        s = socket.create_connection(("::1", p.port), timeout=5)
        s.sendall(b"GET /proxy/%d/ HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n" % p.port)
        got = recv_all(s)
        check(got.startswith(b"HTTP/1.1 403 "), got[:200])
    finally:
        p.stop()


class BioTls:
    """TLS over a socket the test still controls: the TCP write side can be
    shut while TLS records are still read (ssl.SSLSocket cannot do that)."""

    def __init__(self, sock, cafile):
        import ssl
        self.ssl = ssl
        self.sock, self.inc, self.out = sock, ssl.MemoryBIO(), ssl.MemoryBIO()
        ctx = ssl.create_default_context(cafile=cafile)
        self.obj = ctx.wrap_bio(self.inc, self.out, server_hostname="localhost")
        for _ in range(50):  # bounded: a handshake is a few flights
            try:
                self.obj.do_handshake()
                break
            except ssl.SSLWantReadError:
                self._pump()
        self._flush()

    def _flush(self):
        data = self.out.read()
        if data:
            self.sock.sendall(data)

    def _pump(self):
        self._flush()
        chunk = self.sock.recv(65536)
        if not chunk:
            self.inc.write_eof()
        self.inc.write(chunk)

    def send(self, data):
        self.obj.write(data)
        self._flush()

    def read_to_end(self):
        """Everything until the peer's close: (bytes, whether it sent close_notify)."""
        got = b""
        for _ in range(10000):
            try:
                chunk = self.obj.read(65536)
                if not chunk:  # SSLObject's word for close_notify
                    return got, True
                got += chunk
            except self.ssl.SSLWantReadError:
                self._pump()
            except self.ssl.SSLZeroReturnError:
                return got, True
            except self.ssl.SSLEOFError:
                return got, False
        raise AssertionError("no end")


def case_a_tls_tunnel_half_closes_with_close_notify():
    # #5: the relay shut the client's fd directly, dropping records BearSSL
    # still held and sending no close_notify.
    from test_proxy import UPGRADE, ws_backend
    from test_tls import make_cert
    cert, key = make_cert("ec")
    l, seen = ws_backend()
    p = Portico("--cert", cert, "--cert-key", key, "--vscode-addr", "127.0.0.1:%d" % l.getsockname()[1])
    try:
        s = p.connect(timeout=10)
        t = BioTls(s, cert)
        t.send(UPGRADE + b"x" * 100000 + b";")
        s.shutdown(socket.SHUT_WR)  # a TCP half-close: the backend gets its FIN, answers "bye" and closes
        got, clean = t.read_to_end()
        check(got.startswith(b"HTTP/1.1 101 "), got[:80])
        check(got.endswith(b"X" * 100000 + b";bye"), "lost bytes: %d, ends %r" % (len(got), got[-40:]))
        check(clean, "the tunnel's end came without close_notify")
        check(seen.get("fin"), "the half-close did not reach the backend")
    finally:
        p.stop()
        l.close()


def case_a_preflight_with_a_body_needs_a_login():
    # Found by an adversarial review: with --skip-auth-preflight an OPTIONS
    # carrying a body reached the app without a login, and an app that does
    # not read bodies on OPTIONS ran the body as a request of its own.
    app = FakeBackend()
    p = Portico("--skip-auth-preflight", auth=True, env={"PASSWORD": PW})
    try:
        px = b"/proxy/%d" % app.port
        smuggled = b"GET /private HTTP/1.1\r\nHost: a\r\n\r\n"
        got = exchange(p, b"OPTIONS " + px + b"/ HTTP/1.1\r\nHost: a\r\nContent-Length: %d\r\n\r\n" % len(smuggled)
                       + smuggled)
        check(got.startswith(b"HTTP/1.1 401 "), got[:200])
        got = exchange(p, b"OPTIONS " + px + b"/ HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        check(got.startswith(b"HTTP/1.1 401 "), got[:200])
        check(app.log == [], "the app saw %r" % [e[1] for e in app.log])
        got = exchange(p, b"OPTIONS " + px + b"/ HTTP/1.1\r\nHost: a\r\nOrigin: http://x\r\nConnection: close\r\n\r\n")
        check(len(app.log) == 1, "a real preflight must still pass: %r" % got[:200])
    finally:
        p.stop()
        app.close()


def case_what_the_client_says_about_itself_never_reaches_the_app():
    # Found by an adversarial review: Forwarded and X-Real-IP passed unchanged.
    b, p = serve()
    try:
        exchange(p, b"GET /echo HTTP/1.1\r\nHost: a\r\nForwarded: for=10.0.0.1;host=trusted\r\nX-Real-IP: 10.0.0.1\r\n"
                    b"X-Forwarded-Port: 1\r\nX-Forwarded-Prefix: /x\r\nConnection: close\r\n\r\n")
        names = [k.lower() for k, _ in b.log[0][2]]
        for n in ("forwarded", "x-real-ip", "x-forwarded-port", "x-forwarded-prefix"):
            check(n not in names, "%s reached the app: %r" % (n, b.log[0][2]))
        check(dict((k.lower(), v) for k, v in b.log[0][2])["x-forwarded-for"] == "127.0.0.1", b.log[0][2])
    finally:
        p.stop()
        b.close()


def case_an_http10_keep_alive_client_is_told_through_the_proxy():
    b, p = serve()
    try:
        s = p.connect()
        for _ in range(2):
            s.sendall(b"GET /bytes/100/cl HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            r = read_response(s)
            check(r[0] == 200 and r[1].get("connection") == "keep-alive" and r[2] == pattern(100), r)
        # An answer the app ends by closing cannot keep the connection.
        s.sendall(b"GET /bytes/100/chunked HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        got = recv_all(s, 5)
        check(got.startswith(b"HTTP/1.1 200 ") and b"\r\nConnection: close\r\n" in got, got[:300])
        check(got.split(b"\r\n\r\n", 1)[1] == pattern(100), "the body is not the app's bytes alone")
        s.close()
    finally:
        p.stop()
        b.close()


def case_an_http10_client_never_gets_chunked_framing():
    # Found by an adversarial review: a chunked answer went to an HTTP/1.0
    # client as it was, and a request without Host went on with "Host: ".
    b, p = serve()
    try:
        got = exchange(p, b"GET /bytes/5000/chunked HTTP/1.0\r\n\r\n")
        check(got.startswith(b"HTTP/1.1 200 ") and b"Transfer-Encoding" not in got, got[:300])
        check(got.split(b"\r\n\r\n", 1)[1] == pattern(5000), "the body is not the app's bytes alone")
        seen = b.log[-1]
        check(not any(k.lower() == "host" for k, _ in seen[2]), "a Host was made up: %r" % seen[2])
    finally:
        p.stop()
        b.close()
