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

import wsclient
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
        pid = p.vscode_server()
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            argv = f.read().split(b"\0")
        with open("/proc/%d/environ" % pid, "rb") as f:
            env = f.read()
        data = os.path.join(home, "data", "code-server").encode()
        check(any(a.endswith(b"server-main.js") for a in argv), argv)
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


def still_running(p, seconds):
    """True when portico has not exited within `seconds` (a bounded wait on the process, not a sleep)."""
    try:
        p.proc.wait(timeout=seconds)
        return False
    except subprocess.TimeoutExpired:
        return True


def case_idle_timeout_exits_0_and_an_open_connection_is_activity():
    # Nothing at all: gone (status 0) once the timeout has passed since the start.
    t0 = time.monotonic()
    p = Portico("--idle-timeout-seconds", "2")
    rc = p.wait(10)
    took = time.monotonic() - t0
    err = p.stderr()
    check(rc == 0 and b"idle timeout of 2 seconds exceeded" in err, (rc, err))
    check(took >= 2, "exited after %.1f s, before the timeout" % took)
    # A request moves it on; an open WebSocket (a tab left open) keeps it alive for as long as it is open.
    p = Portico("--idle-timeout-seconds", "2", env={"CODE_SERVER_IDLE_TIMEOUT_SECONDS": "600"})
    ws = wsclient.Conn(p.port)
    try:
        check(still_running(p, 5), "exited with a WebSocket open: %r" % p.stderr())
        ws.send(wsclient.frame(0x1, b"?"))
        check(ws.read_frame()[1].startswith(b'{"event":"health"'), "the WebSocket does not answer")
    finally:
        ws.s.close()
    check(p.wait(10) == 0, "did not end once the WebSocket closed")
    p.stop()


def case_heartbeat_file_on_activity_at_most_once_a_minute_never_through_a_link():
    p = Portico()
    hb = os.path.join(p.home, "data", "code-server", "heartbeat")
    try:
        curl("-s", p.url("/healthz"))
        check(not os.path.exists(hb), "/healthz beat")
        curl("-s", p.url("/robots.txt"))
        check(os.path.exists(hb) and os.path.getsize(hb) == 0, "no empty heartbeat file after a request")
        os.unlink(hb)
        curl("-s", p.url("/robots.txt"))
        check(not os.path.exists(hb), "written twice within a minute")
    finally:
        p.stop()
    # A link planted in its place: the file it names is left alone, and one line says why.
    victim = os.path.join(p.home, "victim")
    with open(victim, "w") as f:
        f.write("keep")
    os.symlink(victim, hb)
    p = Portico(home=p.home)
    try:
        curl("-s", p.url("/robots.txt"))
        curl("-s", p.url("/robots.txt"))
    finally:
        err = p.stop()
    with open(victim) as f:
        check(f.read() == "keep", "emptied through a link")
    check(err.count(b"heartbeat " + hb.encode()) == 1, err)


def login_page(p, path="/login"):
    rc, out, _ = curl("-s", p.url(path))
    return out.decode()


def case_login_page_follows_locale_and_i18n():
    # --locale: the language code-server's package has (ja), a region falling back to its language.
    for loc in ("ja", "JA-jp"):
        p = Portico("--vscode-server", SERVER, "--locale", loc, auth=True, env={"PASSWORD": PW})
        try:
            page = login_page(p)
        finally:
            p.stop()
        check("<title>portico ログイン</title>" in page and "ようこそ portico へ！" in page and
              'placeholder="パスワード"' in page and "環境変数 $PASSWORD" in page, page)
    # A language it has not: English, as code-server.
    p = Portico("--vscode-server", SERVER, "--locale", "xx", auth=True, env={"PASSWORD": PW})
    try:
        check("Welcome to portico" in login_page(p), "not English")
    finally:
        p.stop()
    # --i18n: members laid over the locale; text, never markup; --welcome-text wins over both.
    d = tempfile.mkdtemp(prefix="portico-i18n-")
    strings = os.path.join(d, "strings.json")
    with open(strings, "w") as f:
        json.dump({"WELCOME": "Hallo {{app}} <b>", "SUBMIT": "Los", "INCORRECT_PASSWORD": "Falsch"}, f)
    p = Portico("--vscode-server", SERVER, "--locale", "ja", "--i18n", strings, "--app-name", "Box",
                auth=True, env={"PASSWORD": PW})
    try:
        page = login_page(p)
        check("Hallo Box &lt;b&gt;" in page and ">Los</button>" in page and "Box ログイン" in page, page)
        rc, out, _ = curl("-s", "--data", "password=wrong", p.url("/login"))
        check("Falsch" in out.decode(), out[-600:])
    finally:
        p.stop()
    p = Portico("--i18n", strings, "--welcome-text", "Mine", auth=True, env={"PASSWORD": PW})
    try:
        page = login_page(p)
        check("<h1>Mine</h1>" in page and ">Los</button>" in page, page)
    finally:
        p.stop()
    # A file that is not an object of strings, or none: one line naming it, status 102.
    with open(strings, "w") as f:
        f.write('{"WELCOME": 1}')
    for path in (strings, os.path.join(d, "none.json")):
        rc, _, err = run_cli("--i18n", path, "--auth", "none", "--bind-addr", "127.0.0.1:0")
        check(rc == 102 and b"fatal: i18n " + path.encode() in err, (rc, err))
    shutil.rmtree(d)


