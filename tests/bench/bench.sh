#!/bin/sh
# SPDX-License-Identifier: MIT
# bench.sh BINARY — wrk against portico's /healthz and against Debian's nginx
# (one worker, `return 200` with a JSON body of the same size) in the same run.
# Servers are pinned to CPU 0, wrk to CPU 1.  Prints both rates, the ratio,
# and portico's memory after the run.  Loopback only; every run is bounded.
set -eu
bin=${1:-build/static/portico}
secs=${BENCH_SECONDS:-10}
conns=${BENCH_CONNECTIONS:-100}
tmp=$(mktemp -d)
trap 'kill $ppid $npid 2>/dev/null || true; rm -rf "$tmp"' EXIT INT TERM
ppid=""
npid=""

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# Started directly (not through a function) so that $! is the server itself.
cpu0=""
cpu1=""
if [ "$(nproc)" -ge 2 ]; then cpu0="taskset -c 0"; cpu1="taskset -c 1"; fi
rate() { sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$1"; }

# nginx: one worker, no access log, no per-connection request cap (portico has none).
nport=$(free_port)
body='{"status":"alive","lastHeartbeat":1795263703123}'
cat > "$tmp/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nport;
    location = /healthz { default_type application/json; return 200 '$body'; }
  }
}
NGINX
$cpu0 nginx -c "$tmp/nginx.conf" -p "$tmp" &
npid=$!

exec 3>"$tmp/ready"
# /healthz needs no login; a home of its own keeps the user's files untouched.
HOME=$tmp XDG_CONFIG_HOME=$tmp XDG_DATA_HOME=$tmp $cpu0 "$bin" --auth none --bind-addr 127.0.0.1:0 --ready-fd 3 --log warn &
ppid=$!
exec 3>&-
i=0
while [ ! -s "$tmp/ready" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
pport=$(sed 's/.*://' "$tmp/ready")
i=0
until curl -sf "http://127.0.0.1:$nport/healthz" >/dev/null || [ $i -ge 100 ]; do sleep 0.05; i=$((i + 1)); done

echo "bench: $secs s, $conns connections, wrk on CPU 1, servers on CPU 0"
for target in "nginx $nport" "portico $pport"; do
	set -- $target
	$cpu1 wrk -t1 -c"$conns" -d2s "http://127.0.0.1:$2/healthz" >/dev/null   # warm-up
	$cpu1 wrk -t1 -c"$conns" -d"${secs}s" --latency "http://127.0.0.1:$2/healthz" > "$tmp/$1.txt"
	grep -E 'Requests/sec|Non-2xx|Socket errors|99%' "$tmp/$1.txt" | sed "s/^/  $1: /"
done
n=$(rate "$tmp/nginx.txt")
p=$(rate "$tmp/portico.txt")
[ "$(readlink /proc/$ppid/exe)" = "$(readlink -f "$bin")" ] || { echo "bench: lost track of portico's pid" >&2; exit 1; }
rss=$(awk '/^VmRSS/ {print $2}' /proc/$ppid/status)
anon=$(awk '/^RssAnon/ {print $2}' /proc/$ppid/status)
echo "nginx:   $n req/s"
echo "portico: $p req/s"
awk -v p="$p" -v n="$n" 'BEGIN { printf "ratio portico/nginx: %.2f\n", p / n }'
echo "portico memory after the run: VmRSS ${rss} KiB, RssAnon ${anon} KiB ($(ls -l "$bin" | awk '{print $5}') bytes on disk)"
