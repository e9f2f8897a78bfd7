#!/bin/sh
# SPDX-License-Identifier: MIT
# vscode-server.sh DIR — install the VS Code server portico runs behind:
# the one inside npm's code-server 4.100.3 (VS Code 1.100.3), on Debian's
# Node 20, into DIR.  Prints the path of its server-main.js.  Does nothing
# when DIR already holds a checked install.
#
# Then it precompresses the files a browser loads from the install (what
# portico answers itself, routes/vscode_files.h): FILE.br (brotli, best
# quality) and FILE.gz (gzip -9) beside every text file of out/ of 1 KiB
# or more, but source maps and the server's own code (out/server-*.js,
# bootstrap-fork.js, */node/*).  Measured here: a cold workbench load is
# 15 answers, all from out/; 96 files, 23 MB, of which workbench.js is
# 11.4 MB and 22 s of brotli on its own; two at a time, about 30 s.
#
# Only Debian's archive and the npm registry are used.  Three of the
# package's install steps would download from elsewhere; they are steered:
#   - @vscode/ripgrep's postinstall fetches rg: its download cache is seeded
#     with Debian's rg, which it checks first;
#   - argon2 and kerberos try prebuilt binaries: their download hosts point at
#     a closed loopback port, so they fail at once and build from source;
#   - node-gyp needs Node's headers: Debian's are in /usr/include/node.
set -eu
version=4.100.3
dir=${1:?usage: vscode-server.sh DIR}
main=$dir/install/node_modules/code-server/lib/vscode/out/server-main.js

die() { echo "vscode-server.sh: $*" >&2; exit 1; }

# precompress ROOT: the siblings, made only where missing or older than
# their file (brotli and gzip give them the file's mtime).
precompress() {
	command -v brotli >/dev/null 2>&1 || die "missing brotli (third_party/deps.sh packages vscode)"
	start=$(date +%s)
	find "$1/out" -type f -size +1023c \( -name '*.js' -o -name '*.css' -o -name '*.html' -o -name '*.json' \
		-o -name '*.svg' -o -name '*.ttf' -o -name '*.txt' -o -name '*.wasm' \) \
		! -path '*/node/*' ! -name 'server-*.js' ! -name 'bootstrap-fork.js' -print0 |
		xargs -0 -r -n 1 -P "$(nproc)" sh -c '
			for f; do
				[ -f "$f.br" ] && [ ! "$f.br" -ot "$f" ] || brotli -q 11 -kf "$f" || exit 1
				[ -f "$f.gz" ] && [ ! "$f.gz" -ot "$f" ] || gzip -9 -kf "$f" || exit 1
			done' sh || die "precompressing $1 failed"
	echo "vscode-server.sh: precompressed $1/out in $(($(date +%s) - start)) s" >&2
}

if [ -f "$dir/ok-$version" ] && [ -f "$main" ]; then
	[ -f "$dir/ok-$version-precompressed" ] || { precompress "${main%/out/server-main.js}" && touch "$dir/ok-$version-precompressed"; }
	echo "$main"
	exit 0
fi
for tool in node npm cc c++ make python3 rg pkg-config krb5-config; do
	command -v "$tool" >/dev/null 2>&1 || die "missing $tool (third_party/deps.sh packages vscode)"
done
want=$(node -p 'process.versions.node.split(".")[0]')
[ "$want" = 20 ] || die "code-server $version needs Node 20, this is Node $want"

mkdir -p "$dir/pack" "$dir/tmp"
dir=$(cd "$dir" && pwd)
tgz=$dir/pack/code-server-$version.tgz
[ -s "$tgz" ] || (cd "$dir/pack" && npm pack --loglevel=error "code-server@$version" >/dev/null) || die "npm pack failed"

field() { # field JS-EXPRESSION < JSON: the value, with j the parsed document
	node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);const v=eval(process.argv[1]);console.log(v==null?"":v)})' "$1"
}

# Seed @vscode/ripgrep's cache with Debian's rg.
rgver=$(tar xzf "$tgz" -O package/lib/vscode/npm-shrinkwrap.json |
	field 'j.packages["node_modules/@vscode/ripgrep"] && j.packages["node_modules/@vscode/ripgrep"].version')
if [ -n "$rgver" ]; then
	rgtgz=$(cd "$dir/pack" && npm pack --loglevel=error "@vscode/ripgrep@$rgver" | tail -n 1)
	tag=$(tar xzf "$dir/pack/$rgtgz" -O package/lib/postinstall.js | sed -n "s/^const VERSION = '\(.*\)';.*/\1/p")
	[ -n "$tag" ] || die "no ripgrep release tag in @vscode/ripgrep@$rgver"
	case $(uname -m) in
	x86_64) triple=x86_64-unknown-linux-musl ;;
	aarch64) triple=aarch64-unknown-linux-gnu ;;
	armv7l) triple=arm-unknown-linux-gnueabihf ;;
	*) die "no ripgrep seed for $(uname -m)" ;;
	esac
	seed=$dir/tmp/vscode-ripgrep-cache-$rgver
	mkdir -p "$seed" "$dir/tmp/rg"
	cp "$(command -v rg)" "$dir/tmp/rg/rg"
	tar czf "$seed/ripgrep-$tag-$triple.tar.gz" -C "$dir/tmp/rg" rg
fi

# A local install (a global one leaks into the package's nested npm install).
rm -rf "$dir/install"
mkdir -p "$dir/install"
echo '{"name":"portico-vscode-server","private":true}' > "$dir/install/package.json"
echo "vscode-server.sh: npm install code-server@$version (about a minute; log in $dir/install.log)" >&2
if ! (cd "$dir/install" && env TMPDIR="$dir/tmp" npm_config_nodedir=/usr npm_config_yes=true \
	npm_config_unsafe_perm=true npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false \
	npm_config_argon2_binary_host_mirror=http://127.0.0.1:9/ npm_config_kerberos_binary_host=http://127.0.0.1:9 \
	npm install --foreground-scripts "$tgz") > "$dir/install.log" 2>&1; then
	tail -n 30 "$dir/install.log" >&2
	die "npm install failed"
fi
# The native modules must load under this Node, or the terminal and the
# file watcher fail later in less obvious ways.
node -e 'for (const m of ["node-pty", "@vscode/spdlog", "@parcel/watcher"]) require(process.argv[1] + "/" + m)' \
	"$dir/install/node_modules/code-server/lib/vscode/node_modules" || die "native modules do not load"
[ -f "$main" ] || die "no $main after the install"
touch "$dir/ok-$version"
precompress "${main%/out/server-main.js}"
touch "$dir/ok-$version-precompressed"
echo "$main"
