# SPDX-License-Identifier: MIT
"""A code-server user switching by renaming the command: the VS Code server
found where code-server users have one, code-server's folders, its flags
reaching the VS Code server as code-server passes them, its extension
commands, its endpoints (/_static, /manifest.json, /update/check) and its
flow (the folder through the login, the last opened folder in coder.json)."""
import html
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.parse

from harness import BINARY, Portico, check, curl, run_cli
from test_auth import cookie_of, login

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
PACKAGE = os.path.join(ROOT, "build/vscode/install/node_modules/code-server")
SERVER = os.path.join(PACKAGE, "lib/vscode/out/server-main.js")
PW = "cs-pw"


def workbench_settings(p, cookie, path="/", deadline=60):
    """The web configuration the workbench page embeds, once the server is up."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        rc, out, _ = curl("-s", "-H", "Cookie: " + cookie, p.url(path), timeout=20)
        m = re.search(rb'id="vscode-workbench-web-configuration" data-settings="([^"]*)"', out)
        if m:
            return json.loads(html.unescape(m.group(1).decode()))
        time.sleep(0.5)   # the 503 "starting" page: the server is being started, poll it (bounded)
    raise AssertionError("no workbench page at %s within %d s" % (path, deadline))


def server_pids(p):
    """The VS Code server processes below portico (its pid's children)."""
    out = subprocess.run(["ps", "-eo", "pid,ppid,args"], capture_output=True, text=True).stdout
    return [int(line.split()[0]) for line in out.splitlines()[1:]
            if line.split()[1] == str(p.proc.pid) and "server-main.js" in line]


def fake_package(where, version):
    d = os.path.join(where, "code-server-" + version)
    os.makedirs(os.path.join(d, "lib/vscode/out"))
    open(os.path.join(d, "lib/vscode/out/server-main.js"), "w").close()
    return d


def case_a_vscode_server_is_found_where_code_server_users_have_one():
    home = tempfile.mkdtemp(prefix="portico-cs-home-")
    lib = os.path.join(home, ".local/lib")
    for v in ("4.99.0", "4.100.3", "4.9.1"):
        fake_package(lib, v)
    p = Portico(auth=True, home=home, env={"HOME": home, "PASSWORD": PW}, discover=True)
    err = p.stop()
    check(b"vscode: " + os.path.join(lib, "code-server-4.100.3/lib/vscode/out/server-main.js").encode() in err, err)
    # None of them: make run's, beside the binary.
    p = Portico(auth=True, env={"PASSWORD": PW}, discover=True)
    err = p.stop()
    check(b"vscode: " + SERVER.encode() in err, err)
    # Nowhere (a binary alone in a folder): said once, the login works, VS Code's pages say how to get one.
    alone = tempfile.mkdtemp(prefix="portico-cs-alone-")
    binary = os.path.join(alone, "portico")
    shutil.copy(BINARY, binary)
    p = Portico(auth=True, env={"PASSWORD": PW}, discover=True, binary=binary)
    try:
        cookie = cookie_of(login(p, PW))
        rc, out, _ = curl("-si", "-H", "Cookie: " + cookie, p.url("/"))
        check(out.startswith(b"HTTP/1.1 503 ") and b"Install code-server" in out, out[:400])
    finally:
        err = p.stop()
    check(err.count(b"no VS Code server found") == 1, err)
    shutil.rmtree(alone)
    shutil.rmtree(home)


def case_code_servers_flags_reach_the_vscode_server_and_secrets_do_not():
    home = tempfile.mkdtemp(prefix="portico-cs-flags-")
    p = Portico("--vscode-server", SERVER, "--disable-update-check", "--disable-file-downloads",
                "--link-protection-trusted-domains", "https://trusted.example", "--disable-getting-started-override",
                auth=True, home=home, env={"PASSWORD": PW, "GITHUB_TOKEN": "ghp_portico_test_token",
                                           "EXTENSIONS_GALLERY": "{}"})
    try:
        cookie = cookie_of(login(p, PW))
        s = workbench_settings(p, cookie)
        product = s.get("productConfiguration", {})
        check(product.get("logoutEndpoint") == "./logout", "auth did not reach the server: %r" % product)
        check("updateEndpoint" not in product, "--disable-update-check did not: %r" % product)
        check(s.get("isEnabledFileDownloads") is False and s.get("isEnabledFileUploads") is True, s)
        check(s.get("isEnabledCoderGettingStarted") is False, s)
        check("https://trusted.example" in product.get("linkProtectionTrustedDomains", []), product)
        # code-server's folders, and no token anywhere the server can see it.
        pids = server_pids(p)
        check(pids, "no VS Code server below portico")
        for pid in pids:
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                argv = f.read().split(b"\0")
            with open("/proc/%d/environ" % pid, "rb") as f:
                env = f.read()
            data = os.path.join(home, "data", "code-server").encode()
            check(b"--user-data-dir=" + data in argv and b"--extensions-dir=" + data + b"/extensions" in argv, argv)
            check(b"ghp_portico_test_token" not in env and b"ghp_portico_test_token" not in b" ".join(argv), "token leaked")
    finally:
        err = p.stop()
    check(b"--github-auth: not passed on" in err, err)
    shutil.rmtree(home, ignore_errors=True)


def case_extension_commands_run_the_servers_cli():
    rc, out, err = run_cli("--locate-extension", "ms-vscode.js-debug", discover=True, timeout=60)
    check(rc == 0 and out.strip().endswith(b"/lib/vscode/extensions/ms-vscode.js-debug"), (rc, out, err))
    rc, out, err = run_cli("--list-extensions", "--show-versions", discover=True, timeout=60)
    check(rc == 0 and out == b"", (rc, out, err))
    rc, out, err = run_cli("--uninstall-extension", "nonexist.nope", discover=True, timeout=60)
    check(rc == 1 and b"Extension 'nonexist.nope' is not installed." in out + err, (rc, out, err))
    rc, out, err = run_cli("--list-extensions", "--vscode-server", "none", timeout=10)
    check(rc == 102 and b"no VS Code server" in err, (rc, err))


def case_code_servers_endpoints():
    p = Portico("--vscode-server", SERVER, auth=True, env={"PASSWORD": PW})
    try:
        media = os.path.join(PACKAGE, "src/browser/media")
        for name in ("favicon.ico", "favicon-dark-support.svg", "pwa-icon-192.png", "pwa-icon-512.png", "templates.png"):
            rc, out, _ = curl("-s", p.url("/_static/src/browser/media/" + name))   # public, as in code-server
            with open(os.path.join(media, name), "rb") as f:
                check(out == f.read(), "%s differs" % name)
        rc, out, _ = curl("-si", p.url("/_static/out/browser/serviceWorker.js"))
        check(out.startswith(b"HTTP/1.1 200 ") and b"\r\nService-Worker-Allowed: /\r\n" in out, out[:400])
        for path in ("/_static/package.json", "/_static/lib/vscode/product.json", "/_static/src/browser/media/%2e%2e/x"):
            rc, out, _ = curl("-s", "-o", "/dev/null", "-w", "%{http_code}", p.url(path))
            check(out in (b"400", b"404"), "%s: %s" % (path, out))
        for path, prefix in (("/manifest.json", "./"), ("/vscode/manifest.json", "./../")):
            rc, out, _ = curl("-s", p.url(path))
            icons = json.loads(out)["icons"]
            check([i["src"] for i in icons] == [prefix + "_static/src/browser/media/pwa-icon-%s.png" % n
                                                for n in ("192", "512")], icons)
        rc, out, _ = curl("-s", "-o", "/dev/null", "-w", "%{http_code}", p.url("/update/check"))
        check(out == b"401", "/update/check without a session: %s" % out)
        cookie = cookie_of(login(p, PW))
        rc, out, _ = curl("-s", "-H", "Cookie: " + cookie, p.url("/update/check"))
        j = json.loads(out)
        check(j["latest"] == "unknown" and j["current"] == "4.100.3" and j["isLatest"] is True and
              abs(j["checked"] / 1000 - time.time()) < 60, j)
    finally:
        p.stop()


def location(p, path, cookie=None, data=None):
    """(status, the Location resolved as a browser resolves it, its path and query)."""
    args = ["-si"]
    if cookie:
        args += ["-H", "Cookie: " + cookie]
    if data:
        args += ["--data-urlencode", data]
    rc, out, _ = curl(*args, p.url(path))
    head = out.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    loc = next((l.split(":", 1)[1].strip() for l in head[1:] if l.lower().startswith("location:")), "")
    u = urllib.parse.urlsplit(urllib.parse.urljoin(p.url(path), loc)) if loc else None
    return int(head[0].split()[1]), (u.path + ("?" + u.query if u.query else "")) if u else ""


def case_the_folder_survives_the_login_and_the_last_one_is_reopened():
    home = tempfile.mkdtemp(prefix="portico-cs-flow-")
    proj, other = os.path.join(home, "proj"), os.path.join(home, "other")
    os.makedirs(proj)
    os.makedirs(other)
    p = Portico("--vscode-server", SERVER, proj, auth=True, home=home, env={"PASSWORD": PW})
    coder = os.path.join(home, "data", "code-server", "coder.json")
    try:
        check(location(p, "/?folder=" + other) == (302, "/login?folder=" + other), location(p, "/?folder=" + other))
        check(location(p, "/vscode/") == (302, "/login?to=/vscode/"), location(p, "/vscode/"))
        got = location(p, "/login?folder=%s&to=/vscode/" % other, data="password=" + PW)
        check(got == (302, "/vscode/?folder=" + other), got)
        cookie = cookie_of(login(p, PW))
        # Nothing remembered yet: the command line's folder.
        check(location(p, "/", cookie) == (302, "/?folder=" + proj), location(p, "/", cookie))
        check(location(p, "/?folder=" + other, cookie)[0] in (200, 503), "the folder was not served")
        with open(coder) as f:
            check(json.load(f) == {"query": {"folder": other}}, "coder.json")
        mtime = os.stat(coder).st_mtime_ns
        check(location(p, "/?folder=" + other, cookie)[0] in (200, 503), "served again")
        check(os.stat(coder).st_mtime_ns == mtime, "coder.json written again with the same folder")
        # A bare load reopens it, at / and at /vscode/.
        check(location(p, "/", cookie) == (302, "/?folder=" + other), location(p, "/", cookie))
        check(location(p, "/vscode/", cookie) == (302, "/vscode/?folder=" + other), location(p, "/vscode/", cookie))
    finally:
        p.stop()
    # code-server's other members stay; --ignore-last-opened (-e) goes to the command line's folder.
    with open(coder, "w") as f:
        json.dump({"query": {"folder": other}, "update": {"checked": 1, "version": "4.100.3"}}, f)
    p = Portico("--vscode-server", SERVER, "-e", proj, auth=True, home=home, env={"PASSWORD": PW})
    try:
        cookie = cookie_of(login(p, PW))
        check(location(p, "/", cookie) == (302, "/?folder=" + proj), location(p, "/", cookie))
        location(p, "/?folder=" + proj, cookie)
        with open(coder) as f:
            check(json.load(f) == {"query": {"folder": proj}, "update": {"checked": 1, "version": "4.100.3"}}, "kept")
    finally:
        p.stop()
    shutil.rmtree(home, ignore_errors=True)
