#!/bin/sh
# SPDX-License-Identifier: MIT
# run.sh SECONDS [NAME...] — runs each libFuzzer harness (build/fuzz/NAME,
# from tests/fuzz/NAME.cpp; all of them by default) for SECONDS, one after
# the other.  Each starts from its seeds in tests/fuzz/corpus/NAME and adds
# what it learns to build/fuzz/work/NAME: nothing is written into the tree.
# A harness's "// fuzz: FLAGS" line gives its own libFuzzer flags (-max_len,
# -dict).  One line per harness, "ok" or "FAIL", with its executions and
# seconds; then "fuzz: N passed, N failed".  A crash leaves its input in
# build/fuzz/work/NAME-crash-* (or -leak-, -timeout-, -oom-) and the log
# beside it.
set -u
cd "$(dirname "$0")/../.."
[ $# -ge 1 ] || { echo "usage: tests/fuzz/run.sh SECONDS [NAME...]" >&2; exit 100; }
secs=$1
shift
names=${*:-$(for f in tests/fuzz/*.cpp; do basename "$f" .cpp; done)}
passed=0
failed=0
for name in $names; do
	work=build/fuzz/work/$name
	log=$work.log
	mkdir -p "$work"
	seeds=tests/fuzz/corpus/$name
	[ -d "$seeds" ] || seeds=
	flags=$(sed -n 's|^// fuzz: ||p' "tests/fuzz/$name.cpp" | head -1)
	start=$(date +%s)
	# shellcheck disable=SC2086 # the flags are words
	"build/fuzz/$name" $flags -max_total_time="$secs" -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$work-" "$work" $seeds > "$log" 2>&1
	rc=$?
	took=$(($(date +%s) - start))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	[ -n "$execs" ] || execs=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
	line="fuzz.$name execs=${execs:-0} secs=$took"
	if [ "$rc" = 0 ]; then
		passed=$((passed + 1))
		echo "ok   $line"
	else
		failed=$((failed + 1))
		why=$(grep -m1 -E 'invariant failed|ERROR: (AddressSanitizer|libFuzzer)|runtime error' "$log")
		input=$(sed -n 's/.*Test unit written to //p' "$log" | tail -1)
		printf "FAIL %s: %s (input: %s; log: %s)\n" "$line" "${why:-exit $rc}" "${input:-none}" "$log"
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" = 0 ]
