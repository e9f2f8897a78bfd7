# SPDX-License-Identifier: MIT
"""The EXAMPLES of man/portico.1, run as they are written under Debian's real
runit and s6 (and systemd-socket-activate): each literal block is taken from
the page, installed into a scratch service directory with a scratch user
whose home is a scratch folder, and only these words are changed: the
example's paths (/etc/sv, /etc/s6, /var/log/portico, /home/coder), the user
name, and 0.0.0.0:8080 for 127.0.0.1:0 (loopback, a free port; for
systemd-socket-activate, which takes no port 0, a unix socket).  So the page
cannot drift from what works.

Checked: readiness (s6-svwait -U returns once portico answers), `sv down` and
`s6-svc -d` end it with status 0 within a bound, kill -9 gets it restarted,
its lines reach svlogd and s6-log, socket activation through
s6-ipcserver-socketbinder (descriptor 0) and systemd-socket-activate
(LISTEN_FDS, no flag), and a supervisor that keeps root's HOME gets a line
that says to set HOME.  Needs root (a scratch user); make check runs as root."""
import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import time

from harness import BINARY, EMULATOR, check, curl

HERE = os.path.dirname(os.path.abspath(__file__))
MAN = os.path.join(HERE, "..", "..", "man", "portico.1")
BOUND = 20   # seconds any supervisor step may take


def examples():
    """{path: text} of the literal blocks under EXAMPLES, each named by the
    last .Pa before it; a block with no path of its own is a command line,
    listed under None."""
    with open(MAN) as f:
        page = f.read()
    section = page[page.index(".Sh EXAMPLES\n"):]
    section = section[:section.index("\n.Sh ", 1)]
    out, path, block = {}, None, None
    for line in section.splitlines():
        if block is not None:
            if line == ".Ed":
                out.setdefault(path, "\n".join(block) + "\n")
                block, path = None, None
            else:
                block.append(line.replace("\\&", "").replace("\\e", "\\"))
        elif line.startswith(".Bd -literal"):
            block = []
        elif line.startswith(".Pa /"):
            path = line.split()[1]
    return out


