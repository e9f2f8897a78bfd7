# SPDX-License-Identifier: MIT
"""Side by side with code-server 4.100.3 itself: both started from the same
config file and flags, each in a home of its own, asked the same requests.
What must match: the status, where a redirect leads (resolved against the
request's URL as a browser resolves it), the names of the cookies set, the
JSON members of code-server's endpoints, and the settings the workbench
page embeds.  What portico does differently on purpose is listed in DIFFER:
each entry names the request, what each side answers, and the words under
which portico(1) says why (DIFFERENCES FROM CODE-SERVER), so neither the
page nor this list can drift from what runs."""
import html
import http.client
import json
import os
import re
import select
import shutil
import subprocess
import tempfile
import time
import urllib.parse

from harness import Portico, check, home_env
from web_app import WebApp

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
PACKAGE = os.path.join(ROOT, "build/vscode/install/node_modules/code-server")
SERVER = os.path.join(PACKAGE, "lib/vscode/out/server-main.js")
MAN = os.path.join(ROOT, "man/portico.1")
PW = "parity-pw"


class CodeServer:
    """code-server 4.100.3 from make check's install, on a port of its own
    choosing (bind-addr :0), read from the line it logs."""

    def __init__(self, config, args, home, env=None):
        full_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **home_env(home), **(env or {})}
        self.proc = subprocess.Popen(["node", os.path.join(PACKAGE, "out/node/entry.js"), "--config", config, *args],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     env=full_env)
        self.log = b""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            m = re.search(rb"HTTP server listening on http://127\.0\.0\.1:(\d+)/", self.log)
            if m:
                self.port = int(m.group(1))
                return
            r, _, _ = select.select([self.proc.stdout], [], [], 0.5)
            if r:
                chunk = os.read(self.proc.stdout.fileno(), 4096)
                if not chunk:
                    break
                self.log += chunk
        self.stop()
        raise AssertionError("code-server did not start: %r" % self.log[-1000:])

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Answer:
    def __init__(self, status, location, cookies, body, headers):
        self.status, self.location, self.cookies, self.body, self.headers = status, location, cookies, body, headers

    def key(self):
        return (self.status, self.location, self.cookies)

    def __repr__(self):
        return "%d %s cookies=%s %r" % (self.status, self.location, self.cookies, self.body[:160])


def where(url, location):
    """A Location as a browser follows it: its path and query, with the empty
    to= that code-server leaves behind (its self() of "/?x" is "") dropped,
    as its login reads an empty to as none."""
    if not location:
        return ""
    u = urllib.parse.urlsplit(urllib.parse.urljoin(url, location))
    pairs = [(k, v) for k, v in urllib.parse.parse_qsl(u.query, keep_blank_values=True) if (k, v) != ("to", "")]
    return u.path + ("?" + urllib.parse.urlencode(pairs, safe="/") if pairs else "")


def ask(port, method, path, cookie=None, form=None, deadline=60):
    """One request on a connection of its own.  A 503 (portico starting its
    VS Code server) is asked again, bounded, as the page it comes with does."""
    end = time.monotonic() + deadline
    while True:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Cookie": cookie} if cookie else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse()
        data = r.read()
        c.close()
        if r.status != 503 or time.monotonic() > end:
            break
        time.sleep(0.5)   # the server is being started; poll it, bounded
    url = "http://127.0.0.1:%d%s" % (port, path)
    names = sorted(v.split("=", 1)[0] for k, v in r.getheaders() if k.lower() == "set-cookie")
    return Answer(r.status, where(url, r.getheader("Location")), names, data, r.getheaders())


def session(port):
    a = ask(port, "POST", "/login", form={"password": PW, "base": ".", "href": "http://127.0.0.1:%d/login" % port})
    for k, v in a.headers:
        if k.lower() == "set-cookie":
            return v.split(";", 1)[0]
    raise AssertionError("no session cookie: %r" % a)


def settings(answer, home):
    """The workbench's web configuration, with the one value that must
    differ, each side's own home, put as HOME."""
    m = re.search(rb'id="vscode-workbench-web-configuration" data-settings="([^"]*)"', answer.body)
    check(m, "no workbench settings: %r" % answer)
    text = html.unescape(m.group(1).decode()).replace(home, "HOME")
    return json.loads(text)


def login_words(page):
    """What the login page says, from either's markup: title, heading, the
    line under it, the placeholder and the button."""
    text = page.decode()
    words = [re.search(r"<title>([^<]*)</title>", text), re.search(r"<h1[^>]*>([^<]*)</h1>", text),
             re.search(r'<div class="sub">([^<]*)</div>', text) or re.search(r"</h1>\s*<p>([^<]*)</p>", text),
             re.search(r'placeholder="([^"]*)"', text),
             re.search(r'value="([^"]*)" type="submit"', text) or re.search(r'<button type="submit">([^<]*)<', text)]
    return [" ".join(html.unescape(m.group(1)).split()) if m else None for m in words]


