# SPDX-License-Identifier: MIT
"""The box's own web apps through portico: /proxy/<port>, /absproxy/<port>
and --proxy-domain, against a real app (Python's http.server) and a real
WebSocket echo server (python-websockets); every refusal proven not to
reach the app."""
import hashlib
import json
import os
import socket
import subprocess
import tempfile

from harness import Portico, check, curl
from test_auth import cookie_of, header, login, status
from test_websocket import REFERENCE
from web_app import WebApp
from wsclient import CLOSE, TEXT, Conn, frame

PW = "correct horse"
DOMAIN = "ide.test"


def start(*flags, auth=True):
    return Portico(*flags, auth=auth, env={"PASSWORD": PW})


def session(p):
    return cookie_of(login(p))


def get(p, path, cookie=None, host=None, accept=None, method=None, extra=()):
    args = ["-si"]
    if cookie:
        args += ["-H", "Cookie: " + cookie]
    if host:
        args += ["-H", "Host: " + host]
    if accept:
        args += ["-H", "Accept: " + accept]
    if method:
        args += ["-X", method]
    return curl(*args, *extra, p.url(path))[1]


def body(resp):
    return resp.split(b"\r\n\r\n", 1)[1]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def case_path_proxy_pages_redirects_cookies_bodies():
    app = WebApp()
    p = start("--abs-proxy-base-path", "/base/")
    try:
        c = session(p)
        px = "/proxy/%d" % app.port
        r = get(p, px + "/echo?q=1&r=%2F", cookie="a=1; %s; b=x%%20y" % c)
        seen = json.loads(body(r))
        check(status(r) == 200 and seen["path"] == "/echo?q=1&r=%2F", r)
        check(seen["cookie"] == ["a=1; b=x%20y"], "the session cookie reached the app, or others changed: %r" % seen)
        check(seen["host"] == "127.0.0.1:%d" % p.port, seen)
        r = get(p, px, cookie=c)
        check(status(r) == 200 and b"big.bin" in body(r), r[:300])
        # Redirects from the app's root come back under the prefix; others untouched.
        check(header(get(p, px + "/redirect", cookie=c), "Location") == px + "/landing?x=1", "Location not rewritten")
        check(header(get(p, px + "/dir", cookie=c), "Location") == px + "/dir/", "directory redirect not rewritten")
        check(header(get(p, px + "/away", cookie=c), "Location") == "https://example.org/elsewhere", "absolute Location")
        check(header(get(p, px + "/setcookie", cookie=c), "Set-Cookie") == "app=1; Path=/; HttpOnly", "Set-Cookie")
        # absproxy: the whole path, the base path in front, no Location rewriting.
        r = get(p, "/absproxy/%d/echo" % app.port, cookie=c)
        check(json.loads(body(r))["path"] == "/base/absproxy/%d/echo" % app.port, r)
        # A big file down, big bodies up (both framings), on kept-alive connections.
        rc, out, err = curl("-v", "-H", "Cookie: " + c, p.url(px + "/big.bin"), p.url(px + "/echo"), timeout=60)
        check(rc == 0 and hashlib.sha256(out[:20 << 20]).hexdigest() == app.big_sha, "20 MiB download differs")
        check(b"Re-using existing connection" in err, "no keep-alive through the port proxy")
        up = os.path.join(tempfile.mkdtemp(), "up")
        with open(up, "wb") as f:
            f.write(os.urandom(16 << 20))
        with open(up, "rb") as f:
            want = hashlib.sha256(f.read()).hexdigest()
        for framing in ((), ("-H", "Transfer-Encoding: chunked")):
            rc, out, _ = curl("-H", "Cookie: " + c, *framing, "--data-binary", "@" + up, p.url(px + "/upload"), timeout=60)
            check(rc == 0 and json.loads(out)["sha"] == want, "16 MiB upload %r: %r" % (framing, out[:200]))
    finally:
        p.stop()
        app.close()


def case_every_port_parsing_case():
    app = WebApp(big=1)
    p = start()
    try:
        c = session(p)
        n = len(app.seen)
        for bad in ("80abc", "0", "65536", "-1", "+80", "080", "99999", "", "0x50"):
            for prefix in ("/proxy/", "/absproxy/"):
                r = get(p, prefix + bad + "/x", cookie=c)
                check(status(r) == 400 and b"Invalid port" in body(r), (prefix + bad, r[:200]))
        r = get(p, "/proxy/80abc/", cookie=c, accept="text/html")
        check(status(r) == 400 and b"<html" in body(r).lower(), "400 page for browsers")
        check(len(app.seen) == n, "a bad port reached an app")
        r = get(p, "/proxy/%d/proxy/%d/healthz" % (p.port, p.port), cookie=c)
        check(status(r) == 403 and b"portico itself" in body(r), "proxying to itself: %r" % r[:200])
        r = get(p, "/proxy/%d/echo" % app.port, cookie=c)
        check(status(r) == 200, r[:200])
    finally:
        p.stop()
        app.close()


