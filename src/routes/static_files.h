// SPDX-License-Identifier: MIT
// static_files — /_static/…, robots.txt and security.txt.
//
// Files come from the embedded www/ table, or, with --static-dir, from that
// directory instead, named, opened and answered as routes/files.h says
// (nothing outside the directory can be reached; ETag, 304, ranges).
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

}  // namespace routes
