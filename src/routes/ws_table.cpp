// SPDX-License-Identifier: MIT
#include "routes/ws_table.h"

#include "routes/login.h"

namespace routes {

bool WsTable::add(const char* name, const WsRoute& route, const Policy& policy) {
  if (n_ == kMax) return false;
  entries_[n_++] = {name, &route, policy};
  return true;
}

int WsTable::admit(const Policy& p, const http::Request& req) {
  if (p.origins != nullptr && !auth::origin_allowed(*p.origins, req)) return 403;
  if (p.login != nullptr && !p.login->authenticated(req)) return 401;
  return 0;
}

Upgrade WsTable::decide(const http::Request& req) const {
  Upgrade up;
  for (size_t i = 0; i < n_; i++) {
    if (!entries_[i].route->route(req, &up)) continue;
    if (up.to == Upgrade::To::Refused) return up;
    if (int status = admit(entries_[i].policy, req)) {
      up.to = Upgrade::To::Refused;
      up.status = status;
    }
    return up;
  }
  return up;
}

}  // namespace routes