def man_differences():
    with open(MAN) as f:
        page = f.read()
    start = page.index(".Sh DIFFERENCES FROM CODE-SERVER")
    end = page.index("\n.Sh ", start + 1)
    return re.sub(r"\\\&|\\fB|\\fR|\n\.[A-Z][a-z]? ?", " ", page[start:end])


# Requests answered alike without a session.  PORT is the web app's port.
PUBLIC = [
    ("GET", "/"), ("GET", "/?folder=/tmp&x=1"), ("GET", "/vscode/"), ("GET", "/vscode"), ("GET", "/login"),
    ("GET", "/login?to=/vscode/"), ("GET", "/healthz"), ("GET", "/healthz/"), ("GET", "/manifest.json"),
    ("GET", "/robots.txt"), ("GET", "/update/check"), ("GET", "/mint-key"), ("GET", "/nonexistent"),
    ("GET", "/_static/src/browser/media/favicon.ico"), ("GET", "/_static/out/browser/serviceWorker.js"),
    ("GET", "/proxy/PORT/dir/"), ("GET", "/absproxy/PORT/dir/"), ("GET", "/logout"),
    ("GET", "/logout?to=/vscode/"),
]
# Requests answered alike with a session (each side its own).
PRIVATE = [
    ("GET", "/login"), ("GET", "/login?to=/vscode/"), ("GET", "/"), ("GET", "/vscode/"), ("GET", "/manifest.json"),
    ("GET", "/update/check"), ("GET", "/proxy/PORT/dir/"), ("GET", "/absproxy/PORT/dir/"), ("GET", "/nonexistent"),
]
# What portico does differently on purpose: (method, path, form) →
# (code-server's answer, portico's, as "STATUS LOCATION", and the words in
# portico(1) that say why).  PORT is the web app's port.
DIFFER = {
    ("POST", "/login", "password=wrong"): ("200 ", "401 ", "401 Unauthorized"),
    ("POST", "/login", "password="): ("200 ", "400 ", "400 Bad Request"),
    ("GET", "/_static/package.json", ""): ("200 ", "404 ", "only the files its pages use"),
    ("GET", "/_static/lib/vscode/product.json", ""): ("200 ", "404 ", "only the files its pages use"),
    ("GET", "/proxy/PORT/", ""): ("302 /login", "302 /login?to=/proxy/PORT/", "lands back at the app"),
    ("GET", "/absproxy/PORT/", ""): ("302 /login", "302 /login?to=/absproxy/PORT/", "lands back at the app"),
}


def summary(a):
    return "%d %s" % (a.status, a.location)


def pair(home_of, config, *args, env=None):
    cs_home, po_home = home_of("cs"), home_of("po")
    cs = CodeServer(config, args, cs_home, env=env)
    try:
        po = Portico("--config", config, "--vscode-server", SERVER, *args, auth=True, home=po_home, bind=None,
                     env=env)
    except Exception:
        cs.stop()
        raise
    return cs, po, cs_home, po_home


def homes():
    root = tempfile.mkdtemp(prefix="portico-parity-")

    def home_of(name):
        d = os.path.join(root, name)
        os.makedirs(d, exist_ok=True)
        return d
    return root, home_of


def config_file(root, text):
    path = os.path.join(root, "config.yaml")
    with open(path, "w") as f:
        f.write(text)
    return path


