# SPDX-License-Identifier: MIT
"""Start the real portico binary on port 0 and talk to it over loopback.

Every server is started with a readiness pipe (--ready-fd) and its port is
read from the line it writes there: no sleeps, no guessed ports.  stop()
sends SIGTERM, expects exit status 0 within a bound, and fails the case on
any sanitizer report or "fatal"/"alert" line in the server's stderr.
"""
import os
import re
import select
import signal
import socket
import subprocess
import tempfile
import time

BINARY = os.environ.get("PORTICO", "build/portico")
# What runs the binary, when it is not this machine's: "qemu-aarch64" for
# make check's board builds (qemu-user; the binaries are static).
EMULATOR = os.environ.get("PORTICO_EMULATOR", "").split()
SANITIZER = re.compile(rb"AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:|ERROR: ")


class Fail(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)


class Portico:
    def __init__(self, *args, env=None, ready=True, pass_fds=(), bind="127.0.0.1:0", auth=False, home=None,
                 wrap=(), stderr=None, discover=False, binary=None):
        """Without auth=True the server runs with --auth none; every server gets
        a home of its own (config and data directories), or the given one.
        `wrap` runs it under a command that execs it (prlimit ... --); `stderr`,
        a descriptor, replaces the file its log is kept in (stop() then needs
        the log read from it).  Without a --vscode-* argument it runs with
        --vscode-server none unless discover=True: otherwise it would find
        the VS Code server make check installs beside the binary."""
        self.errfile = tempfile.TemporaryFile() if stderr is None else None
        self.home = home or tempfile.mkdtemp(prefix="portico-e2e-")
        full_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **home_env(self.home),
                    "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0:exitcode=99",
                    "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1"}
        full_env.update(env or {})
        argv = list(wrap) + EMULATOR + [binary or BINARY]
        if not auth:
            argv += ["--auth", "none"]
        if bind and not any(a.startswith("--socket") for a in args):
            argv += ["--bind-addr", bind]
        rfd = wfd = None
        if ready:
            rfd, wfd = os.pipe()
            argv += ["--ready-fd", str(wfd)]
        if not discover and not any(a.startswith("--vscode-") for a in args):
            argv += ["--vscode-server", "none"]
        argv += list(args)
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=self.errfile if stderr is None else stderr, env=full_env,
                                     pass_fds=tuple(pass_fds) + ((wfd,) if ready else ()))
        self.addr = None
        self.port = None
        if ready:
            os.close(wfd)
            line = b""
            deadline = time.monotonic() + 10
            while not line.endswith(b"\n") and time.monotonic() < deadline:
                r, _, _ = select.select([rfd], [], [], 0.5)
                if r:
                    chunk = os.read(rfd, 256)
                    if not chunk:
                        break
                    line += chunk
            os.close(rfd)
            if not line.startswith(b"listening "):
                self.proc.kill()
                self.proc.wait()
                raise Fail("no readiness line (got %r); stderr: %r" % (line, self.stderr()))
            self.addr = line[len(b"listening "):].strip().decode()
            if not self.addr.startswith("unix:"):
                self.port = int(self.addr.rsplit(":", 1)[1])

    def stderr(self):
        """All the server has logged so far.  Read with pread: the file offset
        is shared with the server's stderr, and a seek here would make its
        next line overwrite the start of the log."""
        if self.errfile is None:
            return b""
        fd = self.errfile.fileno()
        return os.pread(fd, os.fstat(fd).st_size, 0)

    def signal(self, sig):
        self.proc.send_signal(sig)

    def keeper(self):
        """portico's one child while the VS Code server runs: its keeper."""
        kids = children(self.proc.pid)
        check(len(kids) == 1, "portico's children: %r" % kids)
        with open("/proc/%d/comm" % kids[0]) as f:
            check(f.read().strip() == "portico-keeper", "its child is the keeper")
        return kids[0]

    def vscode_server(self):
        """The VS Code server: the keeper's one child."""
        kids = children(self.keeper())
        check(len(kids) == 1, "the keeper's children: %r" % kids)
        return kids[0]

    def wait(self, timeout=15):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise Fail("server did not exit within %ss" % timeout)

    def stop(self, timeout=15, err=None):
        """SIGTERM, then assert a clean exit and a clean log (`err`, when the
        caller read it)."""
        if self.proc.poll() is None:
            self.signal(signal.SIGTERM)
        rc = self.wait(timeout)
        err = self.stderr() if err is None else err
        check(not SANITIZER.search(err), "sanitizer report:\n" + err.decode(errors="replace")[-3000:])
        check(b": fatal:" not in err and b": alert:" not in err, "fatal line in log: %r" % err[-500:])
        for line in err.splitlines():
            check(line.startswith(b"portico: "), "log line without prefix: %r" % line)
        check(rc == 0, "exit status %s, stderr: %r" % (rc, err[-500:]))
        return err

    def connect(self, timeout=5):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return s

    def url(self, path="/"):
        return "http://127.0.0.1:%d%s" % (self.port, path)


