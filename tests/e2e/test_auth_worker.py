# SPDX-License-Identifier: MIT
"""Argon2 checks off the loop: with code-server's default parameters, wrong
logins are hashed on the worker while every other connection is served, and
clients that leave while their check waits or runs are harmless."""
import re
import select
import socket
import struct
import urllib.parse

from harness import Portico, check, parse_responses, read_response
from test_auth import PW, argon2_cli

# code-server's defaults: 64 MiB, 3 passes, 4 lanes.
DEFAULT_HASH = None


def default_hash():
    global DEFAULT_HASH
    if DEFAULT_HASH is None:
        DEFAULT_HASH = argon2_cli(PW, "saltsaltsalt", "id", 3, 16, 4)
    return DEFAULT_HASH


def open_from(p, source):
    """A connection to p from the loopback address `source` (each is its own
    client for the rate limiter)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(60)
    s.bind((source, 0))
    s.connect(("127.0.0.1", p.port))
    return s


def login_request(password):
    body = urllib.parse.urlencode({"password": password, "base": "."}).encode()
    return (b"POST /login HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body)) + body


def responses(socks, want, timeout=120):
    """Reads from every socket in `socks` (name -> socket) until each has one
    whole response; returns (order of completion, name -> (status, headers, body))."""
    got = {name: b"" for name in socks}
    done, order = {}, []
    while len(done) < len(socks):
        waiting = [s for name, s in socks.items() if name not in done]
        r, _, _ = select.select(waiting, [], [], timeout)
        check(r, "no answer within %ss; done: %s" % (timeout, order))
        for s in r:
            name = next(n for n, x in socks.items() if x is s)
            chunk = s.recv(65536)
            check(chunk, "%s closed before its answer: %r" % (name, got[name][:200]))
            got[name] += chunk
            head, sep, rest = got[name].partition(b"\r\n\r\n")
            if not sep:
                continue
            n = int(dict(l.split(b": ", 1) for l in head.split(b"\r\n")[1:]).get(b"Content-Length", b"0"))
            if len(rest) >= n:
                done[name] = parse_responses(got[name])[0]
                order.append(name)
                if want is not None and name == want:
                    return order, done
    return order, done


def case_healthz_and_the_owner_are_served_during_a_flood():
    p = Portico(auth=True, env={"HASHED_PASSWORD": default_hash()})
    try:
        # A flood from ten addresses, all within the rate limit.
        flood = {"wrong%d" % i: open_from(p, "127.0.0.%d" % (10 + i)) for i in range(10)}
        for s in flood.values():
            s.sendall(login_request("wrong"))
        h = open_from(p, "127.0.0.1")
        h.sendall(b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n")
        order, done = responses({**flood, "healthz": h}, want="healthz")
        check(done["healthz"][0] == 200, done["healthz"])
        # Ordering, not timing: /healthz came back while wrong logins were still being hashed.
        check(len(done) - 1 < len(flood), "every wrong login was answered before /healthz: %s" % order)
        print("measure: /healthz answered with %d of %d wrong logins answered" % (len(done) - 1, len(flood)))
        # The owner, from an address of its own, while the flood is still being checked.
        owner = open_from(p, "127.0.0.2")
        owner.sendall(login_request(PW))
        pending = {n: s for n, s in flood.items() if n not in done}
        check(pending, "the flood was over before the owner came")
        order, done2 = responses({**pending, "owner": owner}, want=None)
        done.update(done2)
        check(done["owner"][0] == 302 and "set-cookie" in done["owner"][1], "the owner was not let in: %r" % (done["owner"][:2],))
        for name in flood:
            check(done[name][0] == 401, "%s: %r" % (name, done[name][:2]))
        for s in list(flood.values()) + [h, owner]:
            s.close()
    finally:
        err = p.stop()
    check(len(re.findall(rb"login: wrong password from 127\.0\.0\.1\d:", err)) == 10, err[-2000:])


def reset(s):
    """Closes with a RST (SO_LINGER 0): what a killed client looks like."""
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def healthz(p):
    """A /healthz answered: the loop has read every request sent before it
    (they were in its sockets first, and it reads them in that order)."""
    h = open_from(p, "127.0.0.1")
    h.sendall(b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n")
    order, done = responses({"healthz": h}, want="healthz")
    check(done["healthz"][0] == 200, done["healthz"][:2])
    h.close()


def case_clients_that_leave_while_checked():
    p = Portico(auth=True, env={"HASHED_PASSWORD": default_hash()})
    try:
        # One check running (alone in the queue, it starts at once, unless
        # the worker does not get the CPU in time, and takes a quarter of a
        # second or more), then four queued behind it.
        socks = [open_from(p, "127.0.0.%d" % (30 + i)) for i in range(5)]
        socks[0].sendall(login_request("wrong"))
        healthz(p)
        for s in socks[1:]:
            s.sendall(login_request("wrong"))
        healthz(p)
        reset(socks[0])      # RST while running: the check ends, its result is dropped
        reset(socks[1])      # RST while queued: cancelled, never hashed
        socks[2].close()     # FIN while queued: a half-close, still answered (into the void)
        reset(socks[3])
        # The one left is still answered, and the server goes on.
        order, done = responses({"last": socks[4]}, want=None)
        check(done["last"][0] == 401, done["last"][:2])
        owner = open_from(p, "127.0.0.2")
        owner.sendall(login_request(PW))
        order, done = responses({"owner": owner}, want=None)
        check(done["owner"][0] == 302, done["owner"][:2])
        socks[4].close()
        owner.close()
    finally:
        err = p.stop()
    # Each client that reset either had its check cancelled before it started
    # or its result dropped: which one depends on when the worker got the CPU,
    # so both are accepted, but never an answer as if it were still there.
    ran = []
    for host in (b"127.0.0.30", b"127.0.0.31", b"127.0.0.33"):
        lines = [l for l in err.splitlines() if b"from " + host + b":" in l]
        check(all(b"(gone before the answer)" in l for l in lines), "%r answered as if there: %r" % (host, lines))
        ran += [host.decode()] if lines else []
    print("measure: of the three clients that reset, checks ran (results dropped) for %s" % (ran or "none"))
    check(b"wrong password from 127.0.0.32:" in err and b"wrong password from 127.0.0.34:" in err, err[-2000:])


def case_pipelined_after_a_held_login():
    # The request after a held login waits in the buffer, then is answered in order.
    p = Portico(auth=True, env={"HASHED_PASSWORD": default_hash()})
    try:
        s = open_from(p, "127.0.0.40")
        s.sendall(login_request("wrong") + b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n" + login_request(PW))
        first, second, third = (read_response(s, timeout=60) for _ in range(3))
        check(first[0] == 401 and second[0] == 200 and third[0] == 302, (first[0], second[0], third[0]))
        s.close()
        # Each is checked on its own: a verdict never carries over to the next request.
        s = open_from(p, "127.0.0.41")
        s.sendall(login_request(PW) + login_request("wrong"))
        first, second = (read_response(s, timeout=60) for _ in range(2))
        check(first[0] == 302 and second[0] == 401, "a wrong password after a right one: %d, %d" % (first[0], second[0]))
        s.close()
    finally:
        p.stop()
