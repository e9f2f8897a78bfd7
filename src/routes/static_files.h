// SPDX-License-Identifier: MIT
// static_files — /_static/…, robots.txt and security.txt.
//
// Files come from the embedded www/ table, or, with --static-dir, from that
// directory instead.  A name is decoded once and checked segment by segment
// (no "." or "..", no hidden files, no encoded separators, no NUL); files in
// the directory are opened one component at a time with O_NOFOLLOW, so
// neither a ".." nor a symbolic link can lead outside it.
#pragma once

#include <cstddef>
#include <string_view>

#include "routes/chain.h"

namespace routes {

struct StaticFiles {
  int dir_fd = -1;   // --static-dir opened O_PATH, or -1 for the embedded files
};

// Middleware: GET/HEAD /_static/NAME.
Outcome static_files(const StaticFiles& files, Exchange& ex);
// Middleware: /robots.txt, /security.txt, /.well-known/security.txt, always
// the embedded ones.
Outcome well_known(const StaticFiles& files, Exchange& ex);

// Decodes the part of a path after "/_static/" into `out`.  Returns 0 and
// sets *name, or the status to answer (400 malformed, 404 never served).
int static_name(std::string_view raw, char* out, size_t cap, std::string_view* name);

}  // namespace routes