def children(pid):
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True).stdout
    return [int(k) for k in out.split()]


def home_env(home):
    return {"HOME": home, "XDG_CONFIG_HOME": os.path.join(home, "config"), "XDG_DATA_HOME": os.path.join(home, "data")}


def run_cli(*args, env=None, timeout=10, stdin=None, discover=False):
    """Runs portico to completion (for usage and config errors); without a
    VS Code server, as Portico() does, unless discover=True."""
    full_env = {"PATH": "/usr/bin:/bin", **home_env(tempfile.mkdtemp(prefix="portico-e2e-"))}
    full_env.update(env or {})
    subcommand = args[:1] == ("hash-password",)
    none = [] if discover or subcommand or any(a.startswith("--vscode-") for a in args) else ["--vscode-server", "none"]
    p = subprocess.run(EMULATOR + [BINARY] + none + list(args), capture_output=True, env=full_env, timeout=timeout,
                       input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL)
    return p.returncode, p.stdout, p.stderr


def recv_all(s, timeout=5, limit=64 << 20):
    """Reads until the peer closes (or the timeout: then raises)."""
    s.settimeout(timeout)
    data = b""
    deadline = time.monotonic() + timeout
    while len(data) < limit:
        if time.monotonic() > deadline:
            raise Fail("peer did not close within %ss; got %r" % (timeout, data[:200]))
        try:
            chunk = s.recv(65536)
        except ConnectionResetError:
            raise Fail("connection reset; got %r" % data[:200])
        if not chunk:
            return data
        data += chunk
    raise Fail("response too large")


def recv_until(s, needle):
    """Reads until `needle` has arrived (the socket's timeout bounds each
    read); fails if the peer closes first.  Returns all that was read."""
    got = b""
    while needle not in got:
        chunk = s.recv(65536)
        check(chunk, "closed before %r: %r" % (needle, got[:200]))
        got += chunk
    return got


def exchange(p, raw, timeout=5):
    """Sends raw bytes, half-closes, and returns everything until the server closes."""
    s = p.connect(timeout)
    s.sendall(raw)
    s.shutdown(socket.SHUT_WR)
    try:
        return recv_all(s, timeout)
    finally:
        s.close()


def parse_responses(data, head_only=False):
    """Splits a byte stream into (status, headers, body) tuples by Content-Length."""
    out = []
    while data:
        end = data.find(b"\r\n\r\n")
        if end < 0:
            raise Fail("incomplete response head: %r" % data[:200])
        head = data[:end].decode("latin-1").split("\r\n")
        m = re.match(r"HTTP/1\.1 (\d{3}) ", head[0])
        if not m:
            raise Fail("bad status line: %r" % head[0])
        headers = {}
        for line in head[1:]:
            k, _, v = line.partition(":")
            headers.setdefault(k.strip().lower(), v.strip())
        n = 0 if head_only else int(headers.get("content-length", "0"))
        body = data[end + 4:end + 4 + n]
        if len(body) != n:
            raise Fail("short body: %d of %d" % (len(body), n))
        out.append((int(m.group(1)), headers, body))
        data = data[end + 4 + n:]
    return out


_LEFTOVER = {}


def read_response(s, timeout=5):
    """Reads one response with a Content-Length from a kept-alive socket;
    bytes of a following (pipelined) response are kept for the next call."""
    s.settimeout(timeout)
    data = _LEFTOVER.pop(s.fileno(), b"")
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            raise Fail("closed before a response head; got %r" % data)
        data += chunk
    end = data.find(b"\r\n\r\n")
    m = re.search(rb"\r\ncontent-length: *(\d+)", data[:end], re.I)
    n = int(m.group(1)) if m else 0
    while len(data) < end + 4 + n:
        chunk = s.recv(65536)
        if not chunk:
            raise Fail("closed mid-body")
        data += chunk
    if len(data) > end + 4 + n:
        _LEFTOVER[s.fileno()] = data[end + 4 + n:]
    return parse_responses(data[:end + 4 + n])[0]


def is_closed(s, timeout=3):
    """True when the server closes the socket (EOF or reset) within timeout."""
    s.settimeout(timeout)
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def curl(*args, timeout=10):
    p = subprocess.run(["curl", "-sS", "--max-time", str(timeout)] + list(args),
                       capture_output=True, timeout=timeout + 5)
    return p.returncode, p.stdout, p.stderr
