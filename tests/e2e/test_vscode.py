# SPDX-License-Identifier: MIT
"""The real VS Code server, started and supervised by portico, in Chromium:
log in, Explorer, editor, terminal; every connection cut and the workbench
reconnecting; once relayed with splice and once with the copy path.  Then
the server killed mid-session: a clear 503 or 502, and back after the
restart."""
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

from harness import Fail, Portico, check, curl

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
SERVER = os.path.join(ROOT, "build/vscode/install/node_modules/code-server/lib/vscode/out/server-main.js")
SETTINGS = {
    "workbench.startupEditor": "none", "security.workspace.trust.enabled": False, "telemetry.telemetryLevel": "off",
    "update.mode": "none", "extensions.autoCheckUpdates": False, "extensions.autoUpdate": False,
    "extensions.ignoreRecommendations": True, "workbench.enableExperiments": False, "workbench.tips.enabled": False,
    "terminal.integrated.enablePersistentSessions": False, "chat.disableAIFeatures": True,
}


def workspace(prefix="portico-vscode-test-"):
    """A directory with the user data (SETTINGS) in ud/ and a folder to open,
    sample/, holding hello.txt and second.txt; (directory, folder)."""
    d = tempfile.mkdtemp(prefix=prefix)
    folder = os.path.join(d, "sample")
    os.makedirs(os.path.join(d, "ud", "User"))
    os.makedirs(folder)
    for name in ("hello.txt", "second.txt"):
        with open(os.path.join(folder, name), "w") as f:
            f.write("from portico %s\n" % name)
    with open(os.path.join(d, "ud", "User", "settings.json"), "w") as f:
        json.dump(SETTINGS, f)
    return d, folder


def start(*extra):
    check(os.path.exists(SERVER), "no VS Code server at %s (make check installs it)" % SERVER)
    d, folder = workspace()
    p = Portico("--vscode-server", SERVER, "--user-data-dir", os.path.join(d, "ud"), "--extensions-dir",
                os.path.join(d, "ext"), "--vscode-option", "disable-workspace-trust", *extra, folder,
                auth=True, env={"PASSWORD": "vscode-pw", "EXTENSIONS_GALLERY": "{}"})
    return p, folder


def cut_connections(port):
    subprocess.run(["ss", "-K", "-t", "state", "established", "( dport = :%d or sport = :%d )" % (port, port)],
                   capture_output=True, check=True)


def paused_script(script, args, ready, between, timeout):
    """node tests/browser/SCRIPT ARGS: when it prints `ready` and waits, runs
    between(), then lets it go on.  (exit status, its JSON report, stderr)."""
    node = subprocess.Popen(["node", os.path.join(ROOT, "tests/browser", script), *args], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "NODE_PATH": os.path.join(ROOT, "tests/browser/node_modules")})
    try:
        line = node.stdout.readline()
        if line.strip() != ready:
            out, err = node.communicate(timeout=60)
            raise Fail("%s did not get to %s: %r %r" % (script, ready, line + out, err[-1500:]))
        between()
        node.stdin.write(b"GO\n")
        node.stdin.flush()
        out, err = node.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Fail("%s hung" % script)
    finally:
        if node.poll() is None:
            node.kill()
            node.wait()
    return node.returncode, json.loads(out.strip().splitlines()[-1]), err


def login_cookie(p, password="vscode-pw"):
    rc, out, _ = curl("-si", "--data-urlencode", "password=" + password, p.url("/login"))
    m = re.search(rb"\r\nSet-Cookie: (code-server-session=[^;]+)", out)
    check(m, "no session from the login: %r" % out[:400])
    return m.group(1).decode()


def vscode_health(p, cookie):
    """What /healthz?verbose says of the VS Code server (for a logged-in request)."""
    return json.loads(curl("-s", "-H", "Cookie: " + cookie, p.url("/healthz?verbose"))[1])["vscode"]


