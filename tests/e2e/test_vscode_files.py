# SPDX-License-Identifier: MIT
"""The VS Code server's own files answered by portico from the install
(routes/vscode_files.h), against what the real server itself answers for
the same path: the same decoded bytes, status and Cache-Control, the same
Content-Type or the corrected one, for identity, gzip and br clients, over
http and https; and the manners the server lacks (ETag and 304, HEAD, one
range, 400 at once for a malformed escape, 404 for a directory, the guard
in front).  A real workbench load in Chromium (tests/browser/sameness.cjs)
is held against the server answer by answer."""
import gzip
import http.client
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.parse

from harness import Fail, Portico, check, curl
from test_auth import cookie_of, login

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
INSTALL = os.path.join(ROOT, "build/vscode/install/node_modules/code-server/lib/vscode")
SERVER = os.path.join(INSTALL, "out/server-main.js")
PW = "files-pw"
# What a cold workbench load fetches from the install (tests/browser/coldload.cjs), and a few more types.
FILES = [
    "out/vs/code/browser/workbench/workbench.js", "out/vs/code/browser/workbench/workbench.css",
    "out/nls.messages.js", "out/media/codicon.ttf",
    "out/vs/workbench/services/keybinding/browser/keyboardLayouts/layout.contribution.linux.js",
    "out/media/letterpress-light.svg", "out/media/code-icon.svg", "product.json",
    "out/vs/workbench/services/extensions/worker/webWorkerExtensionHostIframe.html",
]
CORRECTED = {".ttf": ("text/plain", "font/ttf")}


def commit():
    with open(os.path.join(INSTALL, "product.json")) as f:
        text = f.read()
    return re.search(r'"quality":\s*"([a-z]+)"', text).group(1) + "-" + re.search(r'"commit":\s*"([0-9a-f]+)"', text).group(1)


class VsCode:
    """The real server on a loopback port, without a token, as portico runs it."""

    def __init__(self, *extra):
        check(os.path.exists(SERVER), "no VS Code server at %s (make check installs it)" % SERVER)
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        self.dir = tempfile.mkdtemp(prefix="portico-vscode-files-")
        self.proc = subprocess.Popen(["node", SERVER, "--host", "127.0.0.1", "--port", str(self.port),
                                      "--without-connection-token", "--accept-server-license-terms",
                                      "--user-data-dir", os.path.join(self.dir, "ud"),
                                      "--extensions-dir", os.path.join(self.dir, "ext"), *extra],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=True)
        for _ in range(300):
            rc, out, _ = curl("http://127.0.0.1:%d/version" % self.port, timeout=2)
            if rc == 0 and out:
                return
            time.sleep(0.1)
        self.stop()
        raise Fail("the VS Code server did not come up")

    def stop(self):
        try:
            os.killpg(self.proc.pid, 15)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)


def fetch(url, *args):
    """(status, headers, body) of one GET, body as sent (not decoded)."""
    rc, out, err = curl("-sk", "-D", "-", "-o", "-", *args, url, timeout=30)
    check(rc == 0, "curl %s: rc %d %r" % (url, rc, err[-200:]))
    head, body = out.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        k, v = line.split(":", 1)
        headers[k.strip().lower()] = v.strip()
    return int(lines[0].split()[1]), headers, body


def decoded(headers, body):
    enc = headers.get("content-encoding", "")
    if enc == "gzip":
        return gzip.decompress(body)
    if enc == "br":
        return subprocess.run(["brotli", "-dc"], input=body, capture_output=True, check=True).stdout
    check(enc == "", "unexpected encoding %r" % enc)
    return body


def served(extra=(), server=()):
    vs = VsCode(*server)
    p = Portico("--vscode-addr", "127.0.0.1:%d" % vs.port, "--vscode-root", INSTALL, *extra, auth=True,
                env={"PASSWORD": PW})
    return vs, p


def compare(vs, p, base, cookie):
    c = commit()
    for rel in FILES:
        for path in ("/%s/static/%s" % (c, rel), "/static/" + rel):
            st0, h0, b0 = fetch("http://127.0.0.1:%d%s" % (vs.port, path))
            check(st0 == 200, "the server answers %s with %d" % (path, st0))
            for enc, want in (("identity", ""), ("gzip", "gzip"), ("gzip, deflate, br", "br")):
                st, h, b = fetch(base + path, "-H", "Cookie: " + cookie, "-H", "Accept-Encoding: " + enc)
                what = "%s (%s)" % (path, enc)
                check(st == 200, "%s: %d" % (what, st))
                check(decoded(h, b) == b0, "%s: the bytes differ from the server's" % what)
                same_headers(what, rel, h, h0, want)


