# SPDX-License-Identifier: MIT
"""Listeners, readiness, signals, command line and config file."""
import os
import re
import signal
import socket
import stat
import subprocess
import tempfile
import time

from harness import BINARY, EMULATOR, Fail, Portico, check, curl, exchange, is_closed, parse_responses, read_response, run_cli

GET = b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n"


def case_sigterm_lets_a_request_in_flight_finish():
    p = Portico()
    idle = p.connect()
    idle.sendall(GET)
    read_response(idle)
    busy = p.connect()
    busy.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: a\r\n")  # head not finished yet
    time.sleep(0.1)
    p.signal(signal.SIGTERM)
    check(is_closed(idle, 3), "idle keep-alive connection not closed on SIGTERM")
    time.sleep(0.2)
    try:
        socket.create_connection(("127.0.0.1", p.port), timeout=1).close()
        raise Fail("still accepting after SIGTERM")
    except ConnectionRefusedError:
        pass
    check(p.proc.poll() is None, "exited with a request in flight")
    busy.sendall(b"\r\n")
    status, headers, body = read_response(busy)
    check(status == 200 and body.startswith(b"User-Agent"), (status, body))
    check(headers.get("connection") == "close", headers)
    err = p.stop()
    check(b"draining" in err and b"stopped" in err, err)


def case_drain_timeout_bounds_the_shutdown():
    p = Portico("--drain-timeout", "1")
    s = p.connect()
    s.sendall(b"GET / HTTP/1.1\r\n")
    time.sleep(0.1)
    t0 = time.monotonic()
    p.stop(timeout=5)
    check(time.monotonic() - t0 < 3, "shutdown took %.1fs" % (time.monotonic() - t0))


def case_ipv6_listener():
    p = Portico(bind="[::1]:0")
    try:
        check(p.addr.startswith("[::1]:"), p.addr)
        rc, out, _ = curl("http://[::1]:%d/healthz" % p.port)
        check(rc == 0 and b"status" in out, out)
    finally:
        p.stop()


def case_unix_socket_with_mode():
    d = tempfile.mkdtemp()
    path = os.path.join(d, "p.sock")
    open(path, "w").close()
    rc, _, err = run_cli("--socket", path)
    check(rc == 111 and b"not a socket" in err, (rc, err))
    os.unlink(path)
    p = Portico("--socket", path, "--socket-mode", "600")
    try:
        check(p.addr == "unix:" + path, p.addr)
        check(stat.S_IMODE(os.stat(path).st_mode) == 0o600, oct(os.stat(path).st_mode))
        rc, out, _ = curl("--unix-socket", path, "http://localhost/healthz")
        check(rc == 0 and b"status" in out, out)
    finally:
        p.stop()
    check(not os.path.exists(path), "socket file left behind")
    # A stale socket from a crashed run is replaced.
    s = socket.socket(socket.AF_UNIX)
    s.bind(path)
    s.close()
    p = Portico("--socket", path)
    p.stop()


def case_inherited_socket_fd():
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(16)
    port = ls.getsockname()[1]
    p = Portico("--socket-fd", str(ls.fileno()), pass_fds=(ls.fileno(),), bind=None)
    ls.close()
    try:
        check(p.port == port, (p.addr, port))
        rc, out, _ = curl("http://127.0.0.1:%d/healthz" % port)
        check(rc == 0 and b"status" in out, out)
    finally:
        p.stop()
    rc, _, err = run_cli("--socket-fd", "0")
    check(rc == 111 and err.count(b"\n") == 1, (rc, err))


def case_bind_failure_exits_111():
    p = Portico()
    try:
        rc, _, err = run_cli("--bind-addr", "127.0.0.1:%d" % p.port)
        check(rc == 111, rc)
        check(err.startswith(b"portico: fatal: bind 127.0.0.1:") and err.count(b"\n") == 1, err)
    finally:
        p.stop()


def case_usage_errors_exit_100():
    for args in (["--nope"], ["--bind-addr"], ["--max-headers", "0"], ["--log", "loud"], ["-er"],
                 ["--password", "x"], ["--bind-addr", "example.com:80"], ["--github-auth", "t"]):
        rc, out, err = run_cli(*args)
        check(rc == 100, (args, rc))
        check(err.startswith(b"portico: fatal: ") and err.count(b"\n") == 1, (args, err))