def browser_session(p, folder, shot, scheme="http"):
    url = "%s://127.0.0.1:%d/" % (scheme, p.port)
    rc, report, err = paused_script("workbench.cjs", [url, "vscode-pw", folder, shot], b"CUT",
                                    lambda: cut_connections(p.port), 150)
    check(rc == 0, "browser check failed: %s\n%s" % (report, err[-1500:]))
    check(len(report["sockets"]) >= 4, "no reconnection seen: %s" % report["sockets"])
    return report


def child_environment():
    """The environment of the running VS Code server (its Node process)."""
    pids = subprocess.run(["pgrep", "-f", "node " + SERVER], capture_output=True).stdout.split()  # not portico
    check(pids, "no VS Code server process")
    with open("/proc/%s/environ" % pids[0].decode(), "rb") as f:
        return dict(kv.split(b"=", 1) for kv in f.read().split(b"\0") if b"=" in kv)


def workbench_case(mode, *extra, scheme="http", env_checks=None):
    p, folder = start(*extra)
    try:
        report = browser_session(p, folder, os.path.join(ROOT, "build/test-logs/workbench-%s.png" % mode), scheme)
        check(all(u.startswith(scheme.replace("http", "ws") + "://") for u in report["sockets"]), report["sockets"])
        if env_checks:
            env_checks(child_environment())
    finally:
        err = p.stop(timeout=20)
    check(b"vscode: ready after" in err, err[-500:])
    check(subprocess.run(["pgrep", "-f", SERVER], capture_output=True).returncode == 1, "a VS Code process survived")


def case_workbench_spliced():
    workbench_case("splice")


def case_workbench_copied():
    workbench_case("copy", "--no-splice")


def case_workbench_over_tls_with_the_generated_certificate():
    # --cert=true: a bare --cert would take the folder after it as its file.
    def env_checks(env):
        check(env.get(b"VSCODE_PROXY_URI") == b"//{{port}}.ide.test", "VSCODE_PROXY_URI: %r" % env.get(b"VSCODE_PROXY_URI"))
        check(b"PASSWORD" not in env and b"HASHED_PASSWORD" not in env, "the password reached VS Code's environment")
    workbench_case("tls", "--cert=true", "--proxy-domain", "ide.test", scheme="https", env_checks=env_checks)


def trusted_session(p, folder, home, shot):
    url = "https://portico-box.test:%d/" % p.port
    node = subprocess.run(["node", os.path.join(ROOT, "tests/browser/trusted.cjs"), url, "vscode-pw", folder, home, shot],
                          capture_output=True, timeout=240,
                          env={**os.environ, "NODE_PATH": os.path.join(ROOT, "tests/browser/node_modules")})
    return node.returncode, json.loads(node.stdout.strip().splitlines()[-1]), node.stderr


def case_workbench_over_https_with_the_boxs_ca_trusted_as_a_user_trusts_it():
    """The CA imported into Chromium's NSS database with certutil, nothing
    ignored: https to a LAN-looking name, a secure context, a service worker,
    a webview.  The same browser without the CA refuses the site."""
    p, folder = start("--cert=true", "--cert-host", "portico-box.test")
    with open(os.path.join(folder, "README.md"), "w") as f:
        f.write("# Rendered by portico\n\nfrom portico README.md\n")
    ca = os.path.join(p.home, "data", "code-server", "portico-ca.crt")
    try:
        untrusting = tempfile.mkdtemp(prefix="portico-nss-")
        rc, report, err = trusted_session(p, folder, untrusting, os.path.join(ROOT, "build/test-logs/untrusted.png"))
        check(rc != 0 and "ERR_CERT_AUTHORITY_INVALID" in report.get("error", ""), "trusted without the CA: %s" % report)
        home = tempfile.mkdtemp(prefix="portico-nss-")
        nssdb = "sql:" + os.path.join(home, ".pki", "nssdb")
        os.makedirs(os.path.join(home, ".pki", "nssdb"))
        subprocess.run(["certutil", "-d", nssdb, "-N", "--empty-password"], check=True, capture_output=True)
        subprocess.run(["certutil", "-d", nssdb, "-A", "-t", "C,,", "-n", "portico", "-i", ca], check=True,
                       capture_output=True)
        rc, report, err = trusted_session(p, folder, home, os.path.join(ROOT, "build/test-logs/workbench-trusted.png"))
        check(rc == 0, "the trusted workbench: %s\n%s" % (report, err[-1500:].decode(errors="replace")))
        check(report["secureContext"] is True and report["serviceWorker"] in ("activated", "activating"), report)
        print("trusted: %s" % report)
        shutil.rmtree(home, ignore_errors=True)
        shutil.rmtree(untrusting, ignore_errors=True)
    finally:
        p.stop(timeout=20)


