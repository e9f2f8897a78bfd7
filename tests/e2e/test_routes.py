# SPDX-License-Identifier: MIT
"""Routes: /healthz, robots and security.txt, /_static, the 404 renderer."""
import json
import time

from harness import Portico, check, curl, exchange, parse_responses


def case_healthz_json_and_heartbeat():
    p = Portico()
    try:
        rc, out, _ = curl("-i", p.url("/healthz"))
        check(rc == 0, "curl failed")
        head, _, body = out.partition(b"\r\n\r\n")
        check(head.startswith(b"HTTP/1.1 200 OK"), head)
        check(b"Content-Type: application/json" in head, head)
        check(json.loads(body) == {"status": "expired", "lastHeartbeat": 0}, body)
        # /healthz itself does not beat; anything else does.
        curl(p.url("/healthz/"))
        check(json.loads(curl(p.url("/healthz"))[1])["lastHeartbeat"] == 0, "healthz beat")
        before = int(time.time() * 1000)
        curl(p.url("/anything"))
        h = json.loads(curl(p.url("/healthz"))[1])
        check(h["status"] == "alive", h)
        check(before - 1000 <= h["lastHeartbeat"] <= int(time.time() * 1000) + 1000, h)
    finally:
        p.stop()


def case_head_gets_headers_only():
    p = Portico()
    try:
        data = exchange(p, b"HEAD /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        r = parse_responses(data, head_only=True)
        check(len(r) == 1 and r[0][0] == 200, data)
        check(r[0][1]["content-length"] == "38", r[0][1])
        check(data.endswith(b"\r\n\r\n"), "HEAD response has a body: %r" % data)
    finally:
        p.stop()


def case_well_known_files():
    p = Portico()
    try:
        for path in ("/robots.txt", "/security.txt", "/.well-known/security.txt"):
            rc, out, _ = curl("-i", p.url(path))
            check(out.startswith(b"HTTP/1.1 200 "), (path, out[:100]))
            check(b"Content-Type: text/plain; charset=utf-8" in out, out)
        check(curl(p.url("/robots.txt"))[1] == b"User-Agent: *\nDisallow: /\n", "robots body")
        r = parse_responses(exchange(p, b"POST /robots.txt HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
        check(r[0][0] == 405 and r[0][1]["allow"] == "GET, HEAD", r[0])
    finally:
        p.stop()


def case_static_assets_are_the_www_files():
    p = Portico()
    try:
        for name in ("portico.css", "error.html", "robots.txt"):
            with open("www/" + name, "rb") as f:
                want = f.read()
            rc, out, _ = curl(p.url("/_static/" + name))
            check(rc == 0 and out == want, "/_static/%s differs from www/%s" % (name, name))
        rc, out, _ = curl("-I", p.url("/_static/portico.css"))
        check(b"Content-Type: text/css; charset=utf-8" in out, out)
        rc, out, _ = curl("-i", p.url("/_static/nope.css"))
        check(out.startswith(b"HTTP/1.1 404 "), out[:60])
        r = parse_responses(exchange(p, b"DELETE /_static/portico.css HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"))
        check(r[0][0] == 405, r[0])
    finally:
        p.stop()


def case_not_found_json_and_html():
    p = Portico("--app-name", "Ide <&>")
    try:
        rc, out, _ = curl("-i", p.url("/no/such/thing"))
        head, _, body = out.partition(b"\r\n\r\n")
        check(head.startswith(b"HTTP/1.1 404 Not Found"), head)
        check(b"Content-Type: application/json" in head, head)
        check(json.loads(body) == {"error": "Not Found"}, body)
        rc, out, _ = curl("-i", "-H", "Accept: text/html,application/xhtml+xml,*/*;q=0.8", p.url("/no/such/"))
        head, _, body = out.partition(b"\r\n\r\n")
        check(b"Content-Type: text/html; charset=utf-8" in head, head)
        check(b"Content-Security-Policy:" in head, head)
        check(b"<title>404 - Ide &lt;&amp;&gt;</title>" in body, body[:300])
        check(b'href="./../../"' in body, "home link is not relative: %r" % body)
        check(int(dict(l.split(b": ", 1) for l in head.split(b"\r\n")[1:])[b"Content-Length"]) == len(body),
              "Content-Length does not match the body")
    finally:
        p.stop()