def case_the_same_answers_as_code_server():
    root, home_of = homes()
    folder = home_of("folder")
    app = WebApp(big=1)
    # YAML as code-server users write it: quoted, True, a comment.
    config = config_file(root, 'bind-addr: "127.0.0.1:0"\nauth: password\npassword: "%s"\ncert: False\n'
                               "app-name: parity  # both name their pages the same\n" % PW)
    cs, po, cs_home, po_home = pair(home_of, config, folder)
    try:
        wrong = []
        for method, path in PUBLIC:
            path = path.replace("PORT", str(app.port))
            a, b = ask(cs.port, method, path), ask(po.port, method, path)
            if a.key() != b.key():
                wrong.append("%s %s without a session:\n  code-server %r\n  portico     %r" % (method, path, a, b))
        for (method, path, form), (cs_says, po_says, why) in DIFFER.items():
            path, po_says = path.replace("PORT", str(app.port)), po_says.replace("PORT", str(app.port))
            f = dict(urllib.parse.parse_qsl(form, keep_blank_values=True)) if form else None
            a, b = ask(cs.port, method, path, form=f), ask(po.port, method, path, form=f)
            if (summary(a), summary(b)) != (cs_says, po_says):
                wrong.append("%s %s %s, meant to differ so:\n  code-server %r\n  portico     %r" % (method, path, form, a, b))
            check(why in man_differences(), "portico(1) does not say %r" % why)
        check(not wrong, "\n".join(wrong))
        a, b = login_words(ask(cs.port, "GET", "/login").body), login_words(ask(po.port, "GET", "/login").body)
        check(a == b and None not in a, "the login pages say:\n  code-server %r\n  portico     %r" % (a, b))
        for path in ("/healthz", "/manifest.json"):
            a, b = json.loads(ask(cs.port, "GET", path).body), json.loads(ask(po.port, "GET", path).body)
            check(sorted(a) == sorted(b) and (path == "/healthz" or a == b), "%s: %r, %r" % (path, a, b))
        # The login itself: the same cookie name, the same landing place.
        for path in ("/login", "/login?to=/vscode/", "/login?folder=/tmp&to=/vscode/"):
            form = {"password": PW, "base": ".", "href": "http://127.0.0.1/login"}
            a, b = ask(cs.port, "POST", path, form=form), ask(po.port, "POST", path, form=form)
            check(a.key() == b.key(), "POST %s:\n  code-server %r\n  portico     %r" % (path, a, b))
        cookies = {cs.port: session(cs.port), po.port: session(po.port)}
        for method, path in PRIVATE:
            path = path.replace("PORT", str(app.port))
            a, b = (ask(s.port, method, path, cookie=cookies[s.port]) for s in (cs, po))
            check(a.key() == b.key(), "%s %s with a session:\n  code-server %r\n  portico     %r" % (method, path, a, b))
        a, b = (json.loads(ask(s.port, "GET", "/update/check", cookie=cookies[s.port]).body) for s in (cs, po))
        check(sorted(a) == sorted(b) and a["current"] == b["current"] and b["isLatest"], (a, b))
        # The workbench: the same settings embedded, down to each flag's effect.
        path = "/?folder=" + urllib.parse.quote(folder)
        a = settings(ask(cs.port, "GET", path, cookie=cookies[cs.port]), cs_home)
        b = settings(ask(po.port, "GET", path, cookie=cookies[po.port]), po_home)
        check(a == b, "workbench settings differ:\n  code-server %s\n  portico     %s" % (json.dumps(a), json.dumps(b)))
        # Sign out, as the workbench's menu does; the cookie is cleared on both, and ended on portico only.
        a, b = (ask(s.port, "GET", "/logout?base=.&href=http://127.0.0.1/&to=/vscode/", cookie=cookies[s.port]) for s in (cs, po))
        check(a.key() == b.key(), "logout:\n  code-server %r\n  portico     %r" % (a, b))
        a, b = (ask(s.port, "GET", "/update/check", cookie=cookies[s.port]) for s in (cs, po))
        check((a.status, b.status) == (200, 401) and "ended on the server" in man_differences(), (a, b))
    finally:
        cs.stop()
        po.stop()
        app.close()
    shutil.rmtree(root, ignore_errors=True)


def case_code_servers_flags_have_the_same_effect():
    """code-server's switches, from the command line, the config file and the
    environment, reach the workbench as they do under code-server."""
    root, home_of = homes()
    config = config_file(root, "bind-addr: 127.0.0.1:0\nauth: password\npassword: %s\ndisable-telemetry: true\n"
                               "disable-workspace-trust: True\nwelcome-text: 'Hi, there'\n" % PW)
    flags = ("--disable-update-check", "--disable-file-uploads", "--app-name", "Box", "--locale", "ja",
             "--link-protection-trusted-domains", "https://example.org", "-e", home_of("folder"))
    cs, po, cs_home, po_home = pair(home_of, config, *flags,
                                    env={"CS_DISABLE_FILE_DOWNLOADS": "1", "CS_DISABLE_GETTING_STARTED_OVERRIDE": "1"})
    try:
        a, b = login_words(ask(cs.port, "GET", "/login").body), login_words(ask(po.port, "GET", "/login").body)
        check(a == b and a[:2] == ["Box ログイン", "Hi, there"], "the login pages say:\n  code-server %r\n  portico     %r" % (a, b))
        path = "/?folder=" + urllib.parse.quote(home_of("folder"))
        a = settings(ask(cs.port, "GET", path, cookie=session(cs.port)), cs_home)
        b = settings(ask(po.port, "GET", path, cookie=session(po.port)), po_home)
        check(a == b, "workbench settings differ:\n  code-server %s\n  portico     %s" % (json.dumps(a), json.dumps(b)))
        pc = b["productConfiguration"]
        check(not b["isEnabledFileDownloads"] and not b["isEnabledFileUploads"] and not b["enableWorkspaceTrust"] and
              not b["isEnabledCoderGettingStarted"] and "updateEndpoint" not in pc and
              "https://example.org" in pc["linkProtectionTrustedDomains"], b)
        # code-server's budget of wrong passwords, then each says it is spent: code-server 200, portico 429.
        for i in range(15):
            a, b = (ask(s.port, "POST", "/login", form={"password": "wrong"}) for s in (cs, po))
            check((a.status, b.status) == ((200, 401) if i < 14 else (200, 429)), "try %d: %r %r" % (i + 1, a, b))
        check("ログイン制限を超えました" in a.body.decode() and "ログイン制限を超えました" in b.body.decode() and
              "429 Too Many" in man_differences(), (a, b))
    finally:
        cs.stop()
        po.stop()
    shutil.rmtree(root, ignore_errors=True)