def case_idle_time_runs_from_the_last_connections_close():
    """From an adversarial review: the time was counted from the minute's
    check that last saw a connection, so one closed just before the next
    check left almost nothing.  It counts from the close."""
    p = Portico("--idle-timeout-seconds", "2")
    s = p.connect()
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    s.recv(4096)
    check(still_running(p, 3.8), "exited with a connection open")   # a check at about 2 s saw it
    s.close()
    closed = time.monotonic()
    check(p.wait(10) == 0, "did not end")
    check(time.monotonic() - closed >= 1.8, "ended %.2f s after the last close" % (time.monotonic() - closed))
    p.stop()


def case_review_findings_on_files_code_server_shares():
    """From an adversarial review: a linked --i18n file is read; a coder.json
    that cannot be read is neither used nor replaced; an empty ?folder= keeps
    the last folder; a serve-web-key-half of another length is served as it
    is; words too long for the login page are an error at start."""
    d = tempfile.mkdtemp(prefix="portico-review-")
    strings = os.path.join(d, "strings.json")
    with open(strings, "w") as f:
        json.dump({"SUBMIT": "Los"}, f)
    os.symlink(strings, os.path.join(d, "link.json"))
    p = Portico("--i18n", os.path.join(d, "link.json"), auth=True, env={"PASSWORD": PW})
    try:
        check(">Los</button>" in login_page(p), "the linked file was not read")
    finally:
        p.stop()
    rc, _, err = run_cli("--welcome-text", "W" * 7500, "--bind-addr", "127.0.0.1:0", env={"PASSWORD": PW})
    check(rc == 102 and b"too long" in err, (rc, err))
    home = tempfile.mkdtemp(prefix="portico-review-home-")
    proj = os.path.join(home, "proj")
    os.makedirs(proj)
    udd = os.path.join(home, "data", "code-server")
    os.makedirs(udd)
    with open(os.path.join(udd, "serve-web-key-half"), "wb") as f:
        f.write(b"12345")
    real = os.path.join(home, "real.json")
    with open(real, "w") as f:
        json.dump({"query": {"folder": "/real"}, "update": {"checked": 1}}, f)
    os.symlink(real, os.path.join(udd, "coder.json"))
    p = Portico("--vscode-server", SERVER, proj, auth=True, home=home, env={"PASSWORD": PW})
    try:
        cookie = cookie_of(login(p, PW))
        check(location(p, "/", cookie) == (302, "/?folder=" + proj), location(p, "/", cookie))
        location(p, "/?folder=" + proj, cookie)
        check(os.path.islink(os.path.join(udd, "coder.json")), "the linked coder.json was replaced")
        os.unlink(os.path.join(udd, "coder.json"))
        location(p, "/?folder=" + proj, cookie)
        check(location(p, "/?folder=", cookie) == (302, "/?folder=" + proj), "an empty folder= forgot the last one")
        rc, out, _ = curl("-s", "-X", "POST", "-H", "Cookie: " + cookie, p.url("/mint-key"))
        check(out == b"12345", out)
    finally:
        err = p.stop()
    check(err.count(b"last opened: cannot read") == 1, err)
    shutil.rmtree(d)
    shutil.rmtree(home, ignore_errors=True)
