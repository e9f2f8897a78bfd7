#!/bin/sh
# SPDX-License-Identifier: MIT
# tls.sh BINARY — portico against Debian's nginx over TLS, in the same run,
# both with the P-256 certificate portico generates, one worker each, TLS 1.2:
#   keep-alive requests/s (h2load --h1), new handshakes/s (ab, no keep-alive),
#   the server CPU time each of those costs,
#   keep-alive /healthz latency while ab floods handshakes, the time of a
#   resumed connection one at a time (tls_client.py resume), and the memory
#   an idle TLS connection costs.  Servers on CPU 0, clients on CPU 1.
set -eu
bin=${1:-build/static/portico}
secs=${BENCH_SECONDS:-10}
conns=${BENCH_CONNECTIONS:-100}
here=$(dirname "$0")
. "$here/lib.sh"

start_portico tls --max-connections 4096 --cert
ppid=$lastpid
pport=$port
crt=$tmp/code-server/localhost.crt
key=$tmp/code-server/localhost.key
[ -s "$crt" ] || { echo "tls bench: portico made no certificate" >&2; exit 1; }

nport=$(free_port)
body='{"status":"alive","lastHeartbeat":1795263703123}'
start_nginx_http nginx "$cpu0" "server {
    listen 127.0.0.1:$nport ssl;
    ssl_certificate $crt;
    ssl_certificate_key $key;
    ssl_protocols TLSv1.2;
    ssl_ciphers ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384;
    ssl_prefer_server_ciphers on;
    location = /healthz { default_type application/json; return 200 '$body'; }
    location = /robots.txt { default_type text/plain; return 200 'User-agent: *\\nDisallow: /\\n'; }
  }"
i=0
until curl -skf "https://127.0.0.1:$nport/healthz" >/dev/null || [ $i -ge 100 ]; do sleep 0.05; i=$((i + 1)); done
nworker=$(pgrep -P "$(cat "$tmp/nginx.pid")" | head -1)

# The server's CPU time in clock ticks: what a request or a handshake costs
# it, which the clients' own limits and a noisy box blur less than rates.
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

echo "tls: TLS 1.2, P-256 certificate, $secs s runs; servers on CPU 0, clients on CPU 1"
for target in "nginx $nport $nworker" "portico $pport $ppid"; do
	set -- $target
	url=https://127.0.0.1:$2
	$cpu1 h2load --h1 -t1 -c"$conns" -D2 "$url/healthz" >/dev/null 2>&1   # warm-up
	t0=$(ticks "$3")
	$cpu1 h2load --h1 -t1 -c"$conns" -D"$secs" "$url/healthz" > "$tmp/$1-ka.txt" 2>&1
	kacpu=$(($(ticks "$3") - t0))
	ka=$(sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p' "$tmp/$1-ka.txt")
	kan=$(sed -n 's/^requests: .* \([0-9]*\) succeeded.*/\1/p' "$tmp/$1-ka.txt")
	kaus=$(awk -v t="$kacpu" -v n="${kan:-0}" -v hz="$hz" 'BEGIN { printf "%.1f", (n > 0 ? t * 1e6 / hz / n : 0) }')
	fails=$(sed -n 's/^requests: .* \([0-9]*\) failed.*/\1/p' "$tmp/$1-ka.txt")
	t0=$(ticks "$3")
	$cpu1 ab -q -t "$secs" -n 10000000 -c 64 "$url/robots.txt" > "$tmp/$1-hs.txt" 2>&1 &
	ab=$!
	sleep 1
	lat=$($cpu1 /usr/bin/python3 "$here/tls_client.py" probe "$2" $((secs - 2)))
	wait $ab || true
	hscpu=$(($(ticks "$3") - t0))
	hs=$(sed -n 's/^Requests per second: *\([0-9.]*\).*/\1/p' "$tmp/$1-hs.txt")
	hsn=$(sed -n 's/^Complete requests: *\([0-9]*\).*/\1/p' "$tmp/$1-hs.txt")
	hsus=$(awk -v t="$hscpu" -v n="${hsn:-0}" -v hz="$hz" 'BEGIN { printf "%.0f", (n > 0 ? t * 1e6 / hz / n : 0) }')
	hsfail=$(sed -n 's/^Failed requests: *\([0-9]*\).*/\1/p' "$tmp/$1-hs.txt")
	# Resumed handshakes (what a browser does when it comes back), one after
	# the other: the session from the first, then no public-key operation.
	set -- "$@" $($cpu1 /usr/bin/python3 "$here/tls_client.py" resume "$2" 1000)
	mem=$($cpu1 /usr/bin/python3 "$here/tls_client.py" hold "$2" 500 "$3")
	per=$(echo "$mem" | awk '{ printf "%.1f", ($2 - $1) / 500 }')
	echo "  $1: keep-alive ${ka:-?} req/s (${fails:-?} failed), $kaus us of server CPU each;" \
		"handshakes ${hs:-?}/s (${hsfail:-?} failed), $hsus us of server CPU each;" \
		"resumed connections one at a time p50/p90 ${4:-?}/${5:-?} ms (${6:-?} not resumed);" \
		"/healthz during the flood p50/p99/max $(echo "$lat" | tr ' ' '/') ms; ${per} KiB per idle TLS connection"
	echo "$1 $ka $hs $per ${4:-0} $kaus $hsus" >> "$tmp/results"
done
awk '{ ka[$1] = $2; hs[$1] = $3; mem[$1] = $4; re[$1] = $5; kaus[$1] = $6; hsus[$1] = $7 } END {
	printf "ratio portico/nginx (TLS keep-alive): %.2f\n", ka["portico"] / ka["nginx"]
	if (kaus["portico"] > 0) printf "ratio nginx/portico (server CPU per keep-alive request): %.2f\n", kaus["nginx"] / kaus["portico"]
	printf "ratio portico/nginx (TLS handshakes): %.2f\n", hs["portico"] / hs["nginx"]
	if (hsus["portico"] > 0) printf "ratio nginx/portico (server CPU per handshake): %.2f\n", hsus["nginx"] / hsus["portico"]
	if (re["portico"] > 0) printf "ratio nginx/portico (time of a resumed connection, p50): %.2f\n", re["nginx"] / re["portico"]
	if (mem["nginx"] > 0) printf "ratio portico/nginx (idle TLS connection memory): %.2f\n", mem["portico"] / mem["nginx"] }' "$tmp/results"
echo "portico after the TLS runs: VmRSS $(awk '/^VmRSS/ {print $2}' /proc/$ppid/status) KiB, RssAnon $(awk '/^RssAnon/ {print $2}' /proc/$ppid/status) KiB"
