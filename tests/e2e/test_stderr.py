# SPDX-License-Identifier: MIT
"""A log reader that stalls (a runit logger that is down) never stalls
serving: lines wait or are counted, and the count is logged once it reads."""
import fcntl
import os
import re
import select
import signal
import struct
import termios
import time
import tty

from harness import Portico, check, read_response

GET = b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n"
DROPPED = re.compile(rb"portico: warn: log: (\d+) lines dropped: stderr was not being read\n")


def flood(p, requests, batch=100):
    """`requests` pipelined /healthz on one connection, each a debug line."""
    s = p.connect()
    for _ in range(requests // batch):
        s.sendall(GET * batch)
        for _ in range(batch):
            check(read_response(s)[0] == 200, "flood answered")
    s.close()


def unread(fd):
    return struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0]


def read_until(fd, got, needle, timeout=10):
    """Reads the pipe until `needle` (a compiled regex) matches what came."""
    deadline = time.monotonic() + timeout
    while not needle.search(got):
        left = deadline - time.monotonic()
        check(left > 0, "no %r in the log within %ss; tail %r" % (needle.pattern, timeout, got[-300:]))
        r, _, _ = select.select([fd], [], [], left)
        if r:
            chunk = os.read(fd, 65536)
            check(chunk, "log closed before %r" % needle.pattern)
            got += chunk
    return got


def case_stalled_log_pipe_keeps_healthz_and_counts_the_drops():
    rfd, wfd = os.pipe()
    p = Portico("--log", "debug", stderr=wfd)
    # The documented choice: the pipe end itself is non-blocking from now on.
    check(fcntl.fcntl(wfd, fcntl.F_GETFL) & os.O_NONBLOCK, "the log pipe was left blocking")
    os.close(wfd)
    stalled_then_drained(p, rfd)


def case_stalled_terminal_is_reopened_and_the_shells_stays_blocking():
    master, slave = os.openpty()
    tty.setraw(slave)  # no \r added: the bytes are the log's
    p = Portico("--log", "debug", stderr=slave)
    check(not fcntl.fcntl(slave, fcntl.F_GETFL) & os.O_NONBLOCK, "the terminal's description was made non-blocking")
    os.close(slave)
    stalled_then_drained(p, master, full=0)


def stalled_then_drained(p, rfd, full=60000):
    got = b""
    try:
        # 3000 lines: the pipe's 64 KiB and the 32 KiB queue hold some 1,700.
        flood(p, 3000)
        check(unread(rfd) >= full, "the log pipe is not full: %d bytes" % unread(rfd))
        for _ in range(5):
            t0 = time.monotonic()
            s = p.connect(timeout=2)
            s.sendall(GET)
            check(read_response(s, timeout=2)[0] == 200, "healthz while the log is stalled")
            s.close()
            check(time.monotonic() - t0 < 1, "healthz took %.2fs" % (time.monotonic() - t0))
        # The reader is back: the queue follows the pipe's content, then one count.
        got = read_until(rfd, got, DROPPED)
        dropped = [int(n) for n in DROPPED.findall(got)]
        check(len(dropped) == 1 and dropped[0] >= 1000, "dropped-lines lines: %r" % dropped)
        s = p.connect()
        s.sendall(b"GET /after-the-gap HTTP/1.1\r\nHost: a\r\n\r\n")
        check(read_response(s)[0] == 404, "after the gap")
        s.close()
        got = read_until(rfd, got, re.compile(rb"GET /after-the-gap -> 404\n"))
        check(got.index(b"lines dropped") < got.index(b"/after-the-gap"), "the count came after later lines")
        p.signal(signal.SIGTERM)
        got = read_until(rfd, got, re.compile(rb"portico: info: stopped\n"))
    finally:
        if p.proc.poll() is None:
            p.signal(signal.SIGTERM)
        while select.select([rfd], [], [], 5)[0]:
            try:
                chunk = os.read(rfd, 65536)
            except OSError:  # EIO: a terminal whose other side is gone
                break
            if not chunk:
                break
            got += chunk
        os.close(rfd)
        err = p.stop(err=got)
    check(err.endswith(b"\n"), "the log ends mid-line: %r" % err[-100:])
    served = err.count(b"GET /healthz -> 200\n")
    check(served + dropped[0] >= 3005, "%d lines written and %d dropped of 3005" % (served, dropped[0]))
