# SPDX-License-Identifier: MIT
"""Nothing outside www/ (or --static-dir) can be read, however it is asked for."""
import os
import tempfile

from harness import Portico, check, exchange, parse_responses

PROBES = [
    "/_static/../../../../etc/passwd", "/_static/..%2f..%2fetc%2fpasswd", "/_static/%2e%2e/%2e%2e/etc/passwd",
    "/_static/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/_static/%252e%252e%252fetc%252fpasswd", "/_static/..%5c..%5cetc",
    "/_static/..\\..\\etc\\passwd", "/_static/%c0%ae%c0%ae/etc/passwd", "/_static/..%00/etc/passwd",
    "/_static/.%2e/.%2e/etc/passwd", "/_static//../canary", "/_static/./../canary", "/_static/a/../../canary",
    "/_static/%2e%2e", "/_static/..", "/_static/link-out", "/_static/dir-out/canary", "/_static/.hidden",
    "/_static/sub/../../canary", "/_static/%00", "/../canary", "/_static", "/_static/",
]


def case_no_probe_escapes():
    top = tempfile.mkdtemp()
    token = os.urandom(8).hex().encode()
    with open(os.path.join(top, "canary"), "wb") as f:
        f.write(token)
    root = os.path.join(top, "www")
    os.makedirs(os.path.join(root, "sub"))
    with open(os.path.join(root, "sub", "ok.txt"), "wb") as f:
        f.write(b"inside")
    with open(os.path.join(root, ".hidden"), "wb") as f:
        f.write(token)
    os.symlink(os.path.join(top, "canary"), os.path.join(root, "link-out"))
    os.symlink(top, os.path.join(root, "dir-out"))
    for args in ([], ["--static-dir", root]):
        p = Portico(*args)
        try:
            for probe in PROBES:
                data = exchange(p, b"GET " + probe.encode("latin-1") + b" HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
                check(token not in data and b"root:" not in data, "%s leaked with %s" % (probe, args))
                status = parse_responses(data)[0][0]
                check(status in (400, 404), "%s: status %d with %s" % (probe, status, args))
            if args:
                data = exchange(p, b"GET /_static/sub/ok.txt HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
                r = parse_responses(data)[0]
                check(r[0] == 200 and r[2] == b"inside", r)
        finally:
            p.stop()
