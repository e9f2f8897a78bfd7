# SPDX-License-Identifier: MIT
"""idle.py [BINARY [RUNS]] — issue 16's benchmark: the memory a session
leaves behind, and the way back after a stop.

Each run is the same Chromium session (tests/browser/idle.cjs: log in, the
workbench, a file, a terminal that leaves `sleep 1000 &` and a daemon
behind, the tab closed), once against portico running the real VS Code
server with --vscode-idle-timeout 5, once against code-server 4.100.3 from
make check's install.  After the tab is closed:

  idle memory   portico: once /healthz?verbose says "stopped", the PSS of
                portico and of every process below it; code-server: the
                same 10 s after the close (it never gives memory back, so
                the wait only lets it settle), the PSS of its tree
  reopen        a new tab's first request to a listed Explorer: portico
                starts the server again for it; code-server's is still up

RUNS (default 3) of each; every figure is the median [min, max] of them.
Loopback only, port 0, every wait bounded."""
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests/e2e"))
os.environ.setdefault("PORTICO", sys.argv[1] if len(sys.argv) > 1 else "build/static/portico")
import harness  # noqa: E402
from test_parity import CodeServer  # noqa: E402
from test_vscode import SERVER, below, login_cookie, paused_script, vscode_health, workspace  # noqa: E402

RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
PW = "bench-pw"


def pss_kib(pids):
    total = 0
    for pid in pids:
        try:
            with open("/proc/%d/smaps_rollup" % pid) as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("Pss:"))
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            pass
    return total


def session(url, folder, settled):
    """idle.cjs against url; settled() runs while the tab is closed and
    stores the idle memory.  (memory KiB, reopen ms)."""
    memory = []
    rc, report, err = paused_script("idle.cjs", [url, PW, folder, os.path.join(folder, "..", "idle.png")], b"CLOSED",
                                    lambda: memory.append(settled()), 200)
    if rc != 0:
        raise SystemExit("idle.py: the session failed: %s %r" % (report, err[-800:]))
    return memory[0], report["reopen_ms"]


def portico_run():
    d, folder = workspace("portico-bench-idle-")
    p = harness.Portico("--vscode-server", SERVER, "--user-data-dir", os.path.join(d, "ud"), "--extensions-dir",
                        os.path.join(d, "ext"), "--vscode-option", "disable-workspace-trust", "--vscode-idle-timeout",
                        "5", folder, auth=True, env={"PASSWORD": PW, "EXTENSIONS_GALLERY": "{}"})

    cookie = login_cookie(p, PW)

    def settled():
        deadline = time.monotonic() + 60
        while vscode_health(p, cookie)["state"] != "stopped":
            if time.monotonic() > deadline:
                raise SystemExit("idle.py: portico did not stop the server")
            time.sleep(0.2)
        return pss_kib({p.proc.pid} | below(p.proc.pid))
    try:
        return session(p.url("/"), folder, settled)
    finally:
        p.stop(timeout=30)


def code_server_run():
    d, folder = workspace("portico-bench-idle-")
    config = os.path.join(d, "config.yaml")
    with open(config, "w") as f:
        f.write("bind-addr: 127.0.0.1:0\nauth: password\npassword: %s\ncert: false\n" % PW)
    cs = CodeServer(config, ["--user-data-dir", os.path.join(d, "ud"), "--extensions-dir", os.path.join(d, "ext"),
                             "--disable-workspace-trust", "--disable-telemetry", "--disable-update-check", folder],
                    d, env={"EXTENSIONS_GALLERY": "{}"})

    def settled():
        time.sleep(10)  # a wait to let it settle, not a synchronisation: nothing happens at its end
        return pss_kib({cs.proc.pid} | below(cs.proc.pid))
    try:
        return session("http://127.0.0.1:%d/" % cs.port, folder, settled)
    finally:
        cs.stop()


def summary(values, unit):
    return "%s %s [%s, %s]" % (statistics.median(values), unit, min(values), max(values))


if __name__ == "__main__":
    results = {"portico": [], "code-server": []}
    for _ in range(RUNS):
        results["portico"].append(portico_run())
        results["code-server"].append(code_server_run())
    print("idle after a session, %d runs each (median [min, max]); python3 %s" % (RUNS, " ".join(sys.argv)))
    for name, runs in results.items():
        print("  %-11s  idle PSS %s   reopen %s" % (name, summary([m for m, _ in runs], "KiB"),
                                                   summary([r for _, r in runs], "ms")))
    ratio = statistics.median(m for m, _ in results["portico"]) / statistics.median(m for m, _ in results["code-server"])
    print("  idle memory portico/code-server: %.3f" % ratio)