def below(pid):
    """Every process below `pid`, from /proc's parent links."""
    parents = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open("/proc/%s/stat" % name) as f:
                    parents[int(name)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (FileNotFoundError, ProcessLookupError, IndexError):
                pass
    found, more = set(), {pid}
    while more:
        more = {c for c, pp in parents.items() if pp in more} - found
        found |= more
    return found


def case_idle_stop_ends_every_process_and_a_new_tab_gets_a_working_workbench():
    p, folder = start("--vscode-idle-timeout", "5")
    cookie = login_cookie(p)

    def tab_closed():
        tree = below(p.proc.pid)
        # The terminal's two, below portico (another test's may run elsewhere on the box).
        sleeps = [int(s) for s in subprocess.run(["pgrep", "-f", "^sleep 100[01]$"], capture_output=True).stdout.split()]
        check(len([s for s in sleeps if s in tree]) == 2, "the terminal's sleeps: %r, below: %r" % (sleeps, sorted(tree)))
        deadline = time.monotonic() + 40
        while below(p.proc.pid):
            check(time.monotonic() < deadline, "still below portico: %r" % sorted(below(p.proc.pid)))
            time.sleep(0.2)
        check(not any(os.path.exists("/proc/%d" % pid) for pid in tree), "a process of the old tree is left")
        v = vscode_health(p, cookie)
        check(v["state"] == "stopped" and v["processes"] == 0, v)
    try:
        rc, report, err = paused_script("idle.cjs", [p.url("/"), "vscode-pw", folder,
                                                     os.path.join(ROOT, "build/test-logs/workbench-idle.png")],
                                        b"CLOSED", tab_closed, 200)
    finally:
        err_log = p.stop(timeout=30)
    check(rc == 0, "browser check failed: %s\n%s" % (report, err[-1500:]))
    check(b"vscode: stopping: unused for" in err_log and err_log.count(b"vscode: ready after") == 2, err_log[-1500:])
    print("reopened in %d ms" % report["reopen_ms"])


def case_server_killed_mid_session():
    p, folder = start()
    try:
        cookie = login_cookie(p)
        # With the folder named: a bare / is sent there first (code-server's last opened folder).
        status = lambda: curl("-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Cookie: " + cookie,
                              p.url("/?folder=" + folder))[1]
        check(status() == b"503", "first request while the server starts")
        deadline = time.monotonic() + 30
        while status() != b"200":
            check(time.monotonic() < deadline, "the server never came up")
            time.sleep(0.2)
        os.kill(p.vscode_server(), signal.SIGKILL)
        time.sleep(0.3)
        during = status()
        check(during in (b"502", b"503"), "after the kill: %r" % during)
        deadline = time.monotonic() + 30
        while status() != b"200":
            check(time.monotonic() < deadline, "the server never came back")
            time.sleep(0.2)
    finally:
        err = p.stop(timeout=20)
    check(b"vscode: killed by signal 9" in err and b"vscode: restarting in" in err, err[-800:])