def same_headers(what, rel, h, h0, want):
    """h (portico's answer for rel) against h0 (the server's): the same
    Cache-Control, the same Content-Type or the corrected one, Vary and an
    ETag, and the encoding want ("br", "gzip" or "") where a sibling exists."""
    check(h.get("cache-control") == h0.get("cache-control"), "%s: Cache-Control %r, the server's %r" %
          (what, h.get("cache-control"), h0.get("cache-control")))
    types = CORRECTED.get(os.path.splitext(rel)[1])
    check(h.get("content-type") == (types[1] if types else h0.get("content-type")) and
          (not types or h0.get("content-type") == types[0]),
          "%s: Content-Type %r, the server's %r" % (what, h.get("content-type"), h0.get("content-type")))
    check(h.get("vary") == "Accept-Encoding" and h.get("etag"), "%s: no Vary or ETag: %r" % (what, h))
    sibling = {"br": ".br", "gzip": ".gz"}.get(want)
    expected = want if sibling and os.path.exists(os.path.join(INSTALL, rel + sibling)) else None
    check(h.get("content-encoding") == expected, "%s: sent as %r, wanted %r" % (what, h.get("content-encoding"), expected))


def case_static_files_match_the_server_over_http():
    vs, p = served()
    try:
        cookie = cookie_of(login(p, PW))
        compare(vs, p, "http://127.0.0.1:%d" % p.port, cookie)
        # curl's own negotiation, as a user's curl --compressed would do it.
        rc, out, _ = curl("--compressed", "-H", "Cookie: " + cookie,
                          p.url("/static/out/vs/code/browser/workbench/workbench.js"), timeout=30)
        with open(os.path.join(INSTALL, "out/vs/code/browser/workbench/workbench.js"), "rb") as f:
            check(rc == 0 and out == f.read(), "curl --compressed got other bytes")
    finally:
        p.stop()
        vs.stop()


def https_login(p):
    base = "https://127.0.0.1:%d" % p.port
    rc, out, _ = curl("-sik", "--data-urlencode", "password=" + PW, "--data-urlencode", "base=.",
                      "--data-urlencode", "href=" + base + "/login", base + "/login")
    return cookie_of(out)


def case_static_files_match_the_server_over_https():
    vs, p = served(extra=("--cert",))
    try:
        compare(vs, p, "https://127.0.0.1:%d" % p.port, https_login(p))
    finally:
        p.stop()
        vs.stop()


def case_static_files_manners_and_refusals():
    vs, p = served()
    try:
        cookie = cookie_of(login(p, PW))
        c = commit()
        css = "/%s/static/out/vs/code/browser/workbench/workbench.css" % c
        # The guard comes first: no session, no file.
        st, _, _ = fetch(p.url(css))
        check(st == 401, "a static file without a session: %d" % st)
        auth = ("-H", "Cookie: " + cookie)
        st, h, b = fetch(p.url(css), *auth)
        st304, h304, b304 = fetch(p.url(css), *auth, "-H", "If-None-Match: " + h["etag"])
        check(st304 == 304 and not b304 and h304.get("etag") == h["etag"], "If-None-Match: %d %r" % (st304, h304))
        rc, out, _ = curl("-sI", *auth, p.url(css))
        check(out.startswith(b"HTTP/1.1 200 ") and b"Content-Length: %d" % len(b) in out, "HEAD: %r" % out[:300])
        st, h, part = fetch(p.url(css), *auth, "-H", "Range: bytes=10-19")
        check(st == 206 and part == b[10:20] and h.get("content-range") == "bytes 10-19/%d" % len(b), "range: %d %r" % (st, h))
        # What makes the server hang, or what it should never name, is answered at once.
        for path, want in (("/static/out/%c0%ae%c0%ae/product.json", 400), ("/static/out/%FF", 400),
                           ("/static/out", 404), ("/static/out/media/", 404), ("/static/node_modules/.bin/x", 404),
                           ("/static/%2e%2e/%2e%2e/etc/passwd", 400), ("/static/out/nope.js", 404)):
            t0 = time.monotonic()
            st, _, _ = fetch(p.url(path), *auth)
            check(st == want and time.monotonic() - t0 < 5, "%s: %d, wanted %d" % (path, st, want))
        # Everything else is still the server's: its page, its version, another release's path.
        st, _, body = fetch(p.url("/version"), *auth)
        check(st == 200 and c.split("-", 1)[1].encode() in body, "/version through portico: %d %r" % (st, body[:80]))
        st, _, _ = fetch(p.url("/stable-0000/static/out/nls.messages.js"), *auth)
        check(st == 404, "another release's path went elsewhere: %d" % st)
    finally:
        p.stop()
        vs.stop()


# Request headers that belong to the hop, not to the request, when it is replayed to the server.
HOP = {"host", "cookie", "connection", "keep-alive"}


def replay(url, headers, port=None, keep=()):
    """(status, headers, decoded body) for url's path and query, with headers
    but those of HOP not in keep, from port (default: url's own)."""
    u = urllib.parse.urlsplit(url)
    if port is None and u.scheme == "https":
        c = http.client.HTTPSConnection("127.0.0.1", u.port, timeout=30, context=ssl._create_unverified_context())
    else:
        c = http.client.HTTPConnection("127.0.0.1", port or u.port, timeout=30)
    try:
        c.putrequest("GET", u.path + ("?" + u.query if u.query else ""), skip_accept_encoding=True)
        for k, v in headers.items():
            if (k not in HOP or k in keep) and not k.startswith(":"):
                c.putheader(k, v)
        c.endheaders()
        r = c.getresponse()
        h = {k.lower(): v for k, v in r.getheaders()}
        return r.status, h, decoded(h, r.read())
    finally:
        c.close()


def chromium_answers_match_the_server(extra, scheme):
    folder = tempfile.mkdtemp(prefix="portico-sameness-")
    with open(os.path.join(folder, "hello.txt"), "w") as f:
        f.write("from the sameness test\n")
    out = tempfile.mkdtemp(prefix="portico-sameness-out-")
    vs, p = served(extra=extra, server=("--default-folder", folder))
    try:
        url = "%s://127.0.0.1:%d/" % (scheme, p.port)
        run = subprocess.run(["node", os.path.join(ROOT, "tests/browser/sameness.cjs"), url, PW, "hello.txt", out],
                             capture_output=True, timeout=600,
                             env={**os.environ, "NODE_PATH": os.path.join(ROOT, "tests/browser/node_modules")})
        answers = json.load(open(os.path.join(out, "answers.json")))
        check(run.returncode == 0 and not any("error" in a for a in answers),
              "the browser run failed: %r %s" % ([a for a in answers if "error" in a], run.stderr[-1500:]))
        c = commit()
        cookie = cookie_of(login(p, PW)) if scheme == "http" else https_login(p)
        kept = missing = 0
        for load, want in (("browser", "br"), ("gzip", "gzip"), ("identity", "")):
            these = [a for a in answers if a["load"] == load]
            paths = {urllib.parse.urlsplit(a["url"]).path for a in these}
            check(len(these) >= 8 and "/%s/static/out/vs/code/browser/workbench/workbench.js" % c in paths,
                  "%s load: only %d static answers: %r" % (load, len(these), sorted(paths)))
            for a in these:
                what = "%s (%s load, Accept-Encoding %r)" % (a["url"], load, a["request"].get("accept-encoding"))
                st0, h0, b0 = replay(a["url"], a["request"], port=vs.port)
                check(a["status"] == st0, "%s: status %d, the server's %d" % (what, a["status"], st0))
                if st0 != 200:  # a file the install lacks (vsda): portico's error page, not the server's
                    missing += 1
                    continue
                if a["body"]:
                    with open(os.path.join(out, a["body"]), "rb") as f:
                        body = f.read()
                else:  # a frame that navigated away took it along (and its headers' Cookie): again
                    kept += 1
                    body = replay(a["url"], {**a["request"], "cookie": cookie}, keep=("cookie",))[2]
                check(body == b0, "%s: the bytes Chromium decoded differ from the server's" % what)
                rel = urllib.parse.unquote(urllib.parse.urlsplit(a["url"]).path.split("/static/", 1)[1])
                same_headers(what, rel, a["headers"], h0, want)
        check(kept * 4 < len(answers) and missing * 4 < len(answers),
              "of %d answers, %d bodies were not kept by the browser, %d files missing" % (len(answers), kept, missing))
    finally:
        p.stop()
        vs.stop()
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)


def case_chromium_workbench_load_matches_the_server_over_http():
    chromium_answers_match_the_server((), "http")


def case_chromium_workbench_load_matches_the_server_over_https():
    chromium_answers_match_the_server(("--cert",), "https")
