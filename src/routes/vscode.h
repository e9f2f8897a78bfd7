// SPDX-License-Identifier: MIT
// vscode — what is left after the public routes and the guard belongs to the
// VS Code server: under / and under /vscode/ (code-server mounts it twice;
// the workbench uses relative URLs, so both work).
#pragma once

#include <string>
#include <string_view>

#include "backend/supervisor.h"
#include "proxy/target.h"
#include "routes/chain.h"
#include "routes/ws_table.h"

namespace routes {

// The VS Code server: where it listens and, when portico runs it, the
// supervisor that starts it on first use.  Also its WebSocket route, which
// takes every upgrade no route before it took (the policy, origin and
// session, is the table's).
struct VsCode final : WsRoute {
  const proxy::Target* target = nullptr;        // nullptr: no server set up
  backend::Supervisor* supervisor = nullptr;    // --vscode-server; nullptr for --vscode-addr
  std::string_view session_cookie;              // removed before forwarding
  bool missing = false;                         // none found: its pages say how to install one

  // Asks a supervised server to start; true while it is not up yet.
  bool starting() const;
  // Where `req` goes on the server: the path without "/vscode".
  Forward forward(const http::Request& req) const;
  bool route(const http::Request& req, Upgrade* up) const override;
};

// Middleware: forwards every request to the VS Code server (none set up:
// Next; none found: 503 with how to install one).
Outcome vscode(const VsCode& v, Exchange& ex);

// Middleware (after the guard): POST /mint-key, 32 random bytes kept in
// <user-data-dir>/serve-web-key-half (0600) from the first call on: the
// server's half of the key VS Code's web secret storage derives.  The file
// is code-server's, so the secrets a browser stored under one are read
// under the other.
Outcome mint_key(const std::string& user_data_dir, Exchange& ex);

}  // namespace routes