def case_config_file():
    d = tempfile.mkdtemp()
    cfg = os.path.join(d, "config.yaml")
    with open(cfg, "w") as f:
        f.write("# written for code-server\nbind-addr: 127.0.0.1:0\nauth: password\npassword: x\n"
                "cert: false\ndisable-telemetry: true\napp-name: FromFile\n")
    p = Portico("--config", cfg, bind=None, auth=True)
    try:
        rc, out, _ = curl("-H", "Accept: text/html", p.url("/x"))
        check(b"<title>401 - FromFile</title>" in out, out[:400])  # auth: password, from the file
    finally:
        err = p.stop()
    check(b"warn:" not in err, err)   # disable-telemetry: code-server's, passed to the VS Code server
    # The command line wins; the environment names the file too.
    p = Portico("--app-name", "FromCli", bind=None, env={"CODE_SERVER_CONFIG": cfg}, auth=True)
    try:
        check(b"FromCli" in curl("-H", "Accept: text/html", p.url("/x"))[1], "cli did not win")
    finally:
        p.stop()
    with open(cfg, "w") as f:
        f.write("bind-addr: 127.0.0.1:0\nmax-headers: lots\n")
    rc, _, err = run_cli("--config", cfg)
    check(rc == 102 and (cfg + ":2:").encode() in err and err.count(b"\n") == 1, (rc, err))
    # A file that does not exist yet is written with code-server's defaults, as code-server does.
    missing = os.path.join(d, "new", "config.yaml")
    p = Portico("--config", missing, auth=True)
    try:
        with open(missing) as f:
            text = f.read()
        check(re.fullmatch(r"bind-addr: 127\.0\.0\.1:8080\nauth: password\npassword: [0-9a-f]{24}\ncert: false\n", text)
              and stat.S_IMODE(os.stat(missing).st_mode) == 0o600, text)
    finally:
        err = p.stop()
    check(b"wrote default config file to " + missing.encode() in err, err)
    rc, _, err = run_cli("--config", "/etc/passwd/config.yaml")
    check(rc == 102 and b"Not a directory" in err, (rc, err))


def case_port_environment():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    p = Portico(bind="127.0.0.1:1", env={"PORT": str(port)})
    try:
        check(p.port == port, (p.addr, port))
    finally:
        p.stop()
    rc, _, err = run_cli(env={"PORT": "eighty"})
    check(rc == 102 and b"PORT" in err, (rc, err))


def case_help_and_version():
    rc, out, _ = run_cli("--help")
    check(rc == 0 and b"--bind-addr" in out and b"--ready-fd" in out, out)
    rc, out, _ = run_cli("--version")
    check(rc == 0 and out.startswith(b"portico "), out)


def case_sighup_keeps_serving():
    p = Portico()
    try:
        s = p.connect()
        p.signal(signal.SIGHUP)
        time.sleep(0.1)
        s.sendall(GET)
        check(read_response(s)[0] == 200, "SIGHUP broke a connection")
    finally:
        p.stop()


def case_log_levels():
    p = Portico("--log", "debug")
    curl(p.url("/healthz"))
    err = p.stop()
    check(b"portico: debug: conn 1 127.0.0.1:" in err and b"GET /healthz -> 200" in err, err)
    p = Portico("--log", "warn")
    curl(p.url("/healthz"))
    err = p.stop()
    check(err == b"", "warn level printed %r" % err)


def case_a_data_directory_that_cannot_be_made_is_needed_only_for_logins():
    """A read-only root: with --auth none the data directory is not needed
    (one warning, no heartbeat file); with a password it is (exit 111)."""
    env = {"XDG_DATA_HOME": "/proc/portico-none"}   # a folder nobody can make
    p = Portico(env=env)
    try:
        rc, out, _ = curl("-s", p.url("/healthz"))
        check(b'"status"' in out, out)
    finally:
        err = p.stop()
    check(b"warn: data-dir /proc/portico-none/code-server: " in err and b"not needed with --auth none" in err, err)
    rc, _, err = run_cli("--bind-addr", "127.0.0.1:0", env=dict(env, PASSWORD="pw"))
    check(rc == 111 and b"fatal: data-dir /proc/portico-none/code-server" in err, (rc, err))


def case_an_address_space_limit_says_what_to_lower():
    """Under prlimit --as, the connection slots' reservation is named with
    its size and the flag that lowers it.  (ASan's shadow memory cannot run
    under such a limit, and qemu-user does not enforce one.)"""
    if "asan" in BINARY or EMULATOR:
        return
    argv = ["prlimit", "--as=%d" % (24 << 20), "--", BINARY, "--auth", "none", "--bind-addr", "127.0.0.1:0",
            "--vscode-server", "none"]
    p = subprocess.run(argv, capture_output=True, timeout=10, env={"PATH": "/usr/bin:/bin", "HOME": tempfile.mkdtemp()})
    check(p.returncode == 111 and b"lower --max-connections" in p.stderr, (p.returncode, p.stderr))
    p = Portico("--max-connections", "64", wrap=argv[:3])   # ready, under the same limit
    p.stop()


def case_the_examples_of_portico_conf_5_are_read_as_written():
    """Each configuration file in EXAMPLES of man/portico.conf.5 starts portico
    (on a free loopback port instead of its address)."""
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "man", "portico.conf.5")) as f:
        page = f.read()
    section = page[page.index(".Sh EXAMPLES\n"):]
    blocks = re.findall(r"\.Bd -literal[^\n]*\n(.*?)\.Ed", section[:section.index("\n.Sh ", 1)], re.S)
    check(len(blocks) == 2, "examples: %d" % len(blocks))
    for text in blocks:
        d = tempfile.mkdtemp(prefix="portico-conf-")
        path = os.path.join(d, "config.yaml")
        with open(path, "w") as f:
            f.write(text.replace("\\&", "").replace("\\e", "\\"))
        p = Portico("--config", path, "--bind-addr", "127.0.0.1:0", auth=True)
        err = p.stop()
        check(b"warn" not in err or b"heartbeat" in err, "example warns: %r" % err)
