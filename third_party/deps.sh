#!/bin/sh
# SPDX-License-Identifier: MIT
# deps.sh — install portico's dependencies from Debian and build llhttp.
#
#   deps.sh packages build|test|bench|vscode|fuzz|cross
#                                       install what that stage needs, if missing
#   deps.sh llhttp OUTDIR CC CFLAGS...  check the pinned llhttp sources, compile
#                                       them into OUTDIR/libllhttp.a
#   deps.sh npm DIR                     install DIR's npm packages exactly as its
#                                       package-lock.json pins them (test tools)
#
# Nothing is downloaded but Debian packages; third_party/PINS says which
# versions and which source checksums are accepted.  Every stage records what
# it found in build/third_party/VERSIONS so that a bug report can name it.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
pins=$here/PINS
record=${PORTICO_DEPS_RECORD:-$here/../build/third_party/VERSIONS}

die() { echo "deps.sh: $*" >&2; exit 1; }

# A pin is per package, whatever the architecture: libbearssl-dev:arm64 is
# held to libbearssl-dev's version.
pinned_version() { awk -v p="${1%%:*}" '$1 == p { print $2 }' "$pins"; }

# Debian package names per stage: a bare name is pinned in PINS; "cmd:CMD:pkg"
# installs pkg unless CMD exists; "deb:pkg" installs pkg unless it is installed.
stage_packages() {
	case $1 in
	build) echo "node-llhttp libbearssl-dev doctest-dev cmd:g++:g++ cmd:make:make" ;;
	test)  echo "cmd:curl:curl cmd:mandoc:mandoc cmd:/usr/bin/python3:python3 cmd:nc:netcat-openbsd cmd:taskset:util-linux cmd:prlimit:util-linux deb:python3-websockets cmd:argon2:argon2 cmd:chromium:chromium cmd:node:nodejs cmd:npm:npm cmd:ss:iproute2 cmd:pgrep:procps cmd:testssl:testssl.sh cmd:hexdump:bsdextrautils cmd:openssl:openssl cmd:certutil:libnss3-tools cmd:runsv:runit cmd:s6-svscan:s6 cmd:execlineb:execline cmd:systemd-socket-activate:systemd cmd:useradd:passwd $(stage_packages fuzz)" ;;
	bench) echo "cmd:argon2:argon2 cmd:/usr/bin/python3:python3 cmd:wrk:wrk cmd:nginx:nginx-light cmd:taskset:util-linux cmd:haproxy:haproxy cmd:g++:g++ cmd:ab:apache2-utils cmd:h2load:nghttp2-client cmd:openssl:openssl" ;;
	vscode) echo "cmd:node:nodejs cmd:npm:npm cmd:cc:build-essential cmd:python3:python3 cmd:rg:ripgrep cmd:pkg-config:pkg-config cmd:krb5-config:libkrb5-dev cmd:brotli:brotli" ;;
	# clang's libFuzzer (tests/fuzz); make check runs the harnesses too.
	fuzz)  echo "cmd:clang++:clang deb:libclang-rt-14-dev" ;;
	# The boards: Debian's cross compilers, BearSSL of each architecture
	# (multiarch, pinned like the native one), qemu-user to run the tests.
	cross) echo "cmd:aarch64-linux-gnu-g++:g++-aarch64-linux-gnu cmd:arm-linux-gnueabihf-g++:g++-arm-linux-gnueabihf libbearssl-dev:arm64 libbearssl-dev:armhf cmd:qemu-aarch64:qemu-user" ;;
	*) die "unknown stage '$1' (build, test, bench, vscode, fuzz or cross)" ;;
	esac
}

# The version of an installed package, or nothing (a removed package whose
# configuration files remain is not installed).  A bare name is the native
# architecture's (or an "all" package): with a second architecture added,
# dpkg-query prints one line for each.
installed_version() {
	case $1 in
	*:*) name=${1%%:*}; arch=${1#*:} ;;
	*) name=$1; arch=$(dpkg --print-architecture) ;;
	esac
	dpkg-query -W -f '${db:Status-Status} ${Architecture} ${Version}\n' "$name" 2>/dev/null |
		awk -v a="$arch" '$1 == "installed" && ($2 == a || $2 == "all") { print $3; exit }'
}

