# SPDX-License-Identifier: MIT
"""Runs every case_* function of the test_*.py modules here against $PORTICO.

Prints one line per case and a closing "e2e: N passed, N failed" line.
Usage: /usr/bin/python3 tests/e2e/run.py [NAME-SUBSTRING...]
"""
import importlib
import os
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402


def main():
    wanted = sys.argv[1:]
    here = os.path.dirname(os.path.abspath(__file__))
    mods = sorted(f[:-3] for f in os.listdir(here) if f.startswith("test_") and f.endswith(".py"))
    passed = failed = 0
    label = os.environ.get("E2E_LABEL", "e2e")
    for m in mods:
        mod = importlib.import_module(m)
        for name in sorted(n for n in dir(mod) if n.startswith("case_")):
            full = "%s.%s" % (m, name)
            if wanted and not any(w in full for w in wanted):
                continue
            t0 = time.monotonic()
            try:
                getattr(mod, name)()
                passed += 1
                print("ok   %-60s %.2fs" % (full, time.monotonic() - t0), flush=True)
            except Exception as e:  # a case fails on anything it did not expect
                failed += 1
                why = str(e) if isinstance(e, harness.Fail) else traceback.format_exc()
                print("FAIL %s: %s" % (full, why), flush=True)
    print("%s: %d passed, %d failed" % (label, passed, failed))
    if wanted and passed + failed == 0:
        print("no case matches %s" % " or ".join(wanted), file=sys.stderr)
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
