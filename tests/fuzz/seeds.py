#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# seeds.py — writes the seeds of the harnesses whose input is a byte stream
# plus control bytes read from its end: the reads (the largest a harness
# takes, 1 byte each for the "-bytes" copies, or as listed) and the limits.
#   tests/fuzz/corpus/http_parser/    the parser's case files
#                                     (tests/data/http/*.txt) and REQUESTS
#   tests/fuzz/corpus/http_response/  RESPONSES
#   tests/fuzz/corpus/ws_frame/       FRAMES
#   tests/fuzz/corpus/form/           FORMS
#   /usr/bin/python3 tests/fuzz/seeds.py
import glob
import os
import re

REQUESTS = {
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

# A read list after the bytes: those reads, in order.
RESPONSES = {
    "length": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello",
    "chunked-trailers": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X\r\n\r\n"
                        b"5\r\nhello\r\n0\r\nX: 1\r\n\r\n",
    "close-delimited": b"HTTP/1.0 200 OK\r\nServer: x\r\n\r\nuntil the end",
    "hop-by-hop": b"HTTP/1.1 302 Found\r\nConnection: keep-alive, X-Hop\r\nKeep-Alive: timeout=5\r\n"
                  b"X-Hop: 1\r\nUpgrade: h2c\r\nProxy-Authenticate: Basic\r\nLocation: /login?to=%2F\r\n"
                  b"Set-Cookie: a=1\r\nContent-Length: 0\r\n\r\n",
    "location-absolute": b"HTTP/1.1 301 Moved\r\nLocation: //evil.example/\r\nLocation: http://a/\r\n"
                         b"Content-Length: 0\r\n\r\n",
    "no-content": b"HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\nETag: x\r\n\r\n",
    "continue-then-ok": b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    "switching": b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
    "no-reason": b"HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n",
    # Found by the harness; they fail until src/proxy mends them (see
    # tests/fuzz/README).
    "split-head": (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", [9, 256]),
    "leading-empty-line": b"\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    "obs-fold": b"HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 2\r\n\r\nok",
    "status-leading-zero": b"HTTP/1.1 0200 OK\r\nContent-Length: 2\r\n\r\nok",
}


MASK = bytes([0x37, 0xFA, 0x21, 0x3D])


def masked(first, payload):
    """A client frame: `first` (FIN, RSV, opcode), then the masked payload."""
    n = len(payload)
    size = bytes([0x80 | n]) if n < 126 else bytes([0xFE]) + n.to_bytes(2, "big")
    return bytes([first]) + size + MASK + bytes(b ^ MASK[i % 4] for i, b in enumerate(payload))


FRAMES = {
    "text-hello": masked(0x81, b"Hello"),
    "fragmented-with-ping": masked(0x01, "h\u00e9".encode()) + masked(0x89, b"ping") + masked(0x80, "\u20ac!".encode()),
    "utf8-split-across-frames": masked(0x01, b"\xf0\x9f") + masked(0x80, b"\x98\x80"),
    "utf8-bad": masked(0x81, b"\xed\xa0\x80") + masked(0x81, b"\xc0\xaf"),
    "binary-126": masked(0x82, bytes(range(256)) * 2),
    "length-64bit": bytes([0x82, 0xFF]) + (1 << 62).to_bytes(8, "big") + MASK + b"abc",
    "close-1000": masked(0x88, b"\x03\xe8bye"),
    "server-unmasked": bytes([0x81, 0x02]) + b"hi" + bytes([0xC1, 0x00]),
}


# form: the text, where it splits into path and target, the key's index in
# form.cpp's kKeys (0 password, 2 base, 4 the session cookie).
FORMS = {
    "urlencoded": (b"password=hunter2&base=.%2F&href=http%3A%2F%2Fa%2Fb%2F&to=%2Fx+y", 0, 0),
    "json": (b'{"base": "./x", "password": "p\\u00e9\\ud83d\\ude00\\n", "n": 1}', 0, 0),
    "cookie": (b'a=1; code-server-session="tok"; b=2', 4, 0),
    "location": (b"/a/b///evil.example/x?y=1#z\\w%00", 0, 5),
    "cookie-path": (b"../x/./yhttps://h/p/q/r?s", 2, 8),
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
    yield from REQUESTS.items()


def framed(data, reads=None, most=256):
    """The bytes, then one size byte per read (the first read's last)."""
    sizes = reads or [most] * ((len(data) + most - 1) // most)
    return data + bytes(n - 1 for n in reversed(sizes))


# Read from the end.  http_parser: max_head 4096 (2 bytes), max_url 4096 (2),
# max_headers 100 (1).  http_response: chunk 4096 (2), client buffer 4096 (2),
# not HEAD (1), Location prefix "/proxy/3000" (1).
PARSER_LIMITS = bytes([0x63, 0xFF, 0x0F, 0xC0, 0x0F])
RESPONSE_LIMITS = bytes([0x01, 0x00, 0x00, 0x10, 0xC0, 0x0F])
# ws_frame: no shift (1), a length (8), opcode 1 (1) for the round trip.
FRAME_TAIL = bytes([0x00]) + (300).to_bytes(8, "big") + bytes([0x01])


def slug(name):
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def save(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


for name, data in cases():
    path = "tests/fuzz/corpus/http_parser/" + slug(name)
    save(path, framed(data) + PARSER_LIMITS)
    if len(data) <= 120 and ("chunk" in path or "pipelined" in path):
        save(path + "-bytes", framed(data, [1] * len(data)) + PARSER_LIMITS)
for name, value in RESPONSES.items():
    data, reads = value if isinstance(value, tuple) else (value, None)
    save("tests/fuzz/corpus/http_response/" + name, framed(data, reads) + RESPONSE_LIMITS)
for name, data in FRAMES.items():
    save("tests/fuzz/corpus/ws_frame/" + name, framed(data, None, 64) + FRAME_TAIL)
    save("tests/fuzz/corpus/ws_frame/" + name + "-bytes", framed(data, [1] * len(data)) + FRAME_TAIL)
for name, (text, key, cut) in FORMS.items():
    # From the end: the key (1 byte), the buffer size 64 (2), the cut (2).
    save("tests/fuzz/corpus/form/" + name, text + bytes([cut & 255, cut >> 8, 64, 0, key]))
