// SPDX-License-Identifier: MIT
// routes — the WebSocket route table, apart from the HTTP middleware vector.
//
// An upgrade request never runs through the middleware vector: the server
// looks its path up here, runs the route's own checks (origin now, auth
// later) in order, validates the handshake, and lets the route claim the
// connection.  Every refusal on this path is a bare status line, because the
// client is a WebSocket, not a page.
#pragma once

#include <cstddef>
#include <string_view>

#include "http/request.h"
#include "reactor/conn.h"
#include "ws/handshake.h"

namespace ws {

// A check returns 0 to let the request on, or the status to refuse it with.
using CheckFn = int (*)(void* ctx, const http::Request& req);
// Takes the connection over.  The request head fills c.in()[0, head_len); what
// follows it is the new protocol's.  Never returns Flow::Keep.
using ClaimFn = reactor::Flow (*)(void* ctx, reactor::Conn& c, const http::Request& req, size_t head_len,
                                  const Handshake& hs);

struct Route {
  static constexpr size_t kMaxChecks = 4;
  const char* name;
  // Mostly the path; a proxy domain also looks at the Host.
  bool (*match)(void* ctx, const http::Request& req);
  void* match_ctx;
  CheckFn checks[kMaxChecks];
  void* check_ctx[kMaxChecks];
  ClaimFn claim;
  void* ctx;
};

class Table {
 public:
  static constexpr size_t kMax = 8;

  // Appends a route; false when the table is full (a start-up bug).
  bool add(const Route& r);
  // The first route whose match() accepts `req`, or nullptr.
  const Route* find(const http::Request& req) const;
  // Runs r's checks in order: 0 when all pass, else the first refusal.
  static int admit(const Route& r, const http::Request& req);

 private:
  Route routes_[kMax] = {};
  size_t n_ = 0;
};

}  // namespace ws
