// SPDX-License-Identifier: MIT
// vscode — what is left after the public routes and the guard belongs to the
// VS Code server: under / and under /vscode/ (code-server mounts it twice;
// the workbench uses relative URLs, so both work).
#pragma once

#include "routes/chain.h"

namespace routes {

constexpr int kToVsCode = 1;  // Exchange::divert

// Middleware: diverts every request to the VS Code server, "/vscode"
// stripped from the path.  `ctx` is a bool*: false when no server is set up.
Outcome vscode(void* enabled, Exchange& ex);

}  // namespace routes
