# SPDX-License-Identifier: MIT
"""Descriptors: the connection slots fit RLIMIT_NOFILE, so a client past it
gets the 503 of full slots; and accept4's EMFILE pauses without spinning."""
import os
import re
import signal
import socket
import threading
import time

from harness import Portico, check, is_closed, read_response, recv_until
from test_proxy import UPGRADE

GET = b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n"


def upgrade_holder():
    """A backend that answers every upgrade 101 and then holds it open."""
    l = socket.socket()
    l.bind(("127.0.0.1", 0))
    l.listen(64)

    def answer(c):
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = c.recv(4096)
            if not chunk:
                return
            head += chunk
        c.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")

    def serve():
        while True:
            try:
                c, _ = l.accept()
            except OSError:
                return
            threading.Thread(target=answer, args=(c,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    return l


def case_connections_fit_the_descriptor_limit():
    l = upgrade_holder()
    p = Portico("--vscode-addr", "127.0.0.1:%d" % l.getsockname()[1], wrap=("prlimit", "--nofile=64:64", "--"))
    socks = []
    try:
        m = re.search(rb"portico: warn: max-connections 1024 lowered to (\d+): RLIMIT_NOFILE allows 64 descriptors",
                      p.stderr())
        check(m, "no line about the lowered limit: %r" % p.stderr())
        slots = int(m.group(1))
        check(8 <= slots <= 20, "%d slots for 64 descriptors" % slots)
        # Every slot taken the costliest way: spliced tunnels, each a client,
        # a backend connection and two pipes.
        for _ in range(slots // 2):
            s = p.connect()
            s.sendall(UPGRADE)
            got = recv_until(s, b"\r\n\r\n")
            check(got.startswith(b"HTTP/1.1 101 "), got[:80])
            socks.append(s)
        if slots % 2:
            s = p.connect()
            s.sendall(GET)
            check(read_response(s)[0] == 200, "the last slot")
            socks.append(s)
        # More clients than the descriptor limit: each gets its 503 at once.
        for i in range(80):
            c = p.connect(timeout=3)
            data = c.recv(4096)
            check(data.startswith(b"HTTP/1.1 503 Service Unavailable\r\n"), "client %d past the slots: %r" % (i, data))
            check(is_closed(c), "client %d past the slots left open" % i)
            c.close()
        socks.pop().close()  # a slot comes free (two, for a tunnel), and serves again
        deadline = time.monotonic() + 5
        while True:
            s = p.connect()
            s.sendall(GET)
            if read_response(s)[0] == 200:
                break
            check(time.monotonic() < deadline, "a freed slot was not reused")
    finally:
        for s in socks:
            s.close()
        err = p.stop()
        l.close()
    check(b"Too many open files" not in err, "ran out of descriptors: %r" % err[-500:])


def case_fd_exhaustion_pauses_accept_without_spinning():
    # strace makes accept4 fail with EMFILE 30 times: 30 pauses of 100 ms.
    inject = ("strace", "-f", "--seccomp-bpf", "-o", "/dev/null", "-e", "trace=accept4",
              "-e", "inject=accept4:error=EMFILE:when=1..30", "--")
    # LeakSanitizer cannot run under ptrace; the rest of ASan can.
    p = Portico(wrap=inject, env={"ASAN_OPTIONS": "detect_leaks=0:abort_on_error=0:exitcode=99"})
    with open("/proc/%d/task/%d/children" % (p.proc.pid, p.proc.pid)) as f:
        pid = int(f.read().split()[0])  # portico, strace's child
    try:
        s = p.connect(timeout=10)
        t0, ticks0 = time.monotonic(), _cpu_ticks(pid)
        s.sendall(GET)
        check(read_response(s, timeout=10)[0] == 200, "no answer once accept4 works again")
        spent, used = time.monotonic() - t0, _cpu_ticks(pid) - ticks0
        s.close()
        check(spent > 2.5, "30 pauses took %.2fs" % spent)
        check(used <= 10 * spent + 2, "portico used %d ticks in %.1f s out of fds (busy accept loop)" % (used, spent))
    finally:
        os.kill(pid, signal.SIGTERM)
        p.wait()  # strace ends with it, and with its status
        err = p.stop()
    pauses = err.count(b": Too many open files: pausing for 100 ms\n")
    check(1 <= pauses <= spent + 1, "%d back-off lines in %.1f s (one a second at most)" % (pauses, spent))


def _cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime
