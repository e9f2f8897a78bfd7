#!/bin/sh
# SPDX-License-Identifier: MIT
# lint.sh BINARY — static checks; one "ok"/"FAIL" line each, then
# "lint: N passed, N failed".
set -u
bin=${1:-build/portico}
passed=0
failed=0
result() { # result NAME STATUS DETAIL
	if [ "$2" = 0 ]; then passed=$((passed + 1)); echo "ok   lint.$1"
	else failed=$((failed + 1)); echo "FAIL lint.$1: $3"; fi
}

# 1. mandoc -Tlint prints nothing (run from man/ so sibling pages resolve).
out=$(cd man && mandoc -Tlint portico.1 portico.conf.5 2>&1)
result mandoc "$([ -z "$out" ] && echo 0 || echo 1)" "$out"

# 2. Every flag in --help is documented in the man page, and nothing more.
help_flags=$("$bin" --help | sed -n 's/^  --\([a-z0-9-]*\).*/\1/p' | sort)
man_flags=$(sed -n 's/^\.It Fl -\([a-z0-9-]*\).*/\1/p' man/portico.1 | sort)
syn_flags=$(sed -n '/^\.Sh SYNOPSIS/,/^\.Sh DESCRIPTION/p' man/portico.1 | grep -o 'Fl -[a-z0-9-]*' | sed 's/Fl -//' | sort -u)
only_help=$(for f in $help_flags; do printf '%s\n' "$man_flags" | grep -qx -- "$f" || printf ' %s' "$f"; done)
only_man=$(for f in $man_flags; do printf '%s\n' "$help_flags" | grep -qx -- "$f" || printf ' %s' "$f"; done)
result man-lists-every-flag "$([ -z "$only_help$only_man" ] && [ -n "$help_flags" ] && echo 0 || echo 1)" \
	"only in --help:${only_help:- none}; only in the man page:${only_man:- none}"
missing=$(for f in $help_flags; do printf '%s\n' "$syn_flags" | grep -qx -- "$f" || printf ' %s' "$f"; done)
result synopsis-lists-every-flag "$([ -z "$missing" ] && echo 0 || echo 1)" "missing from SYNOPSIS:$missing"

# 2b. portico.conf(5) lists every key: the flags but those of the command
#     line alone, and the keys of the file alone.
conf_keys=$(sed -n 's/^\.It Cm \([a-z0-9-]*\).*/\1/p' man/portico.conf.5 | sort -u)
want_keys=$( { printf '%s\n' $help_flags | grep -vx -e config -e help -e version -e json
	printf '%s\n' password hashed-password github-auth; } | sort -u)
only_conf=$(for k in $conf_keys; do printf '%s\n' "$want_keys" | grep -qx -- "$k" || printf ' %s' "$k"; done)
only_want=$(for k in $want_keys; do printf '%s\n' "$conf_keys" | grep -qx -- "$k" || printf ' %s' "$k"; done)
result conf-lists-every-key "$([ -z "$only_conf$only_want" ] && echo 0 || echo 1)" \
	"only in portico.conf.5:${only_conf:- none}; missing from it:${only_want:- none}"

# 3. File size caps (hard 600 lines; soft caps are for review).
big=$(find src tests/unit -name '*.cpp' -o -name '*.h' | xargs wc -l | awk '$2 != "total" && $1 > 600 { print $2 " (" $1 ")" }')
result size-caps "$([ -z "$big" ] && echo 0 || echo 1)" "over 600 lines: $big"

# 4. The module layering of docs/ARCHITECTURE.md: a module includes
#    only the modules below it; only src/*.cpp sees everything.
bad=""
for dir in src/*/; do
	mod=$(basename "$dir")
	case $mod in
	base) allowed="base" ;;
	reactor) allowed="base reactor" ;;
	tls) allowed="base reactor tls" ;;
	http) allowed="base reactor http" ;;
	ws|proxy) allowed="base reactor http $mod" ;;
	auth) allowed="base http auth" ;;
	routes) allowed="base reactor http ws proxy auth backend routes" ;;
	backend) allowed="base reactor backend" ;;
	config|sys) allowed="base $mod" ;;
	*) allowed="" ;;
	esac
	for inc in $(grep -ho '#include "[a-z_]*/' "$dir"*.cpp "$dir"*.h 2>/dev/null | sed 's/#include "//; s|/||' | sort -u); do
		case " $allowed " in *" $inc "*) ;; *) bad="$bad $mod->$inc" ;; esac
	done
done
result module-layering "$([ -z "$bad" ] && echo 0 || echo 1)" "forbidden includes:$bad"

# 5. The newcomer's commands.
ok=0
grep -q 'make run' README.md && grep -q 'make check' README.md && grep -q 'make check' .ci/run || ok=1
result readme-and-ci "$ok" "README.md must show 'make run' and 'make check'; .ci/run must call 'make check'"

echo "lint: $passed passed, $failed failed"
[ "$failed" = 0 ]