def case_unauthenticated_is_refused_on_every_route():
    app = WebApp(big=1)
    echo = subprocess.Popen(["/usr/bin/python3", "-c", REFERENCE], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    p = start("--proxy-domain", DOMAIN)
    try:
        wport = int(echo.stdout.readline())
        px = "/proxy/%d" % app.port
        # The app's root sends a browser to the login page, and back after it.
        for path in (px, px + "/", "/absproxy/%d/" % app.port):
            r = get(p, path, accept="text/html")
            loc = header(r, "Location") or ""
            check(status(r) == 302 and loc.startswith("./") and loc.endswith("/login?to=" + path), (path, r[:300]))
        r = login(p, to=px + "/")
        check(status(r) == 302 and header(r, "Location") == "." + px + "/", r[:300])
        for path, accept in ((px + "/echo", None), (px + "/echo", "text/html"), ("/absproxy/%d/echo" % app.port, None)):
            r = get(p, path, accept=accept)
            check(status(r) == 401, (path, r[:200]))
        for method in ("POST", "PUT", "DELETE", "OPTIONS"):
            check(status(get(p, px + "/", method=method)) == 401, method)
        host = "%d.%s" % (app.port, DOMAIN)
        check(status(get(p, "/echo", host=host)) == 401, "domain, not a page")
        r = get(p, "/deep/page?x=1", host=host, accept="text/html")
        check(status(r) == 302 and header(r, "Location") == "./../login?to=/deep/page%3Fx%3D1", r[:300])
        r = get(p, "/login", host=host, accept="text/html")
        check(status(r) == 200 and b"password" in body(r), "no login page on the app's host")
        check(status(get(p, "/echo", host=host, cookie="code-server-session=forged")) == 401, "forged cookie")
        check(not app.seen, "an unauthenticated request reached the app: %r" % app.seen)
        # WebSockets: 401 without a session, on the path and the domain.
        for path, hdrs in (("/proxy/%d/" % wport, {}), ("/", {"Host": "%d.%s" % (wport, DOMAIN)})):
            try:
                Conn(p.port, path=path, headers=hdrs)
                check(False, "an unauthenticated WebSocket got through: %s %r" % (path, hdrs))
            except Exception as e:
                check("401" in str(e), (path, str(e)))
    finally:
        p.stop()
        app.close()
        echo.kill()
        echo.wait()


def case_disabled_and_preflight():
    app = WebApp(big=1)
    p = start("--disable-proxy", "--proxy-domain", DOMAIN)
    try:
        c = session(p)
        for path, host in (("/proxy/%d/echo" % app.port, None), ("/absproxy/%d/echo" % app.port, None),
                           ("/echo", "%d.%s" % (app.port, DOMAIN))):
            r = get(p, path, cookie=c, host=host)
            check(status(r) == 403 and b"disable-proxy" in body(r), (path, r[:200]))
        try:
            Conn(p.port, path="/proxy/%d/" % app.port, headers={"Cookie": c})
            check(False, "a WebSocket got through --disable-proxy")
        except Exception as e:
            check("403" in str(e), str(e))
        check(not app.seen, "a request reached the app with the proxy off")
    finally:
        p.stop()
    p = start("--skip-auth-preflight", "--proxy-domain", DOMAIN)
    try:
        r = get(p, "/proxy/%d/echo" % app.port, method="OPTIONS")
        check(status(r) == 204 and header(r, "Access-Control-Allow-Origin") == "*", r[:300])
        r = get(p, "/echo", host="%d.%s" % (app.port, DOMAIN), method="OPTIONS")
        check(status(r) == 204, r[:300])
        check(status(get(p, "/proxy/%d/echo" % app.port)) == 401, "GET must still need a login")
        check([s[0] for s in app.seen] == ["OPTIONS", "OPTIONS"], app.seen)
    finally:
        p.stop()
        app.close()


def case_domain_proxy_keeps_the_path_and_any_external_port():
    app = WebApp(big=1)
    p = start("--proxy-domain", "*." + DOMAIN, "--proxy-domain", "{{port}}-{{host}}.lan")
    try:
        c = session(p)
        for host in ("%d.%s" % (app.port, DOMAIN), "%d.%s:8443" % (app.port, DOMAIN.upper()),
                     "%d-box.lan" % app.port):
            r = get(p, "/proxy/1/echo?a=b", cookie=c, host=host)
            check(status(r) == 200 and json.loads(body(r))["path"] == "/proxy/1/echo?a=b", (host, r[:300]))
        r = get(p, "/redirect", cookie=c, host="%d.%s" % (app.port, DOMAIN))
        check(header(r, "Location") == "/landing?x=1", "a domain proxy must not rewrite Location")
        r = get(p, "/echo", cookie=c, extra=("-H", "X-Forwarded-Host: %d.%s" % (app.port, DOMAIN)))
        check(status(r) == 200 and json.loads(body(r))["path"] == "/echo", "X-Forwarded-Host")
    finally:
        p.stop()
        app.close()


def case_one_login_covers_the_apps_hosts():
    """A login on the IDE's domain (or on an app's host) sets the cookie for
    the domain, so the apps' hosts share it; other hosts get no Domain."""
    app = WebApp(big=1)
    p = start("--proxy-domain", DOMAIN)
    try:
        for host in (DOMAIN, "%d.%s:8443" % (app.port, DOMAIN)):
            r = login(p, extra=("-H", "Host: " + host))
            check(status(r) == 302 and "; Domain=%s" % DOMAIN in header(r, "Set-Cookie"), (host, r[:400]))
        c = cookie_of(r)
        r = get(p, "/echo", cookie=c, host="%d.%s" % (app.port, DOMAIN))
        check(status(r) == 200, "the shared cookie does not open the app's host")
        r = login(p)
        check("Domain=" not in header(r, "Set-Cookie"), "a Domain for a host outside the proxy domain")
        r = get(p, "/logout", cookie=c, host=DOMAIN)
        check("Max-Age=0" in header(r, "Set-Cookie") and "; Domain=%s" % DOMAIN in header(r, "Set-Cookie"),
              "logout must clear the domain cookie: %r" % r[:400])
    finally:
        p.stop()
        app.close()


def ws_echo_case(*flags):
    echo = subprocess.Popen(["/usr/bin/python3", "-c", REFERENCE], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    p = start("--proxy-domain", DOMAIN, *flags)
    try:
        wport = int(echo.stdout.readline())
        c = session(p)
        for path, host in (("/proxy/%d/" % wport, "127.0.0.1:%d" % p.port), ("/absproxy/%d/" % wport, "127.0.0.1"),
                           ("/any/path", "%d.%s" % (wport, DOMAIN))):
            ws = Conn(p.port, path=path, headers={"Cookie": c, "Host": host, "Origin": "http://" + host})
            for msg in (b"hello", os.urandom(100000).hex().encode()):
                ws.send(frame(TEXT, msg))
                op, got = ws.read_frame()
                check(op == TEXT and got == msg, "echo through %s %s" % (host, path))
            ws.send(frame(CLOSE, b"\x03\xe8"))
            check(ws.read_frame()[0] == CLOSE, "close")
            ws.close()
        # A foreign Origin is refused before the app is asked.
        try:
            Conn(p.port, path="/proxy/%d/" % wport, headers={"Cookie": c, "Origin": "http://evil.example"})
            check(False, "a foreign Origin got through")
        except Exception as e:
            check("403" in str(e), str(e))
    finally:
        p.stop()
        echo.kill()
        echo.wait()


def case_websocket_echo_spliced():
    ws_echo_case()


def case_websocket_echo_copied():
    ws_echo_case("--no-splice")


def case_an_app_on_ipv6_loopback_alone_is_reached():
    """Dev servers told "localhost" often listen on ::1 only."""
    app = WebApp(big=1, v6=True)
    p = start()
    try:
        c = session(p)
        for _ in range(2):  # the second on a pooled connection
            r = get(p, "/proxy/%d/echo" % app.port, cookie=c)
            check(status(r) == 200 and json.loads(body(r))["path"] == "/echo", r[:300])
    finally:
        p.stop()
        app.close()


def case_refused_upstream_is_a_502_naming_the_port():
    p = start()
    try:
        c = session(p)
        port = free_port()
        r = get(p, "/proxy/%d/" % port, cookie=c)
        check(status(r) == 502 and b"the app on port %d cannot be reached" % port in body(r), r[:300])
        r = get(p, "/proxy/%d/" % port, cookie=c, accept="text/html")
        check(status(r) == 502 and b"port %d" % port in body(r), r[:300])
    finally:
        err = p.stop()
    check(b"127.0.0.1:%d" % port in err, "the log does not name the target")
