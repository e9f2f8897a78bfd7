// SPDX-License-Identifier: MIT
// vscode_setup — which VS Code server portico runs, and code-server's
// extension commands, which run that server's CLI instead of serving.
#pragma once

#include "config/config.h"

// Without --vscode-server and --vscode-addr: the first VS Code server of
// backend/discover.h, with its own Node unless --node names one; logged
// either way (none found: once, with where it looked).  A --vscode-server
// naming a code-server package folder becomes its server-main.js;
// "--vscode-server none" means no server, and none looked for.  Returns 0,
// or the exit status after logging why (a server path that names nothing).
int settle_vscode(config::Config* cfg);

// --install-extension, --list-extensions and the rest: the server's CLI, run
// in place of portico (exec), with the same user data and extensions
// folders the server gets.  Returns only on failure, with the exit status.
int run_extension_cli(const config::Config& cfg);
