# SPDX-License-Identifier: MIT
"""/healthz over WebSocket: a conformance table after Autobahn's categories 1-7
and 9, each case delivered four ways; the route table's refusals; and the
expected close codes calibrated against python-websockets."""
import json
import os
import socket
import subprocess
import sys
import time

from harness import Fail, Portico, check, exchange
from wsclient import BINARY, CLOSE, CONT, PING, PONG, TEXT, Conn, close_payload, frame, request

F = frame
CAP = 1 << 20  # the default --ws-max-message
HEALTH = ("health",)


def CLOSED(code):
    return ("close", code)


def PONGED(payload):
    return ("pong", payload)


KOSME = "κόσμε".encode()
BAD_UTF8 = KOSME + b"\xed\xa0\x80edited"   # a UTF-16 surrogate


def cases():
    c = []
    # 1 Framing
    for n in (0, 125, 126, 127, 128, 65535, 65536):
        c.append(("1.1 text %d" % n, [F(TEXT, b"*" * n)], [HEALTH]))
        c.append(("1.2 binary %d" % n, [F(BINARY, b"\xfe" * n)], [HEALTH]))
    # 2 Pings and pongs
    c.append(("2.1 ping, no payload", [F(PING)], [PONGED(b"")]))
    c.append(("2.3 ping, binary payload", [F(PING, bytes(range(8)))], [PONGED(bytes(range(8)))]))
    c.append(("2.4 ping, 125 bytes", [F(PING, b"p" * 125)], [PONGED(b"p" * 125)]))
    c.append(("2.5 ping, 126 bytes", [F(PING, b"p" * 126)], [CLOSED(1002)]))
    c.append(("2.6 unsolicited pong, then text", [F(PONG, b"u"), F(TEXT, b"x")], [HEALTH]))
    c.append(("2.10 ten pings", [F(PING, b"%d" % i) for i in range(10)], [PONGED(b"%d" % i) for i in range(10)]))
    # 3 Reserved bits
    for rsv in (1, 2, 3, 4, 5, 6, 7):
        c.append(("3.%d RSV=%d" % (rsv, rsv), [F(TEXT, b"a", rsv=rsv)], [CLOSED(1002)]))
    c.append(("3.x RSV on a ping after a good frame", [F(TEXT, b"a"), F(PING, b"b", rsv=4), F(PING, b"c")],
              [HEALTH, CLOSED(1002)]))
    # 4 Opcodes
    for op in (3, 4, 5, 6, 7, 11, 12, 13, 14, 15):
        c.append(("4.x opcode %d" % op, [F(op, b"z")], [CLOSED(1002)]))
    c.append(("4.x opcode 5 after a good frame", [F(TEXT, b"a"), F(5, b"b"), F(PING)], [HEALTH, CLOSED(1002)]))
    # 5 Fragmentation
    c.append(("5.1 fragmented ping", [F(PING, b"a", fin=False), F(CONT, b"b")], [CLOSED(1002)]))
    c.append(("5.2 fragmented pong", [F(PONG, b"a", fin=False), F(CONT, b"b")], [CLOSED(1002)]))
    c.append(("5.3 text in two fragments", [F(TEXT, b"frag", fin=False), F(CONT, b"ment")], [HEALTH]))
    c.append(("5.6 ping between fragments", [F(TEXT, b"a", fin=False), F(PING, b"p"), F(CONT, b"b")],
              [PONGED(b"p"), HEALTH]))
    c.append(("5.9 continuation with nothing to continue", [F(CONT, b"a")], [CLOSED(1002)]))
    c.append(("5.15 text inside a fragmented message", [F(TEXT, b"a", fin=False), F(TEXT, b"b")], [CLOSED(1002)]))
    c.append(("5.x fifty fragments", [F(TEXT, b"a", fin=False)] + [F(CONT, b"b", fin=False)] * 50 + [F(CONT, b"c")],
              [HEALTH]))
    c.append(("5.x empty fragments", [F(BINARY, b"", fin=False), F(CONT, b"", fin=False), F(CONT, b"")], [HEALTH]))
    # 6 UTF-8
    c.append(("6.2 valid, split inside a code point", [F(TEXT, KOSME[:3], fin=False), F(CONT, KOSME[3:])], [HEALTH]))
    c.append(("6.3 invalid text", [F(TEXT, BAD_UTF8)], [CLOSED(1007)]))
    c.append(("6.4 fail fast on the first fragment", [F(TEXT, KOSME + b"\xf4\x90\x80\x80", fin=False)], [CLOSED(1007)]))
    c.append(("6.x overlong form", [F(TEXT, b"\xc0\xaf")], [CLOSED(1007)]))
    c.append(("6.x text ends inside a code point", [F(TEXT, KOSME[:3])], [CLOSED(1007)]))
    c.append(("6.x binary is not UTF-8-checked", [F(BINARY, b"\xff\xfe\xfd")], [HEALTH]))
    # 7 Close
    c.append(("7.1.1 close, no payload", [F(CLOSE)], [CLOSED(None)]))
    c.append(("7.1.2 nothing after close", [F(CLOSE, close_payload(1000)), F(TEXT, b"a"), F(PING)], [CLOSED(1000)]))
    c.append(("7.3.2 close payload of one byte", [F(CLOSE, b"\x03")], [CLOSED(1002)]))
    c.append(("7.3.5 close reason of 123 bytes", [F(CLOSE, close_payload(1000, b"r" * 123))], [CLOSED(1000)]))
    c.append(("7.3.6 close payload of 126 bytes", [F(CLOSE, close_payload(1000, b"r" * 124))], [CLOSED(1002)]))
    c.append(("7.5.1 close reason not UTF-8", [F(CLOSE, close_payload(1000, BAD_UTF8))], [CLOSED(1007)]))
    for code in (1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999):
        c.append(("7.7 close code %d" % code, [F(CLOSE, close_payload(code))], [CLOSED(code)]))
    for code in (0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999):
        c.append(("7.9 invalid close code %d" % code, [F(CLOSE, close_payload(code))], [CLOSED(1002)]))
    # Masking (RFC 6455 5.1)
    c.append(("unmasked client frame", [F(TEXT, b"a", mask=False)], [CLOSED(1002)]))
    # 9 Limits: the cap and one over it, whole and fragmented, and a 2^63 length.
    c.append(("9.x message at the cap", [F(BINARY, b"\x00" * CAP)], [HEALTH]))
    c.append(("9.x message at the cap in fragments",
              [F(BINARY, b"\x00" * (CAP // 2), fin=False), F(CONT, b"\x00" * (CAP // 2))], [HEALTH]))
    c.append(("9.x one byte over the cap", [F(BINARY, b"", length=CAP + 1)], [CLOSED(1009)]))
    c.append(("9.x over the cap in fragments", [F(BINARY, b"\x00" * CAP, fin=False), F(CONT, b"", length=1)],
              [CLOSED(1009)]))
    c.append(("9.x 2^63 length", [F(BINARY, b"", length=1 << 63)], [CLOSED(1009)]))
    return c


def run_case(port, frames, expect, delivery):
    data = b"".join(frames)
    small = len(data) <= 4096
    if delivery == "pipelined":
        conn = Conn(port, extra=data)
    else:
        conn = Conn(port)
        if delivery == "whole":
            conn.send(data)
        elif delivery == "bytewise":
            conn.send(data, chop=1)
        elif delivery == "apart":  # every header and every payload in a send of its own
            cuts, at = [], 0
            for f in frames:
                hdr = 2 + {126: 2, 127: 8}.get(f[1] & 0x7F, 0) + (4 if f[1] & 0x80 else 0)
                cuts += [at + hdr, at + len(f)]
                at += len(f)
            conn.send(data, chop=cuts, pause=0.001 if small else 0)
    try:
        for want in expect:
            got = conn.read_frame()
            check(got is not None, "closed before %s" % (want,))
            op, payload = got
            if want == HEALTH:
                check(op == TEXT, "want a health message, got opcode %d %r" % (op, payload[:60]))
                body = json.loads(payload)
                check(body.get("event") == "health" and body.get("status") in ("alive", "expired"), body)
            elif want[0] == "pong":
                check(op == PONG and payload == want[1], "want pong %r, got %d %r" % (want[1], op, payload[:60]))
            else:
                check(op == CLOSE, "want close %s, got opcode %d %r" % (want[1], op, payload[:60]))
                code = int.from_bytes(payload[:2], "big") if payload else None
                check(code == want[1], "close code %s, want %s" % (code, want[1]))
        if expect[-1][0] != "close":
            conn.send(F(CLOSE, close_payload(1000)))  # still alive: a clean close must work
            got = conn.read_frame()
            check(got == (CLOSE, close_payload(1000)), "clean close after the case: %r" % (got,))
        # After its close frame the server sends nothing and ends the TCP connection.
        check(conn.read_frame() is None, "a frame after the close frame")
    finally:
        conn.close()


def case_conformance_table():
    p = Portico()
    failures = []
    try:
        for name, frames, expect in cases():
            size = sum(len(f) for f in frames)
            for delivery in ("whole", "apart", "pipelined") + (("bytewise",) if size <= 2048 else ()):
                try:
                    run_case(p.port, frames, expect, delivery)
                except (Fail, OSError, ValueError) as e:
                    failures.append("%s [%s]: %s" % (name, delivery, e))
    finally:
        p.stop()
    check(not failures, "%d failures:\n  %s" % (len(failures), "\n  ".join(failures[:20])))


def case_health_message_tracks_the_heartbeat():
    p = Portico()
    try:
        c = Conn(p.port)
        c.send(F(TEXT, b"?"))
        first = json.loads(c.read_frame()[1])
        check(first == {"event": "health", "status": "expired", "lastHeartbeat": 0}, first)
        exchange(p, b"GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        c.send(F(BINARY, b"?"))
        second = json.loads(c.read_frame()[1])
        check(second["status"] == "alive" and second["lastHeartbeat"] > 0, second)
        c.close()
    finally:
        p.stop()


def raw(p, req):
    return exchange(p, req)


def case_refusals_are_bare_status_lines():
    p = Portico()
    try:
        table = [
            (request("/nope"), b"HTTP/1.1 404 Not Found\r\n\r\n"),
            (request(version="8"), b"HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n\r\n"),
            (request(version=None), b"HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n\r\n"),
            (request(key=None), b"HTTP/1.1 400 Bad Request\r\n\r\n"),
            (request(key="c2hvcnQ="), b"HTTP/1.1 400 Bad Request\r\n\r\n"),
            (request().replace(b"GET ", b"POST ", 1), b"HTTP/1.1 400 Bad Request\r\n\r\n"),
            (request().replace(b"HTTP/1.1\r\n", b"HTTP/1.0\r\n", 1), b"HTTP/1.1 400 Bad Request\r\n\r\n"),
        ]
        for req, want in table:
            got = raw(p, req)
            check(got == want, "%r\n  got %r\n  want %r" % (req.split(b"\r\n")[0], got, want))
        # An Upgrade to anything else is an ordinary request, and what follows
        # it is parsed as the next request (issue 11, #2), never passed on raw.
        h2c = b"GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"
        got = raw(p, h2c + b"GET /nope HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        check(got.startswith(b"HTTP/1.1 200 OK\r\n") and got.count(b"HTTP/1.1 ") == 2, got[:400])
        check(b"HTTP/1.1 404 Not Found\r\n" in got and b'{"error":"Not Found"}' in got, got[:600])
        got = raw(p, b"GET /nope HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, close\r\nUpgrade: h2c\r\n\r\n")
        check(got.startswith(b"HTTP/1.1 404 Not Found\r\n") and b'{"error":"Not Found"}' in got, got[:300])
        # /healthz has no origin check (as code-server).
        c = Conn(p.port, headers={"Origin": "https://evil.example"})
        c.close()
    finally:
        p.stop()


def case_sigterm_says_going_away():
    p = Portico()
    c = Conn(p.port)
    c.send(F(TEXT, b"x"))
    c.read_frame()
    p.signal(__import__("signal").SIGTERM)
    got = c.read_frame()
    check(got == (CLOSE, close_payload(1001)), got)
    c.send(F(CLOSE, close_payload(1001)))
    check(c.read_frame() is None, "frame after close")
    c.close()
    p.stop()


REFERENCE = r'''
import asyncio, sys, websockets
async def echo(ws):
    async for m in ws:
        await ws.send(m)
async def main():
    async with websockets.serve(echo, "127.0.0.1", 0, max_size=%d, compression=None) as srv:
        print(srv.sockets[0].getsockname()[1], flush=True)
        await asyncio.Future()
asyncio.run(main())
''' % CAP


def case_close_codes_agree_with_python_websockets():
    """Every case that ends in a close code ends in the same one against the
    reference implementation (python-websockets 10.4, Debian's)."""
    ref = subprocess.Popen(["/usr/bin/python3", "-c", REFERENCE], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        port = int(ref.stdout.readline())
        disagree = []
        for name, frames, expect in cases():
            if expect[-1][0] != "close" or expect[-1][1] is None:
                continue
            conn = Conn(port)
            try:
                conn.send(b"".join(frames))
                code = None
                deadline = time.monotonic() + 5
                while time.monotonic() < deadline:
                    got = conn.read_frame()
                    if got is None:
                        break
                    if got[0] == CLOSE:
                        code = int.from_bytes(got[1][:2], "big") if got[1] else None
                        break
                if code != expect[-1][1]:
                    disagree.append("%s: reference %s, portico %s" % (name, code, expect[-1][1]))
            except (Fail, OSError) as e:
                disagree.append("%s: %s" % (name, e))
            finally:
                conn.close()
        check(not disagree, "\n  ".join(disagree))
    finally:
        ref.kill()
        ref.wait()
