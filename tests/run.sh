#!/bin/sh
# SPDX-License-Identifier: MIT
# run.sh [all|lint|fuzz|boards] — every suite of `make check`, then one closing line
# "N passed, N failed" (the line CI reads).  Unit tests count doctest test
# cases; end-to-end tests count cases, once against the release build and
# once against the ASan+UBSan build, and for each board (aarch64, armhf:
# the static cross builds under qemu-user) the unit tests and the cases that
# need no VS Code server; each libFuzzer harness counts once (a
# short run, FUZZ_CHECK_SECONDS each); lint counts checks.  A suite that dies
# without its summary counts as one failure.
set -u
cd "$(dirname "$0")/.."
mode=${1:-all}
passed=0
failed=0
log=build/test-logs
mkdir -p "$log"

add() { # add SUITE PASSED FAILED
	passed=$((passed + $2))
	failed=$((failed + $3))
	echo "== $1: $2 passed, $3 failed"
}

unit() { # unit FLAVOUR [EMULATOR [DOCTEST OPTIONS...]]
	out=$log/unit-$1.txt
	flavour=$1 emulator=${2:-}
	shift
	[ $# = 0 ] || shift
	$emulator "build/$flavour/unit_tests" "$@" > "$out" 2>&1
	rc=$?
	line=$(grep '^\[doctest\] test cases:' "$out" | tail -1)
	p=$(echo "$line" | sed -n 's/.*| *\([0-9]*\) passed.*/\1/p')
	f=$(echo "$line" | sed -n 's/.*| *\([0-9]*\) failed.*/\1/p')
	if [ -z "$p" ] || { [ "$rc" != 0 ] && [ "${f:-0}" = 0 ]; }; then p=${p:-0}; f=$((${f:-0} + 1)); fi
	[ "$f" = 0 ] || grep -E 'ERROR|FATAL|Sanitizer|runtime error' "$out" | head -40
	add "unit ($flavour)" "$p" "$f"
}

e2e() { # e2e FLAVOUR BINARY [EMULATOR [CASES...]]
	out=$log/e2e-$1.txt
	flavour=$1 binary=$2 emulator=${3:-}
	shift 2
	[ $# = 0 ] || shift
	PORTICO=$binary PORTICO_EMULATOR=$emulator E2E_LABEL="e2e-$flavour" /usr/bin/python3 tests/e2e/run.py "$@" > "$out" 2>&1
	set -- "$flavour"
	line=$(grep "^e2e-$1: " "$out" | tail -1)
	p=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed.*/\1/p')
	f=$(echo "$line" | sed -n 's/.*, \([0-9]*\) failed.*/\1/p')
	[ -n "$p" ] || { p=0; f=1; tail -20 "$out"; }
	grep '^FAIL' "$out" | cut -c1-2000
	add "e2e ($1)" "$p" "$f"
}

checks() { # checks SUITE LOG COMMAND...: a suite of "ok"/"FAIL" lines ending "SUITE: N passed, N failed"
	suite=$1 out=$2
	shift 2
	"$@" > "$out" 2>&1
	line=$(grep "^$suite: " "$out" | tail -1)
	p=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed.*/\1/p')
	f=$(echo "$line" | sed -n 's/.*, \([0-9]*\) failed.*/\1/p')
	[ -n "$p" ] || { p=0; f=1; }
	grep '^FAIL' "$out"
	add "$suite" "$p" "$f"
}

# The boards' builds under qemu-user: the unit tests, and the end-to-end
# modules that need no VS Code server (HTTP, WebSocket, auth, TLS, the port
# proxy, the daemon's signals and readiness, attacks and faults).
BOARD_E2E="test_http test_websocket test_auth test_tls test_port_proxy test_proxy test_daemon test_routes test_attacks
  test_traversal test_stderr test_faults"
# The keeper's cases are left out there, and said so: Debian 12's qemu-user
# (7.2) answers EINVAL to prctl(PR_SET_CHILD_SUBREAPER), which they need.
# The boards' kernels have it, as this one does, and what those cases test
# is the kernel's, the same on every architecture.
boards() {
	for arch in aarch64:qemu-aarch64 armhf:qemu-arm; do
		echo "== unit (${arch%%:*}): the keeper's cases not run (${arch#*:} has no PR_SET_CHILD_SUBREAPER)"
		unit "${arch%%:*}" "${arch#*:}" --test-case-exclude='keeper*'
		# shellcheck disable=SC2086 # the list is words
		e2e "${arch%%:*}" "build/${arch%%:*}/portico" "${arch#*:}" $BOARD_E2E
	done
}

lint() { checks lint "$log/lint.txt" sh tests/tools/lint.sh build/portico; }

# Each harness briefly (about 35 s in all), from its seeds; `make fuzz` runs long.
fuzz() { checks fuzz "$log/fuzz.txt" sh tests/fuzz/run.sh "${FUZZ_CHECK_SECONDS:-4}"; }

case $mode in
all)
	unit release
	unit asan
	e2e release build/portico
	e2e asan build/asan/portico
	boards
	fuzz
	lint
	;;
lint) lint ;;
fuzz) fuzz ;;
boards) boards ;;
*) echo "usage: tests/run.sh [all|lint|fuzz|boards]" >&2; exit 100 ;;
esac
echo "logs in $log/"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
