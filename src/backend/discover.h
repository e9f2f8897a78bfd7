// SPDX-License-Identifier: MIT
// discover — a VS Code server where code-server users already have one, so
// that renaming the command is all a switch takes.
//
// Every place code-server 4.x is installed from holds the same tree,
// <package>/lib/vscode/out/server-main.js, often with its own Node at
// <package>/lib/node: the Debian package (/usr/lib/code-server), the
// standalone release (~/.local/lib/code-server-VERSION, newest first), npm
// (global prefixes, then ./node_modules), and the one `make run` installs
// beside portico's binary (build/vscode/install/node_modules).
#pragma once

#include <string>
#include <vector>

namespace backend {

struct Found {
  std::string server;   // .../lib/vscode/out/server-main.js
  std::string node;     // the package's own Node, or "" (then --node, or node on PATH)
  std::string package;  // the code-server package folder (its src/browser/media, out/browser)
};

// The places looked at, in order, for the log when none holds a server.
std::vector<std::string> discovery_places();

// The first place holding a server; false when none does.
bool discover(Found* out);

// Whether `dir` is a code-server package holding a server; fills `out`.
bool package_at(const std::string& dir, Found* out);

}  // namespace backend
