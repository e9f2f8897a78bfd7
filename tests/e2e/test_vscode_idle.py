# SPDX-License-Identifier: MIT
"""The VS Code server's lifetime under portico, with a stand-in server
(stand_in_server.py) that leaves behind what terminals leave: a job in its
own session, a process that ignores SIGTERM and a daemon that forked twice.
--vscode-idle-timeout stops it all while nothing uses it and the next
request starts it again; an open tunnel is use; a killed keeper, a killed
portico and a shutdown leave none of it running.  /healthz?verbose tells
the state and the memory, after code-server's two fields."""
import json
import os
import re
import signal
import socket
import tempfile
import time

from harness import Portico, check, curl, run_cli

HERE = os.path.dirname(os.path.abspath(__file__))
STAND_IN = os.path.join(HERE, "stand_in_server.py")


def start(*extra):
    d = tempfile.mkdtemp(prefix="portico-idle-test-")
    p = Portico("--vscode-server", STAND_IN, "--user-data-dir", os.path.join(d, "ud"), *extra,
                env={"STAND_IN_DIR": d})
    return p, d


def generations(d):
    """Each start of the stand-in: its pid and the three it left."""
    try:
        with open(os.path.join(d, "pids")) as f:
            return [list(map(int, line.split())) for line in f if line.strip()]
    except FileNotFoundError:
        return []


