// SPDX-License-Identifier: MIT
#include "proxy/pool.h"

namespace proxy {

reactor::Conn* Pool::take(const Target* t) {
  for (size_t i = n_; i-- > 0;) {
    reactor::Conn* u = idle_[i].conn;
    if (idle_[i].target != t || u->closed()) continue;
    remove(i);
    return u;
  }
  return nullptr;
}

bool Pool::keep(reactor::Conn& u, const Target* t) {
  if (n_ == kSize) return false;
  idle_[n_++] = Idle{&u, t};
  return true;
}

void Pool::drop(reactor::Conn& u) {
  for (size_t i = 0; i < n_; i++) {
    if (idle_[i].conn == &u) {
      remove(i);
      return;
    }
  }
}

// Shifting keeps the order (newest last), so take() finds the warmest
// connection, the one furthest from its idle timeout.
void Pool::remove(size_t i) {
  for (; i + 1 < n_; i++) idle_[i] = idle_[i + 1];
  n_--;
}

}  // namespace proxy
