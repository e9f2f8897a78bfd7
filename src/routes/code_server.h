// SPDX-License-Identifier: MIT
// code_server — the endpoints of code-server's front end that its VS Code
// (the one in code-server's package) calls: the /_static/ files its pages
// name, /manifest.json with their icons, and /update/check.  A VS Code
// server of another make calls none of them.
#pragma once

#include <string>
#include <string_view>

#include "base/clock.h"
#include "routes/chain.h"

namespace routes {

struct CodeServer {
  CodeServer() = default;
  CodeServer(const CodeServer&) = delete;
  CodeServer& operator=(const CodeServer&) = delete;
  ~CodeServer();

  // The code-server package folder (holding src/browser/media), opened
  // once; false with `why` when it is none.
  bool open(const std::string& package, std::string* why);

  int package_fd = -1;             // O_PATH, for open_beneath; -1: not code-server's VS Code
  std::string package;             // its path, once open
  std::string_view app_name;       // --app-name, for the manifest
  std::string_view version;        // code-server's version, "" when unknown
  const base::Clock* clock = nullptr;
};

// Middleware (public, as in code-server): GET/HEAD of the package's
// /_static/src/browser/media/NAME (favicons, PWA icons, templates.png) and
// /_static/out/browser/serviceWorker.js (with Service-Worker-Allowed: /,
// for its scope "./").  Only these two places, not the whole package
// code-server serves there.  Next for anything else.
Outcome code_server_static(const CodeServer& cs, Exchange& ex);

// Middleware (public): GET /manifest.json, the PWA manifest, named
// --app-name, with the package's icons when there is one.
Outcome manifest(const CodeServer& cs, Exchange& ex);

// Middleware (after the guard): GET /update/check, answered as code-server
// answers when it cannot reach GitHub: nothing newer.  portico never calls
// out; a box's updates come from its package manager.
Outcome update_check(const CodeServer& cs, Exchange& ex);

}  // namespace routes