# A foreign architecture a package names (libbearssl-dev:arm64) is added
# to dpkg before apt is asked for it.
add_architectures() {
	for pkg in "$@"; do
		case $pkg in
		*:*) arch=${pkg#*:}; arch=${arch%%=*}
			dpkg --print-foreign-architectures | grep -qx "$arch" || dpkg --add-architecture "$arch" ;;
		esac
	done
}

cmd_packages() {
	missing=""
	for stage in "$@"; do
		for item in $(stage_packages "$stage"); do
			case $item in
			cmd:*)
				cmd=${item#cmd:}; pkg=${cmd#*:}; cmd=${cmd%%:*}
				command -v "$cmd" >/dev/null 2>&1 || missing="$missing $pkg" ;;
			deb:*)  # a test tool used as a library: installed unless present, not pinned
				pkg=${item#deb:}
				[ -n "$(installed_version "$pkg")" ] || missing="$missing $pkg" ;;
			*)
				want=$(pinned_version "$item")
				[ -n "$want" ] || die "$item has no pin in $pins"
				have=$(installed_version "$item")
				if [ -z "$have" ]; then
					missing="$missing $item=$want"
				elif [ "$have" != "$want" ]; then
					die "$item $have is installed but $want is pinned: review the change, then update $pins"
				fi ;;
			esac
		done
	done
	if [ -n "$missing" ]; then
		[ "$(id -u)" = 0 ] || die "missing packages:$missing (run as root, or install them)"
		echo "deps.sh: installing$missing" >&2
		add_architectures $missing
		apt-get update -qq >&2 || die "apt-get update failed"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			-o DPkg::Lock::Timeout=600 $missing >&2 || die "apt-get install$missing failed"
	fi
	mkdir -p "$(dirname "$record")"
	for p in node-llhttp libbearssl-dev doctest-dev; do
		echo "$p $(installed_version "$p")"
	done > "$record.tmp" && mv "$record.tmp" "$record"
}

cmd_llhttp() {
	[ $# -ge 2 ] || die "usage: deps.sh llhttp OUTDIR CC [CFLAGS...]"
	out=$1; cc=$2; shift 2
	grep '^sha256 ' "$pins" | while read -r _ sum file; do
		[ -f "$file" ] || die "$file is missing: run 'deps.sh packages build'"
		got=$(sha256sum "$file" | cut -d' ' -f1)
		[ "$got" = "$sum" ] || die "$file has sha256 $got, pinned $sum"
	done
	mkdir -p "$out"
	for src in llhttp api http; do
		# STRICT mode turns the chunk-framing leniencies of 8.1.0 into errors
		# (docs/HTTP-RULES.md §3); the glue rejects the rest.
		$cc "$@" -DLLHTTP_STRICT_MODE=1 -I/usr/share/include/llhttp \
			-c "/usr/share/llhttp/$src.c" -o "$out/llhttp_$src.o"
	done
	rm -f "$out/libllhttp.a"
	ar rcs "$out/libllhttp.a" "$out/llhttp_llhttp.o" "$out/llhttp_api.o" "$out/llhttp_http.o"
	grep '^sha256 ' "$pins" | sed 's/^sha256 /llhttp-source /' > "$out/llhttp.sha256"
}

cmd_npm() {
	[ $# -eq 1 ] || die "usage: deps.sh npm DIR"
	[ -f "$1/package-lock.json" ] || die "$1 has no package-lock.json"
	# npm ci installs the lock file's versions and checks their integrity hashes.
	(cd "$1" && npm ci --no-audit --no-fund --loglevel=error >&2) || die "npm ci in $1 failed"
}

[ $# -ge 1 ] || die "usage: deps.sh packages STAGE... | llhttp OUTDIR CC [CFLAGS...] | npm DIR"
cmd=$1; shift
case $cmd in
packages) [ $# -ge 1 ] || die "usage: deps.sh packages STAGE..."; cmd_packages "$@" ;;
llhttp) cmd_llhttp "$@" ;;
npm) cmd_npm "$@" ;;
*) die "unknown command '$cmd'" ;;
esac
