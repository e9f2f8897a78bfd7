#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# seed_http.py — writes tests/fuzz/corpus/http_parser/ from the parser's case
# files (tests/data/http/*.txt) plus the cases below, each with the control
# bytes tests/fuzz/http_parser.cpp reads from the end of its input: reads of
# 256 bytes (or 1, for the "-bytes" copies) and the default limits.
#   /usr/bin/python3 tests/fuzz/seed_http.py
import glob
import os
import re

EXTRA = {
    "trailers-pipelined": b"POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                          b"5\r\nhello\r\n0\r\nX-T: 1\r\nY: 2\r\n\r\nGET /n HTTP/1.1\r\nHost: a\r\n\r\n",
    "upgrade-h2c-pipelined": b"GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"
                             b"GET /2 HTTP/1.1\r\nHost: a\r\n\r\n",
    "upgrade-websocket": b"GET /ws HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade\r\n"
                         b"Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n\x81\x80abcd",
    "absolute-form-no-path": b"GET http://a:1 HTTP/1.1\r\nHost: a:1\r\n\r\n",
    "absolute-form-query": b"GET https://a?x=1 HTTP/1.1\r\nHost: a\r\n\r\n",
    "expect-continue": b"POST /login HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc"
                       b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    "http10-keep-alive": b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.0\r\n\r\n",
    "cookies": b"GET /?a=1&b=%20 HTTP/1.1\r\nHost: [::1]:8080\r\nCookie: a=1; code-server-session=x\r\n"
               b"Accept: text/html\r\n\r\n",
}


def unescape(s):
    out = bytearray()
    i = 0
    while i < len(s):
        c = s[i]
        if c != "\\" or i + 1 == len(s):
            out += c.encode()
            i += 1
            continue
        e = s[i + 1]
        i += 2
        if e == "x":
            out.append(int(s[i:i + 2], 16))
            i += 2
        else:
            out += {"r": b"\r", "n": b"\n", "t": b"\t", "0": b"\0"}.get(e, e.encode())
    return bytes(out)


def cases():
    for path in sorted(glob.glob("tests/data/http/*.txt")):
        name, data = None, b""
        for line in open(path, encoding="utf-8"):
            line = line.rstrip("\n")
            if line.startswith("@ "):
                if name:
                    yield name, data
                name, data = line[2:], b""
            elif line.startswith("< "):
                data += unescape(line[2:])
        if name:
            yield name, data
    yield from EXTRA.items()


# Read from the end: max_head 4096 (2 bytes), max_url 4096 (2), max_headers
# 100 (1), then one byte per read (0xff: 256 bytes, 0x00: 1 byte).
LIMITS = bytes([0x63, 0xFF, 0x0F, 0xC0, 0x0F])

out = "tests/fuzz/corpus/http_parser"
os.makedirs(out, exist_ok=True)
for name, data in cases():
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    with open(f"{out}/{slug}", "wb") as f:
        f.write(data + b"\xff" * ((len(data) + 255) // 256) + LIMITS)
    if len(data) <= 120 and ("chunk" in slug or "pipelined" in slug):
        with open(f"{out}/{slug}-bytes", "wb") as f:
            f.write(data + b"\x00" * len(data) + LIMITS)
