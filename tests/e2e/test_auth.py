# SPDX-License-Identifier: MIT
"""Login, sessions, rate limits and the guard, through curl and raw sockets."""
import json
import os
import re
import stat
import subprocess
import time

from harness import Portico, check, curl, exchange, parse_responses, run_cli

PW = "correct horse"


def login(p, password=PW, to=None, interface=None, extra=(), jar=None, base=".", href=None):
    args = ["-si", "--data-urlencode", "password=" + password, "--data-urlencode", "base=" + base,
            "--data-urlencode", "href=" + (href or p.url("/login"))]
    if interface:
        args += ["--interface", interface]
    if jar:
        args += ["-c", jar]
    url = p.url("/login") + ("?to=" + to if to is not None else "")
    rc, out, _ = curl(*args, *extra, url)
    return out


def status(resp):
    return int(resp.split(b" ", 2)[1])


def header(resp, name):
    m = re.search(rb"\r\n" + name.encode() + rb": ([^\r]*)\r\n", resp.split(b"\r\n\r\n", 1)[0], re.I)
    return m.group(1).decode() if m else None


def cookie_of(resp):
    return header(resp, "Set-Cookie").split(";", 1)[0]


def get(p, path, cookie=None, accept=None):
    args = ["-si"]
    if cookie:
        args += ["-H", "Cookie: " + cookie]
    if accept:
        args += ["-H", "Accept: " + accept]
    return curl(*args, p.url(path))[1]


