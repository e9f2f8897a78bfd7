// SPDX-License-Identifier: MIT
// vscode_files — the VS Code server's own files, answered by portico from
// its install instead of through Node: /static/REL and /<quality>-<commit>/
// static/REL (the commit from the install's product.json), under / and
// /vscode/, are the install's file REL, as the server maps them
// (docs/VSCODE-FILES.md).  Behind the session check like every VS Code
// request; everything else still goes to the server.
//
// The server's answer, with better manners: the same status, bytes and
// Cache-Control (a year: every URL of a release is new), the server's
// Content-Type or a correct one where its own is wrong (.ttf, .woff2, .wasm,
// .mjs, .map, .jpg); plus an ETag and 304, HEAD, one byte range (206), 400
// for a malformed escape (the server hangs), 404 for a directory or a
// hidden file.  A precompressed sibling, FILE.br or FILE.gz beside FILE and
// no older than it, is sent when Accept-Encoding takes it (http/codings.h),
// with Vary: Accept-Encoding; 406 when nothing on hand is acceptable.
#pragma once

#include <string>
#include <string_view>

#include "routes/chain.h"

namespace routes {

struct VsCodeFiles {
  VsCodeFiles() = default;
  VsCodeFiles(const VsCodeFiles&) = delete;
  VsCodeFiles& operator=(const VsCodeFiles&) = delete;
  ~VsCodeFiles();

  // Opens the install `root` (the folder holding out/ and product.json) and
  // reads its product.json.  False with `why`.
  bool open(const std::string& root, std::string* why);
  bool on() const { return root_fd >= 0; }

  int root_fd = -1;          // O_PATH, for open_beneath
  std::string versioned;     // "/stable-<commit>": the segment the server strips once
  std::string code_server_version;  // "codeServerVersion" of product.json: code-server's VS Code, or ""
};

// The install of a VS Code server given as `server` (a server-main.js in
// out/, or a launcher in bin/): the folder above, when it holds a
// product.json; "" when not.
std::string vscode_root_of(const std::string& server);

// The Content-Type portico gives a file of the install.
std::string_view vscode_content_type(std::string_view name);

// Middleware (after the guard): answers the install's files; Next for
// anything else, or when no install is known.
Outcome vscode_files(const VsCodeFiles& f, Exchange& ex);

}  // namespace routes
