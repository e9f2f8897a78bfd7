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
. "$(dirname "$0")/lib.sh"
rate() { sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$1"; }

nport=$(free_port)
body='{"status":"alive","lastHeartbeat":1795263703123}'
start_nginx_http nginx "$cpu0" "server {
    listen 127.0.0.1:$nport;
    location = /healthz { default_type application/json; return 200 '$body'; }
  }"
npid=$lastpid
# /healthz needs no login.
start_portico main
ppid=$lastpid
pport=$port
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
kill $ppid $npid 2>/dev/null || true
wait 2>/dev/null || true

# --- 2. HTTP through a proxy: portico's VS Code route and nginx proxy_pass,
# keep-alive both sides, in front of the same upstream (nginx, 100 bytes).
start_nginx() { # start_nginx NAME PORT SERVER-BLOCK CPU
	start_nginx_http "$1" "$4" "upstream up { server 127.0.0.1:$uport; keepalive 64; }
  upstream stream { server 127.0.0.1:$sport; }
  server { listen 127.0.0.1:$2; $3 }"
}
wait_http() { i=0; until curl -s -o /dev/null "http://127.0.0.1:$1/" || [ $i -ge 100 ]; do sleep 0.05; i=$((i + 1)); done; }

uport=$(free_port)
sport=$(free_port)
start_nginx upstream "$uport" "location / { default_type text/plain; return 200 '$(printf '%0100d' 0)'; }" "$cpu1"
start_nginx nproxy "$(free_port)" "location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection \"\"; }" "$cpu0"
nproxy_port=$(sed -n 's/.*listen 127.0.0.1:\([0-9]*\);.*/\1/p' "$tmp/nproxy.conf")
start_portico pproxy --vscode-addr "127.0.0.1:$uport"
pproxy_port=$port
wait_http "$uport"; wait_http "$nproxy_port"
echo "proxy: keep-alive GETs of 100 bytes through each proxy to the same upstream"
for target in "nginx $nproxy_port" "portico $pproxy_port"; do
	set -- $target
	$cpu1 wrk -t1 -c"$conns" -d2s "http://127.0.0.1:$2/x" >/dev/null
	$cpu1 wrk -t1 -c"$conns" -d"${secs}s" "http://127.0.0.1:$2/x" > "$tmp/proxy-$1.txt"
	grep -E 'Non-2xx|Socket errors' "$tmp/proxy-$1.txt" | sed "s/^/  $1: /" || true
done
pn=$(rate "$tmp/proxy-nginx.txt")
pp=$(rate "$tmp/proxy-portico.txt")
echo "nginx proxy_pass: $pn req/s"
echo "portico proxy:    $pp req/s"
awk -v p="$pp" -v n="$pn" 'BEGIN { printf "ratio portico/nginx (proxy): %.2f\n", p / n }'

# --- 3. An upgraded stream: a backend answers 101, then sends BENCH_STREAM
# bytes; the same client reads it directly and through each proxy.
g++ -O2 -std=c++17 -pthread -o "$tmp/stream" "$(dirname "$0")/stream.cpp"
bytes=${BENCH_STREAM:-2147483648}
$cpu1 "$tmp/stream" serve "$sport" "$bytes" &
pids="$pids $!"
start_nginx nws "$(free_port)" "location / { proxy_pass http://stream; proxy_http_version 1.1; proxy_set_header Upgrade \$http_upgrade; proxy_set_header Connection upgrade; proxy_buffering off; }" "$cpu0"
nws_port=$(sed -n 's/.*listen 127.0.0.1:\([0-9]*\);.*/\1/p' "$tmp/nws.conf")
hport=$(free_port)
cat > "$tmp/haproxy.cfg" <<HAPROXY
global
  nbthread 1
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  timeout tunnel 60s
  option splice-auto
frontend f
  bind 127.0.0.1:$hport
  default_backend b
backend b
  server s 127.0.0.1:$sport
HAPROXY
$cpu0 haproxy -f "$tmp/haproxy.cfg" -db &
pids="$pids $!"
start_portico pstream --vscode-addr "127.0.0.1:$sport"
pstream_port=$port
sleep 0.5
echo "stream: $bytes bytes after a 101, read by one client"
best=0
for target in "direct $sport" "nginx $nws_port" "haproxy $hport" "portico $pstream_port"; do
	set -- $target
	r=$($cpu1 "$tmp/stream" fetch "$2")
	echo "  $1: $r" | awk '{ printf "  %-8s %s bytes in %s s: %s MB/s\n", $1, $2, $3, $4 }'
	mbs=$(echo "$r" | awk '{print $3}')
	case $1 in nginx|haproxy) best=$(awk -v a="$best" -v b="$mbs" 'BEGIN { print (b > a ? b : a) }') ;; portico) pmbs=$mbs ;; esac
done
awk -v p="$pmbs" -v b="$best" 'BEGIN { printf "ratio portico/best of nginx and haproxy (stream): %.2f\n", p / b }'

# --- 4. portico's memory with 1,000 open (idle) tunnels.
iport=$(free_port)
$cpu1 "$tmp/stream" serve "$iport" 0 &
pids="$pids $!"
start_portico ptunnels --vscode-addr "127.0.0.1:$iport" --max-connections 4096
tpid=$lastpid
sleep 0.3
mkfifo "$tmp/hold"
$cpu1 "$tmp/stream" fetch "$port" 1000 < "$tmp/hold" > "$tmp/held" &
holder=$!
exec 4>"$tmp/hold"
i=0
while ! grep -q held "$tmp/held" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
echo "tunnels: $(cat "$tmp/held"); portico VmRSS $(awk '/^VmRSS/ {print $2}' /proc/$tpid/status) KiB, RssAnon $(awk '/^RssAnon/ {print $2}' /proc/$tpid/status) KiB"
exec 4>&-
wait $holder 2>/dev/null || true