class Scratch:
    """A user of its own, its home, a folder for service directories and
    logs, and a PATH on which `portico` is the binary under test."""

    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="portico-sv-")
        os.chmod(self.root, 0o755)
        self.user = "psv" + secrets.token_hex(4)
        self.home = os.path.join(self.root, "home")
        os.makedirs(self.home)
        subprocess.run(["useradd", "--system", "--no-create-home", "--home-dir", self.home, "--shell",
                        "/usr/sbin/nologin", self.user], check=True, capture_output=True)
        pw = pwd.getpwnam(self.user)
        os.chown(self.home, pw.pw_uid, pw.pw_gid)
        self.uid = pw.pw_uid
        bindir = os.path.join(self.root, "bin")
        os.makedirs(bindir)
        os.symlink(os.path.abspath(BINARY), os.path.join(bindir, "portico"))
        self.env = {"PATH": bindir + ":/usr/bin:/bin:/usr/sbin:/sbin",
                    "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0:exitcode=99"}
        self.procs = []

    def words(self, text):
        for a, b in (("/etc/sv", os.path.join(self.root, "sv")), ("/etc/s6", os.path.join(self.root, "s6")),
                     ("/var/log/portico", os.path.join(self.root, "log")), ("/home/coder", self.home),
                     ("0.0.0.0:8080", "127.0.0.1:0"), ("127.0.0.1:8080", "127.0.0.1:0")):
            text = text.replace(a, b)
        return re.sub(r"\bcoder\b", self.user, text)

    def install(self, path):
        """Writes the example named `path` where the scratch words put it."""
        text = examples()[path]
        dest = self.words(path)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "w") as f:
            f.write(self.words(text))
        os.chmod(dest, 0o755 if dest.endswith("/run") else 0o644)
        return dest

    def start(self, argv):
        p = subprocess.Popen(argv, env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
        self.procs.append(p)
        return p

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        # Anything left running as the scratch user (a portico whose supervisor was killed).
        subprocess.run(["pkill", "-KILL", "-u", self.user], capture_output=True)
        subprocess.run(["userdel", self.user], capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)


def until(what, fn, bound=BOUND):
    """fn() polled until it returns something true, at most `bound` seconds."""
    end = time.monotonic() + bound
    while time.monotonic() < end:
        v = fn()
        if v:
            return v
        time.sleep(0.1)   # a supervisor's state, read again (bounded)
    raise AssertionError("%s: not within %d s" % (what, bound))


def log_ports(logdir):
    try:
        with open(os.path.join(logdir, "current"), errors="replace") as f:
            return [int(p) for p in re.findall(r"portico: info: listening on http://127\.0\.0\.1:(\d+)", f.read())]
    except FileNotFoundError:
        return []


def log_text(logdir):
    try:
        with open(os.path.join(logdir, "current"), errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def healthy(port):
    rc, out, _ = curl("-s", "-m", "5", "http://127.0.0.1:%d/healthz" % port)
    return rc == 0 and b'"status"' in out


def uid_of(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"^Uid:\s+(\d+)", f.read(), re.M).group(1))


def sv(*args):
    return subprocess.run(["sv", *args], capture_output=True, text=True).stdout


def runit_pid(svdir):
    m = re.match(r"run: [^:]+: \(pid (\d+)\)", sv("status", svdir))
    return int(m.group(1)) if m else None


def case_runit_service_from_the_man_page():
    if EMULATOR:
        return
    s = Scratch()
    try:
        svdir = os.path.dirname(s.install("/etc/sv/portico/run"))
        s.install("/etc/sv/portico/log/run")
        logdir = os.path.join(s.root, "log")
        s.start(["runsv", svdir])
        port = until("portico listening, in svlogd's log", lambda: (log_ports(logdir) or [None])[-1])
        check(healthy(port), "no /healthz on %d" % port)
        pid = runit_pid(svdir)
        check(pid and uid_of(pid) == s.uid, "not running as the scratch user: %r" % sv("status", svdir))
        check(os.path.exists(os.path.join(s.home, ".config/code-server/config.yaml")), "no config in the user's HOME")
        # kill -9: runsv starts it again, and it listens again.
        os.kill(pid, signal.SIGKILL)
        until("restarted after kill -9", lambda: runit_pid(svdir) not in (None, pid) and len(log_ports(logdir)) >= 2)
        check(healthy(log_ports(logdir)[-1]), "no /healthz after the restart")
        # sv down: SIGTERM, a drain, "stopped", down within the bound.
        t0 = time.monotonic()
        sv("down", svdir)
        until("down after sv down", lambda: sv("status", svdir).startswith("down:"))
        check(time.monotonic() - t0 < 10, "sv down took %.1f s" % (time.monotonic() - t0))
        until("its last lines in svlogd's log", lambda: "portico: info: stopped" in log_text(logdir), bound=5)
        check("fatal" not in log_text(logdir) and "Sanitizer" not in log_text(logdir), log_text(logdir)[-2000:])
        sv("exit", svdir)
        sv("exit", os.path.join(svdir, "log"))
    finally:
        s.close()


def s6(*args):
    return subprocess.run(list(args), capture_output=True, text=True)


def s6_down(svdir):
    """s6-svc -d: down within 10 s, with exit status 0."""
    t0 = time.monotonic()
    s6("s6-svc", "-d", svdir)
    check(s6("s6-svwait", "-D", "-t", "10000", svdir).returncode == 0, "not down within 10 s")
    status = s6("s6-svstat", svdir).stdout
    check(status.startswith("down (exitcode 0)"), "s6-svstat: %r after %.1f s" % (status, time.monotonic() - t0))


def case_s6_service_readiness_and_logs_from_the_man_page():
    if EMULATOR:
        return
    s = Scratch()
    try:
        svdir = os.path.dirname(s.install("/etc/s6/portico/run"))
        s.install("/etc/s6/portico/notification-fd")
        s.install("/etc/s6/portico/log/run")
        logdir = os.path.join(s.root, "log")
        scandir = os.path.dirname(svdir)
        s.start(["s6-svscan", scandir])
        until("s6-supervise up", lambda: os.path.exists(os.path.join(svdir, "supervise", "status")))
        # Readiness: s6-svwait -U returns once portico listens (its --ready-fd line on fd 3).
        w = s6("s6-svwait", "-U", "-t", str(BOUND * 1000), svdir)
        check(w.returncode == 0, "s6-svwait -U: %r" % w)
        port = until("the address in s6-log's log", lambda: (log_ports(logdir) or [None])[-1], bound=5)
        check(healthy(port), "ready, but no /healthz on %d" % port)
        pid = int(s6("s6-svstat", "-p", svdir).stdout.strip())
        check(uid_of(pid) == s.uid, "not running as the scratch user")
        os.kill(pid, signal.SIGKILL)
        until("restarted after kill -9", lambda: s6("s6-svstat", "-p", svdir).stdout.strip() not in ("", "-1", str(pid)))
        check(s6("s6-svwait", "-U", "-t", str(BOUND * 1000), svdir).returncode == 0, "not ready again")
        check(healthy(log_ports(logdir)[-1]), "no /healthz after the restart")
        # s6-svc -d: down within the bound, exit status 0.
        s6_down(svdir)
        until("its last lines in s6-log's log", lambda: "portico: info: stopped" in log_text(logdir), bound=5)
        s6("s6-svscanctl", "-t", scandir)
    finally:
        s.close()


def case_socket_activation_from_the_man_page():
    if EMULATOR:
        return
    s = Scratch()
    try:
        # s6-ipcserver-socketbinder: the unix socket as descriptor 0.
        svdir = os.path.dirname(s.install("/etc/s6/portico-socket/run"))
        sock = os.path.join(s.home, "portico.sock")
        s.start(["s6-supervise", svdir])
        until("the socket bound", lambda: os.path.exists(sock))
        rc, out, err = curl("-s", "-m", "10", "--unix-socket", sock, "http://localhost/healthz")
        check(rc == 0 and b'"status"' in out, "nothing served on the handed-over socket: %r" % err)
        check(os.stat(sock).st_uid == s.uid and os.stat(sock).st_mode & 0o777 == 0o600, "socket owner or mode")
        s6_down(svdir)
        s6("s6-svc", "-x", svdir)
        # systemd-socket-activate: fd 3 and LISTEN_FDS, no flag.  It takes no
        # port 0, so its address becomes a unix socket in the scratch home.
        asock = os.path.join(s.home, "activate.sock")
        line = s.words(examples()[None].replace("127.0.0.1:8080", asock)).split()
        check(line[0] == "systemd-socket-activate", line)
        env = dict(s.env, HOME=s.home)
        p = subprocess.Popen(line + ["--auth", "none", "--vscode-server", "none"], env=env,
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        s.procs.append(p)
        until("systemd-socket-activate listening", lambda: os.path.exists(asock))
        rc, out, err = curl("-s", "-m", "10", "--unix-socket", asock, "http://localhost/healthz")
        check(rc == 0 and b'"status"' in out, "nothing served on the socket systemd-socket-activate passed: %r" % err)
        p.send_signal(signal.SIGTERM)
        check(p.wait(timeout=10) == 0, "exit status %s" % p.returncode)
        err = p.stderr.read()
        check(b"listening on unix:" + asock.encode() in err and b"fatal" not in err, err)
    finally:
        s.close()


def case_a_supervisor_that_keeps_roots_home_is_told_to_set_home():
    """chpst -u and s6-setuidgid change the user, not HOME: portico says so."""
    if EMULATOR:
        return
    s = Scratch()
    try:
        env = dict(s.env, HOME="/root")
        p = subprocess.run(["chpst", "-u", s.user, "portico", "--bind-addr", "127.0.0.1:0", "--vscode-server", "none"],
                           env=env, capture_output=True, timeout=10)
        check(p.returncode in (102, 111) and b"set HOME for this user" in p.stderr, (p.returncode, p.stderr))
    finally:
        s.close()
