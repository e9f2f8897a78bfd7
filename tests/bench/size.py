# SPDX-License-Identifier: MIT
"""size.py — per architecture: the stripped static binary's size, the time
from exec to readiness (the --ready-fd line), and idle memory (RssAnon and
VmRSS once ready), against issue 15's goals.

x86_64 runs natively; aarch64 and armhf run under qemu-user, so their times
are qemu's and their memory is qemu's too: only their sizes say something
about a board (they are printed, marked so).  Each timing is RUNS starts
(default 50): median, then the 10th and 90th percentiles.  Loopback only,
port 0, every wait bounded.

Usage: /usr/bin/python3 tests/bench/size.py [RUNS]"""
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from harness import Portico  # noqa: E402

ARCHES = [("x86_64", "build/static/portico", [], 1.15 * 1024, 5.0),
          ("aarch64", "build/aarch64/portico", ["qemu-aarch64"], 1.0 * 1024, None),
          ("armhf", "build/armhf/portico", ["qemu-arm"], 700, None)]
RSS_GOAL_KIB = 200


def start(emulator, binary):
    """portico started the way the end-to-end tests start it (--auth none,
    no VS Code server, readiness on a pipe); the time to its line."""
    t0 = time.perf_counter()
    p = Portico(wrap=emulator, binary=binary)
    return p, (time.perf_counter() - t0) * 1000


def status(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return -1


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    print("size: %d starts each; times in ms as median [p10, p90]" % runs)
    for arch, binary, emulator, goal_kib, ready_goal in ARCHES:
        if not os.path.exists(binary):
            print("  %-8s %s missing (make static cross)" % (arch, binary))
            continue
        kib = os.path.getsize(binary) / 1024
        times, anon, rss = [], None, None
        for i in range(runs):
            p, took = start(emulator, binary)
            times.append(took)
            if i == runs - 1:
                anon, rss = status(p.proc.pid, "RssAnon"), status(p.proc.pid, "VmRSS")
            p.stop()
        q = statistics.quantiles(times, n=10)
        under = " (under qemu-user: qemu's time and memory)" if emulator else ""
        print("  %-8s %7.0f KiB (goal %.0f: %s)  exec to ready %.2f [%.2f, %.2f]%s  RssAnon %d KiB, VmRSS %d KiB%s" % (
            arch, kib, goal_kib, "met" if kib <= goal_kib else "not met", statistics.median(times), q[0], q[-1],
            "" if ready_goal is None else " (goal %.0f: %s)" % (ready_goal, "met" if statistics.median(times) <= ready_goal
                                                               else "not met"),
            anon, rss, "" if emulator else " (goal RssAnon %d: %s)" % (RSS_GOAL_KIB, "met" if anon <= RSS_GOAL_KIB
                                                                      else "not met"))
            + under)


if __name__ == "__main__":
    main()
