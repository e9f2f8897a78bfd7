#!/bin/sh
# SPDX-License-Identifier: MIT
# login.sh BINARY — /healthz latency while wrong logins arrive at 10 a second,
# checked against code-server's default Argon2 parameters (64 MiB, 3 passes,
# 4 lanes).  portico (its loop and its worker) runs on CPU 0, the clients on
# CPU 1.  Each of BENCH_ROUNDS rounds starts a fresh portico (a fresh login
# budget: 10 s at 10 a second stays within it, so every try is checked or
# finds the queue full) and probes /healthz 50 times a second meanwhile.
# A control round without logins comes first (what the box itself costs).
# Prints each round, then the median and the spread of the rounds' p99.
# Target: p99 under 20 ms.
set -eu
bin=${1:-build/static/portico}
secs=${BENCH_SECONDS:-10}
rounds=${BENCH_ROUNDS:-5}
. "$(dirname "$0")/lib.sh"

HASHED_PASSWORD=$(printf 'correct horse' | argon2 saltsaltsalt -id -t 3 -m 16 -p 4 -e)
export HASHED_PASSWORD
echo "login: $rounds rounds of $secs s: 10 wrong logins a second (argon2id m=64MiB t=3 p=4), /healthz probed 50 a second"
: > "$tmp/p99"
r=0
while [ $r -le "$rounds" ]; do
	start_portico "login$r" --auth password --log error
	set -- $($cpu1 /usr/bin/python3 "$(dirname "$0")/login_flood.py" "$port" "$secs" $([ $r = 0 ] && echo 0 || echo 10))
	echo "  $([ $r = 0 ] && echo "control, no logins" || echo "round $r"): /healthz p50 $1 ms, p99 $2 ms, max $3 ms ($4 probes); logins: $5"
	[ $r = 0 ] || echo "$2" >> "$tmp/p99"
	kill "$lastpid" 2>/dev/null || true
	wait "$lastpid" 2>/dev/null || true
	r=$((r + 1))
done
sort -n "$tmp/p99" | awk '{ v[NR] = $1 } END {
	m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
	printf "login: /healthz p99 over %d rounds: median %.2f ms, spread %.2f-%.2f ms (target < 20 ms)\n", NR, m, v[1], v[NR] }'
