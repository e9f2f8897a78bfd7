#!/bin/sh
# SPDX-License-Identifier: MIT
# coldload.sh BINARY — a cold workbench load (logged in, browser cache
# cleared, until the Explorer lists a file) and a warm one (cache kept), in
# Chromium (tests/browser/coldload.cjs), through portico and through
# code-server 4.100.3's own front end, in the same run, on the same VS Code
# server install: unthrottled, and with DevTools throttling at 20 Mbit/s and
# 40 ms.  COLD_RUNS (3) of each, alternating; prints each run, then the
# medians, spreads and ratios, the bytes, portico's RssAnon, and the CPU time
# the VS Code server behind portico spent (utime+stime, before the first and
# after the last load).  Over http: Chromium asks 127.0.0.1 for br there too,
# as over https, so both fronts are measured as that client is.
set -eu
bin=${1:-build/static/portico}
runs=${COLD_RUNS:-3}
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
vsc=$root/build/vscode/install/node_modules/code-server
main=$vsc/lib/vscode/out/server-main.js
[ -f "$main" ] || { echo "coldload: no VS Code install (make check or make run installs it)" >&2; exit 1; }
mkdir -p "$tmp/folder" "$tmp/ud/User" "$tmp/cs"
echo "from the bench" > "$tmp/folder/hello.txt"
echo '{"workbench.startupEditor":"none","security.workspace.trust.enabled":false,"telemetry.telemetryLevel":"off","update.mode":"none","extensions.autoCheckUpdates":false,"workbench.tips.enabled":false}' > "$tmp/ud/User/settings.json"
cp -r "$tmp/ud" "$tmp/cs/ud"

# portico, starting the server itself, with a login.
exec 3>"$tmp/p.ready"
HOME=$tmp XDG_CONFIG_HOME=$tmp XDG_DATA_HOME=$tmp PASSWORD=bench-pw $cpu0 "$bin" --bind-addr 127.0.0.1:0 --ready-fd 3 \
	--log warn --vscode-server "$main" --user-data-dir "$tmp/ud" --extensions-dir "$tmp/ext" \
	--vscode-option disable-workspace-trust "$tmp/folder" &
ppid=$!
pids="$pids $ppid"
exec 3>&-
i=0; while [ ! -s "$tmp/p.ready" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
pport=$(sed 's/.*://' "$tmp/p.ready")
# code-server, the same install, its own front end.
cport=$(free_port)
# In a session of its own: its VS Code server and extension hosts are its
# children, and the whole group goes at the end.
HOME=$tmp/cs XDG_CONFIG_HOME=$tmp/cs XDG_DATA_HOME=$tmp/cs PASSWORD=bench-pw setsid $cpu0 node "$vsc/out/node/entry.js" \
	--bind-addr "127.0.0.1:$cport" --auth password --disable-telemetry --disable-update-check \
	--user-data-dir "$tmp/cs/ud" --extensions-dir "$tmp/cs/ext" --disable-workspace-trust "$tmp/folder" \
	>"$tmp/cs.log" 2>&1 &
cspid=$!
cleanup() { # code-server's group (up to 5 s to go, then SIGKILL), the rest, the scratch directory
	kill -- "-$cspid" 2>/dev/null || true
	kill $pids 2>/dev/null || true
	i=0; while kill -0 -- "-$cspid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	kill -9 -- "-$cspid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
i=0; until curl -s -o /dev/null "http://127.0.0.1:$cport/healthz" || [ $i -ge 300 ]; do sleep 0.1; i=$((i + 1)); done

vscode_cpu() { # utime+stime in clock ticks of portico's VS Code server and its children, or 0
	total=0
	for pid in $(pgrep -f "server-main.js.*$tmp/ud" || true); do
		t=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$pid/stat" 2>/dev/null || echo 0)
		total=$((total + t))
	done
	echo "$total"
}
load() { # load NAME PORT [KBIT LAT] -> appends "NAME kind ms bytes" lines to $tmp/results
	NODE_PATH=$root/tests/browser/node_modules $cpu1 node "$root/tests/browser/coldload.cjs" \
		"http://127.0.0.1:$2/" bench-pw hello.txt ${3:-} ${4:-} > "$tmp/one.json" || { cat "$tmp/one.json" >&2; exit 1; }
	/usr/bin/python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
for kind, l in j["loads"].items():
    print(sys.argv[2], kind, l["ms"], l["bytes"])' "$tmp/one.json" "$1" | tee -a "$tmp/results"
}
# A first load through each starts the servers' caches and the backend.
load warmup-portico "$pport" > /dev/null
load warmup-code-server "$cport" > /dev/null
cpu0_ticks=$(vscode_cpu)
for r in $(seq 1 "$runs"); do
	load portico "$pport"
	load code-server "$cport"
	load portico-20mbit "$pport" 20000 40
	load code-server-20mbit "$cport" 20000 40
done
cpu1_ticks=$(vscode_cpu)
rss=$(awk '/^RssAnon/ {print $2}' "/proc/$ppid/status")
/usr/bin/python3 - "$tmp/results" "$rss" "$cpu0_ticks" "$cpu1_ticks" "$runs" <<'PY'
import statistics, sys, os
rows = [l.split() for l in open(sys.argv[1])]
def vals(name, kind, i):
    return [float(r[i]) for r in rows if r[0] == name and r[1] == kind]
def med(v): return statistics.median(v) if v else float("nan")
for link in ("", "-20mbit"):
    for kind in ("cold", "warm"):
        p, c = vals("portico" + link, kind, 2), vals("code-server" + link, kind, 2)
        pb, cb = vals("portico" + link, kind, 3), vals("code-server" + link, kind, 3)
        print("%-6s %-4s portico %6.0f ms (%s) %5.2f MB | code-server %6.0f ms (%s) %5.2f MB | speed %.2fx, bytes %.2fx" % (
            link.strip("-") or "local", kind, med(p), "-".join("%.0f" % x for x in (min(p), max(p))), med(pb) / 1e6,
            med(c), "-".join("%.0f" % x for x in (min(c), max(c))), med(cb) / 1e6, med(c) / med(p), med(pb) / med(cb)))
hz = os.sysconf("SC_CLK_TCK")
print("portico RssAnon after the loads: %s KiB; VS Code server CPU behind portico: %.2f s for %d x 4 loads" % (
    sys.argv[2], (int(sys.argv[4]) - int(sys.argv[3])) / hz, int(sys.argv[5])))
PY