def case_login_flow():
    p = Portico(auth=True, env={"PASSWORD": PW})
    try:
        r = get(p, "/")
        check(status(r) == 302 and header(r, "Location") == "./login", r[:200])
        check(status(get(p, "/anything")) == 401, "private path without a session")
        page = get(p, "/login")
        check(status(page) == 200, page[:100])
        for need in (b'autocomplete="current-password"', b'name="base" value="."', b'name="href"',
                     b"Password was set from $PASSWORD.", b"Welcome to portico"):
            check(need in page, "login page lacks %r" % need)
        check("default-src 'none'" in (header(page, "Content-Security-Policy") or ""), "no CSP")
        r = login(p, "wrong")
        check(status(r) == 401 and b"Incorrect password" in r, r[:300])
        r = login(p, "")
        check(status(r) == 400 and b"Missing password" in r, r[:300])
        r = login(p, to="/some/where")
        check(status(r) == 302 and header(r, "Location") == "./some/where", r[:300])
        set_cookie = header(r, "Set-Cookie")
        for attr in ("Path=/", "HttpOnly", "SameSite=Lax", "Max-Age=604800"):
            check(attr in set_cookie, "cookie lacks %s: %s" % (attr, set_cookie))
        check("Secure" not in set_cookie and PW.split()[0] not in set_cookie, set_cookie)
        c = cookie_of(r)
        check(re.fullmatch(r"code-server-session=[A-Za-z0-9_-]{76}", c), c)
        check(status(get(p, "/anything", c)) == 404, "a session must pass the guard")
        r = get(p, "/login?to=/x", c)
        check(status(r) == 302 and header(r, "Location") == "./x", "logged in: /login goes on to ?to=")
        tampered = c[:-3] + ("A" if c[-3] != "A" else "B") + c[-2:]
        check(status(get(p, "/anything", tampered)) == 401, "a tampered cookie passed")
        # JSON bodies, Expect: 100-continue, and body limits
        rc, out, _ = curl("-si", "-H", "Content-Type: application/json", "--data", json.dumps({"password": PW}), p.url("/login"))
        check(status(out) == 302, out[:200])
        rc, out, _ = curl("-si", "-H", "Expect: 100-continue", "--data-urlencode", "password=" + PW, p.url("/login"))
        check(out.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 302 "), out[:200])
        r = parse_responses(exchange(p, b"POST /login HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\n\r\n" + b"a" * 5000))
        check(r[0][0] == 413, r)
        r = parse_responses(exchange(p, b"POST /login HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"))
        check(r[0][0] == 411, r)
        # Cookie path from the page's base and href (the login page's script fills href).
        r = login(p, base="./..", href=p.url("/a/b/login"))
        check("Path=/a/;" in header(r, "Set-Cookie"), header(r, "Set-Cookie"))
    finally:
        err = p.stop()
    check(b"login: wrong password from 127.0.0.1" in err and b'user agent "curl/' in err, err)


def case_redirects_stay_on_the_site():
    p = Portico(auth=True, env={"PASSWORD": PW})
    try:
        for to, want in (("//evil.com", "./evil.com"), ("https://evil.com", "./https:/evil.com"),
                         ("%5C%5Cevil.com", "./evil.com"), ("/%2F/evil.com", "./evil.com"),
                         ("/x%0D%0ASet-Cookie:a=b", "./x%0D%0ASet-Cookie:a=b")):
            r = login(p, to=to)
            check(header(r, "Location") == want, "to=%s gave %s" % (to, header(r, "Location")))
    finally:
        p.stop()


def case_rate_limit_is_per_client():
    p = Portico(auth=True, env={"PASSWORD": PW})
    try:
        for i in range(14):  # code-server's budget: 2 a minute + 12 an hour
            check(status(login(p, "wrong")) == 401, "try %d refused too early" % i)
        r = login(p, "wrong")
        check(status(r) == 429 and b"Login rate limited!" in r and header(r, "Retry-After"), r[:300])
        check(status(login(p)) == 429, "the right password while limited")
        check(status(login(p, extra=("-H", "X-Forwarded-For: 10.9.8.7"))) == 429, "X-Forwarded-For reset the limit")
        check(status(login(p, interface="127.0.0.2")) == 302, "another client was locked out")
        for _ in range(20):
            check(status(login(p, interface="127.0.0.3")) == 302, "a success spent budget")
    finally:
        p.stop()
    # Behind a trusted proxy, X-Forwarded-For names the client.
    p = Portico("--trusted-proxies", "127.0.0.1", auth=True, env={"PASSWORD": PW})
    try:
        for _ in range(15):
            login(p, "wrong", extra=("-H", "X-Forwarded-For: 10.0.0.1"))
        check(status(login(p, extra=("-H", "X-Forwarded-For: 10.0.0.1"))) == 429, "10.0.0.1 not limited")
        check(status(login(p, extra=("-H", "X-Forwarded-For: 10.0.0.2"))) == 302, "10.0.0.2 locked out")
    finally:
        p.stop()


def argon2_cli(password, salt, kind, t, m_log2, lanes):
    return subprocess.run(["argon2", salt, "-" + kind, "-t", str(t), "-m", str(m_log2), "-p", str(lanes), "-e"],
                          input=password.encode(), capture_output=True, check=True).stdout.decode().strip()


def case_hashed_passwords_from_other_implementations():
    import hashlib
    hashes = [argon2_cli(PW, "saltsaltsalt", kind, t, m, lanes)
              for kind, t, m, lanes in (("id", 2, 12, 1), ("i", 3, 10, 2), ("d", 1, 11, 4), ("id", 3, 16, 4))]
    hashes.append(hashlib.sha256(PW.encode()).hexdigest())
    for h in hashes:
        p = Portico(auth=True, env={"HASHED_PASSWORD": h})
        try:
            check(status(login(p, "nope")) == 401, "wrong password accepted for %s" % h)
            r = login(p)
            check(status(r) == 302, "%s: %r" % (h, r[:200]))
            check(h not in header(r, "Set-Cookie") and PW not in header(r, "Set-Cookie"), "secret in the cookie")
        finally:
            p.stop()
    rc, _, err = run_cli("--bind-addr", "127.0.0.1:0", env={"HASHED_PASSWORD": "$argon2id$v=19$m=8,t=1$bad"})
    check(rc == 102 and b"hashed-password" in err, (rc, err))


def case_limited_tries_do_not_hash():
    # code-server's default parameters: 64 MiB, 3 passes, 4 lanes.
    h = argon2_cli(PW, "saltsaltsalt", "id", 3, 16, 4)
    p = Portico(auth=True, env={"HASHED_PASSWORD": h})
    try:
        t0 = time.monotonic()
        for _ in range(14):
            login(p, "wrong")
        hashed = (time.monotonic() - t0) / 14
        t0 = time.monotonic()
        for _ in range(5):
            check(status(login(p, "wrong")) == 429, "not limited")
        refused = (time.monotonic() - t0) / 5
        print("measure: argon2id m=64MiB t=3 p=4 login try %.0f ms; a refused try %.1f ms" % (hashed * 1000, refused * 1000))
        check(refused < hashed / 3, "refused tries cost %.1f ms, hashed ones %.1f ms" % (refused * 1000, hashed * 1000))
    finally:
        p.stop()


def case_hash_password_subcommand():
    rc, out, err = run_cli("hash-password", stdin=PW.encode() + b"\n")
    phc = out.decode().strip()
    check(rc == 0 and re.fullmatch(r"\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}", phc), (rc, out, err))
    p = Portico(auth=True, env={"HASHED_PASSWORD": phc})
    try:
        check(status(login(p)) == 302, "its own hash does not verify")
    finally:
        p.stop()
    rc, out, _ = run_cli("hash-password", "--memory", "64", "--passes", "1", stdin=b"x")
    check(rc == 0 and out.startswith(b"$argon2id$v=19$m=64,t=1,p=1$"), out)
    for args, stdin in ((["--memory", "4"], b"x"), (["--bogus"], b"x"), ([], b"\n")):
        rc, _, err = run_cli("hash-password", *args, stdin=stdin)
        check(rc == 100 and err.startswith(b"portico: fatal: hash-password: "), (args, rc, err))


def case_sessions_survive_restart_and_logout_revokes():
    p = Portico(auth=True, env={"PASSWORD": PW})
    home = p.home
    try:
        keep = cookie_of(login(p))
        gone = cookie_of(login(p))
        r = get(p, "/logout?to=/bye", gone)
        check(status(r) == 302 and header(r, "Location") == "./bye", r[:200])
        check("Max-Age=0" in header(r, "Set-Cookie"), header(r, "Set-Cookie"))
        check(status(get(p, "/x", gone)) == 401, "a logged-out cookie still works")
        check(status(get(p, "/x", keep)) == 404, "logout ended another session")
    finally:
        p.stop()
    key = os.path.join(home, "data", "code-server", "portico-session.key")
    check(stat.S_IMODE(os.stat(key).st_mode) == 0o600, oct(os.stat(key).st_mode))
    p = Portico(auth=True, env={"PASSWORD": PW}, home=home)
    try:
        check(status(get(p, "/x", keep)) == 404, "a session did not survive the restart")
        check(status(get(p, "/x", gone)) == 401, "a revocation did not survive the restart")
    finally:
        p.stop()
    p = Portico(auth=True, env={"PASSWORD": PW + "!"}, home=home)
    try:
        check(status(get(p, "/x", keep)) == 401, "a password change left a session valid")
    finally:
        p.stop()


def case_generated_password_and_auth_none():
    p = Portico(auth=True)
    try:
        cfg = os.path.join(p.home, "config", "code-server", "config.yaml")
        check(stat.S_IMODE(os.stat(cfg).st_mode) == 0o600, oct(os.stat(cfg).st_mode))
        with open(cfg) as f:
            pw = re.search(r"^password: ([0-9a-f]{24})$", f.read(), re.M).group(1)
        check(("Check the config file at %s for the password." % cfg).encode() in get(p, "/login"), "hint")
        check(status(login(p, pw)) == 302, "the generated password does not log in")
    finally:
        err = p.stop()
    check(b"generated one, see 'password' in " + cfg.encode() in err, err)
    p = Portico("--auth", "none", "--cookie-suffix", "dev")
    try:
        r = get(p, "/login?to=/x")
        check(status(r) == 302 and header(r, "Location") == "./?to=/x", r[:200])
        check(status(get(p, "/logout")) == 302, "logout with --auth none")
        check(status(get(p, "/private")) == 404, "--auth none still guards")
    finally:
        p.stop()
    p = Portico("--cookie-suffix", "dev", auth=True, env={"PASSWORD": PW})
    try:
        c = cookie_of(login(p))
        check(c.startswith("code-server-session-dev="), c)
        check(status(get(p, "/x", c)) == 404, "suffixed cookie not read")
    finally:
        p.stop()