def alive(pid):
    """Running, and not a zombie waiting for its parent."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def until(what, cond, seconds):
    deadline = time.monotonic() + seconds
    while not cond():
        check(time.monotonic() < deadline, "%s: not within %s s" % (what, seconds))
        time.sleep(0.1)


def healthz(p, query="?verbose"):
    rc, out, _ = curl("-s", p.url("/healthz" + query))
    return json.loads(out)


def served(p):
    """A request to VS Code until it answers 200 (the 503 page before)."""
    until("the server ready", lambda: curl("-s", "-o", "/dev/null", "-w", "%{http_code}", p.url("/x"))[1] == b"200", 30)


def tunnel(p):
    s = socket.create_connection(("127.0.0.1", p.port), timeout=5)
    host = "127.0.0.1:%d" % p.port
    s.sendall(("GET /stable-x?reconnectionToken=t HTTP/1.1\r\nHost: %s\r\nOrigin: http://%s\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
               % (host, host)).encode())
    head = b""
    while b"\r\n\r\n" not in head:
        got = s.recv(4096)
        check(got, "tunnel closed before its answer: %r" % head)
        head += got
    check(head.startswith(b"HTTP/1.1 101"), head[:200])
    return s


def pipes(pid):
    """The pipes the process holds beyond its stdio: portico's, the keeper's
    output while one runs (and the readiness pipe, just after the start)."""
    fds = "/proc/%d/fd" % pid
    return sorted(f for f in os.listdir(fds) if int(f) > 2 and os.readlink(os.path.join(fds, f)).startswith("pipe:"))


def case_idle_stops_the_whole_tree_an_open_tunnel_is_use_and_the_next_request_starts_it():
    p, d = start("--vscode-idle-timeout", "2", "--log", "debug")
    try:
        first = healthz(p)
        check(list(first)[:2] == ["status", "lastHeartbeat"], first)
        check(first["vscode"]["state"] == "stopped" and first["vscode"]["processes"] == 0, first)
        check(list(healthz(p, "")) == ["status", "lastHeartbeat"], "plain /healthz is code-server's")
        served(p)
        gen = generations(d)[0]
        v = healthz(p)["vscode"]
        check(v["state"] == "ready" and v["processes"] >= 5 and v["rssKiB"] > 1000, v)  # the keeper, python and the three
        check(v["pssKiB"] > 0 and v["pssKiB"] <= v["rssKiB"], v)
        s = tunnel(p)
        time.sleep(4)  # twice the timeout with the tunnel open: the condition is that nothing happens
        check(healthz(p)["vscode"]["state"] == "ready", "stopped with a tunnel open")
        s.sendall(b"still there")
        check(s.recv(64) == b"still there", "the tunnel")
        s.close()
        closed = time.monotonic()
        until("stopped after the last tunnel", lambda: healthz(p)["vscode"]["state"] == "stopped", 15)
        took = time.monotonic() - closed
        check(took >= 1.5, "stopped %.1f s after the close, before the timeout" % took)
        for pid in gen:
            check(not alive(pid), "pid %d survived the idle stop" % pid)
        check(pipes(p.proc.pid) == [], "the stopped server's output pipe is still open: %r" % pipes(p.proc.pid))
        check(healthz(p)["status"] == "alive", "/healthz unaffected")
        served(p)  # the next request starts it again
        gens = generations(d)
        check(len(gens) == 2 and gens[1][0] != gen[0], gens)
        check(len(pipes(p.proc.pid)) == 1, "one output pipe, the new server's: %r" % pipes(p.proc.pid))
    finally:
        err = p.stop(timeout=30)
    check(b"vscode: stopping: unused for" in err and b"vscode: stopped; the next request starts it" in err, err[-1500:])
    check(b"vscode: restarting" not in err, "an idle stop is not a crash")
    check(b"debug: vscode: ready; " in err and b"processes below portico for it" in err, err[-1500:])
    for gen in generations(d):
        for pid in gen:
            check(not alive(pid), "pid %d survived portico's shutdown" % pid)


def case_the_box_apps_reached_through_the_port_proxy_are_use_too():
    """A dev server started in a VS Code terminal dies with the server: while
    an exchange to it is open, the server is not idle."""
    app = socket.socket()
    app.bind(("127.0.0.1", 0))
    app.listen(1)
    app.settimeout(10)
    p, d = start("--vscode-idle-timeout", "2")
    try:
        served(p)
        c = p.connect(timeout=10)
        c.sendall(b"GET /proxy/%d/slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % app.getsockname()[1])
        a, _ = app.accept()
        got = b""
        while b"\r\n\r\n" not in got:
            chunk = a.recv(4096)
            check(chunk, "the app's request was cut: %r" % got)
            got += chunk
        time.sleep(4)  # twice the timeout with the app's answer pending: the condition is that nothing happens
        check(healthz(p)["vscode"]["state"] == "ready", "stopped while one of the box's apps was in use")
        a.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        a.close()
        answer = b""
        while not answer.endswith(b"ok"):
            chunk = c.recv(4096)
            check(chunk, "no answer: %r" % answer)
            answer += chunk
        check(answer.startswith(b"HTTP/1.1 200 "), answer[:200])
        c.close()
        until("stopped once the app's exchange ended", lambda: healthz(p)["vscode"]["state"] == "stopped", 15)
    finally:
        p.stop(timeout=30)
        app.close()


def case_verbose_health_is_for_a_logged_in_request():
    d = tempfile.mkdtemp(prefix="portico-idle-test-")
    p = Portico("--vscode-server", STAND_IN, "--user-data-dir", os.path.join(d, "ud"), auth=True,
                env={"STAND_IN_DIR": d, "PASSWORD": "pw"})
    try:
        check(list(healthz(p)) == ["status", "lastHeartbeat"], "verbose for anyone")
        rc, out, _ = curl("-si", "--data-urlencode", "password=pw", p.url("/login"))
        cookie = re.search(rb"Set-Cookie: (code-server-session=[^;]+)", out)
        check(cookie, out[:400])
        rc, out, _ = curl("-s", "-H", "Cookie: " + cookie.group(1).decode(), p.url("/healthz?verbose"))
        check(list(json.loads(out)) == ["status", "lastHeartbeat", "vscode"], out)
    finally:
        p.stop(timeout=30)


def case_a_killed_keeper_leaves_nothing_running_and_the_server_comes_back():
    p, d = start()
    try:
        served(p)
        gen = generations(d)[0]
        os.kill(p.keeper(), signal.SIGKILL)
        until("what the keeper kept ended", lambda: not any(alive(pid) for pid in gen), 10)
        until("the server back", lambda: len(generations(d)) == 2, 30)
        served(p)
    finally:
        err = p.stop(timeout=30)
    check(b"vscode: its keeper was killed by signal 9; ending what it kept" in err, err[-1500:])
    for gen in generations(d):
        for pid in gen:
            check(not alive(pid), "pid %d survived" % pid)


def case_a_crashed_server_takes_what_it_left_with_it():
    p, d = start()
    try:
        served(p)
        gen = generations(d)[0]
        os.kill(gen[0], signal.SIGKILL)
        until("what the server left ended", lambda: not any(alive(pid) for pid in gen), 10)
        until("the server back", lambda: len(generations(d)) == 2, 30)
    finally:
        err = p.stop(timeout=30)
    check(b"vscode: killed by signal 9" in err and b"vscode: restarting in" in err, err[-1500:])


def case_portico_killed_with_sigkill_leaves_nothing_running():
    p, d = start()
    try:
        served(p)
        gen = generations(d)[0]
        keeper = p.keeper()
    finally:
        p.proc.kill()
        p.proc.wait()
    until("the keeper ended the tree", lambda: not any(alive(pid) for pid in gen), 10)
    until("the keeper exited", lambda: not alive(keeper), 10)


def case_vscode_idle_timeout_is_checked():
    for bad in ("-1", "x", "315360001"):
        rc, out, err = run_cli("--vscode-idle-timeout", bad, "--vscode-server", "none")
        check(rc == 100 and b"vscode-idle-timeout" in err, (bad, rc, err))
