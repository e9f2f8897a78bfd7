# SPDX-License-Identifier: MIT
"""A real browser (Debian's Chromium, driven by playwright-core) logs in."""
import json
import os
import subprocess

from harness import Portico, check

HERE = os.path.dirname(os.path.abspath(__file__))
BROWSER = os.path.join(HERE, "..", "browser")


def case_chromium_logs_in_through_the_page():
    p = Portico(auth=True, env={"PASSWORD": "browser-pw"})
    shot = os.path.abspath("build/test-logs/login-page.png")
    try:
        run = subprocess.run(["node", os.path.join(BROWSER, "login.cjs"), p.url("/"), "browser-pw", shot],
                             capture_output=True, timeout=120,
                             env={**os.environ, "NODE_PATH": os.path.join(BROWSER, "node_modules")})
        out = run.stdout.decode(errors="replace").strip().splitlines()
        report = json.loads(out[-1]) if out else {}
        check(run.returncode == 0, "browser check failed: %s\n%s" % (report or run.stdout[-500:], run.stderr[-1500:]))
        check(report["steps"][0]["landed"].endswith("/login"), report)
    finally:
        p.stop()
