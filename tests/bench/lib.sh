# SPDX-License-Identifier: MIT
# lib.sh — what the bench scripts share; sourced after they set $bin.  It
# makes the scratch directory $tmp; servers run pinned to CPU 0 and clients
# to CPU 1 (when there are two); every server started here is added to $pids,
# which the exit trap kills before it removes $tmp.
pids=""
tmp=$(mktemp -d)
trap 'kill $pids 2>/dev/null || true; rm -rf "$tmp"' EXIT INT TERM
cpu0=""
cpu1=""
if [ "$(nproc)" -ge 2 ]; then cpu0="taskset -c 0"; cpu1="taskset -c 1"; fi

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_portico NAME ARGS... — portico on a free port, in a home of its own
# under $tmp (the user's files stay untouched), without login; sets $port
# and $lastpid once it says it is ready.
start_portico() {
	exec 3>"$tmp/$1.ready"
	name=$1
	shift
	HOME=$tmp XDG_CONFIG_HOME=$tmp XDG_DATA_HOME=$tmp $cpu0 "$bin" --auth none --bind-addr 127.0.0.1:0 --ready-fd 3 \
		--log warn "$@" &
	lastpid=$!
	pids="$pids $lastpid"
	exec 3>&-
	i=0
	while [ ! -s "$tmp/$name.ready" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	port=$(sed 's/.*://' "$tmp/$name.ready")
}

# start_nginx_http NAME CPU HTTP-BLOCK — nginx with one worker, no access log
# and no per-connection request cap (portico has none), running the given
# contents of its http block; sets $lastpid.  Its pid file is $tmp/NAME.pid.
start_nginx_http() {
	cat > "$tmp/$1.conf" <<NGINX
worker_processes 1;
daemon off;
pid $tmp/$1.pid;
error_log $tmp/$1-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  $3
}
NGINX
	$2 nginx -c "$tmp/$1.conf" -p "$tmp" &
	lastpid=$!
	pids="$pids $lastpid"
}
