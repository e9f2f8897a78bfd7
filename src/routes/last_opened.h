// SPDX-License-Identifier: MIT
// last_opened — the folder or workspace opened last, kept where code-server
// keeps it (the "query" of <user-data-dir>/coder.json), so that the
// workbench reopens it whichever of the two served it last.
//
// code-server's routes/vscode.ts, for GET / (and /vscode, /vscode/): a
// request naming a folder, a workspace or an empty window (?ew) is
// remembered and served; a bare one is sent to the folder or workspace
// remembered (unless --ignore-last-opened), else to the command line's
// folder, else served.  Unlike code-server, the file is written only when
// what it holds changes: an SD card is not worn by every page load.
#pragma once

#include <string>

#include "base/clock.h"
#include "routes/chain.h"

namespace routes {

struct LastOpened {
  std::string file;      // <user-data-dir>/coder.json; "" turns this off
  std::string folder;    // the command line's folder or .code-workspace, absolute; "" for none
  bool ignore = false;   // --ignore-last-opened
  // A file that cannot be read or written is said once a minute, not on
  // every load (the only state the middleware changes: its log).
  mutable base::Throttle said{60000};
  const base::Clock* clock = nullptr;
};

// Middleware (after the guard, before the VS Code server).
Outcome last_opened(const LastOpened& l, Exchange& ex);

}  // namespace routes
