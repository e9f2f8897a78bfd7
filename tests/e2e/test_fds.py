# SPDX-License-Identifier: MIT
"""Descriptors: accept4's EMFILE pauses without spinning, and says so once a second."""
import os
import signal
import time

from harness import Portico, check, read_response

GET = b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n"


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
