// SPDX-License-Identifier: MIT
// vscode — what is left after the public routes and the guard belongs to the
// VS Code server: under / and under /vscode/ (code-server mounts it twice;
// the workbench uses relative URLs, so both work).
#pragma once

#include <string>

#include "routes/chain.h"

namespace routes {

constexpr int kToVsCode = 1;  // Exchange::divert

// Middleware: diverts every request to the VS Code server, "/vscode"
// stripped from the path.  `ctx` is a bool*: false when no server is set up.
Outcome vscode(void* enabled, Exchange& ex);

// Middleware (public): GET /manifest.json, the PWA manifest, named --app-name.
Outcome manifest(void* app_name, Exchange& ex);

// Middleware (after the guard): POST /mint-key, 32 random bytes kept in
// <data-dir>/portico-mint-key (0600) from the first call on: the server's
// half of the key VS Code's web secret storage derives.  `ctx` is the
// directory (std::string*).
Outcome mint_key(void* data_dir, Exchange& ex);

}  // namespace routes
