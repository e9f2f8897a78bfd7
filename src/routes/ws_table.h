// SPDX-License-Identifier: MIT
// ws_table — the WebSocket route table, apart from the HTTP middleware vector.
//
// An upgrade request never runs through the middleware vector: the server
// asks this table once where it goes.  The first route that takes the
// request says where (or refuses it with a status of its own); then the
// route's policy runs, origin before session.  The handshake is validated
// after that, and only then does the upgrade go anywhere.  Every refusal on
// this path is a bare status line, because the client is a WebSocket, not a
// page.
#pragma once

#include <cstddef>

#include "auth/origin.h"
#include "http/request.h"
#include "routes/chain.h"

namespace routes {

struct Login;

// Where an upgrade goes: the one decision for it.
struct Upgrade {
  enum class To : unsigned char { Refused, Backend, Health };
  To to = To::Refused;
  int status = 404;   // Refused: the status line to answer with
  Forward forward;    // Backend: a tunnel to it
};

// What an upgrade must show before it goes through; a null gate is open.
struct Policy {
  const auth::TrustedOrigins* origins = nullptr;  // no Origin, this site's, or trusted (else 403)
  const Login* login = nullptr;                   // a session (else 401)
};

class WsRoute {
 public:
  // Whether `req` is this route's; if so, where it goes, or a refusal of
  // the route's own (which no policy check then overrides).
  virtual bool route(const http::Request& req, Upgrade* up) const = 0;

 protected:
  ~WsRoute() = default;
};

class WsTable {
 public:
  static constexpr size_t kMax = 8;

  // Appends a route; false when the table is full (a start-up bug).
  bool add(const char* name, const WsRoute& route, const Policy& policy);
  // Where `req` goes: the first route that takes it, then its policy; a
  // 404 refusal when no route does.
  Upgrade decide(const http::Request& req) const;
  // The status `p` refuses `req` with, or 0.
  static int admit(const Policy& p, const http::Request& req);

 private:
  struct Entry {
    const char* name;
    const WsRoute* route;
    Policy policy;
  };
  Entry entries_[kMax] = {};
  size_t n_ = 0;
};

}  // namespace routes
