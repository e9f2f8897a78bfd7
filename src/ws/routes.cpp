// SPDX-License-Identifier: MIT
#include "ws/routes.h"

namespace ws {

bool Table::add(const Route& r) {
  if (n_ == kMax) return false;
  routes_[n_++] = r;
  return true;
}

const Route* Table::find(const http::Request& req) const {
  for (size_t i = 0; i < n_; i++) {
    if (routes_[i].match(routes_[i].match_ctx, req)) return &routes_[i];
  }
  return nullptr;
}

int Table::admit(const Route& r, const http::Request& req) {
  for (size_t i = 0; i < Route::kMaxChecks && r.checks[i] != nullptr; i++) {
    if (int status = r.checks[i](r.check_ctx[i], req)) return status;
  }
  return 0;
}

}  // namespace ws
