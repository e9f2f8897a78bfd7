// SPDX-License-Identifier: MIT
// pool — idle keep-alive connections to backends, taken again by the next
// request for the same target (the VS Code server, or one of the box's
// ports).  A fixed array: keeping and taking allocate nothing.
#pragma once

#include <cstddef>

#include "proxy/target.h"
#include "reactor/conn.h"

namespace proxy {

class Pool {
 public:
  // As many as clients are likely to be waiting on backends at once, or
  // every request above it reconnects.
  static constexpr size_t kSize = 256;

  // An open idle connection to `t`, the most recently kept first; nullptr
  // when there is none.
  reactor::Conn* take(const Target* t);
  // Keeps `u`, connected to `t`; false when the pool is full.
  bool keep(reactor::Conn& u, const Target* t);
  // Forgets `u` (it is closing), if it is here.
  void drop(reactor::Conn& u);

 private:
  struct Idle {
    reactor::Conn* conn;
    const Target* target;
  };
  void remove(size_t i);
  Idle idle_[kSize] = {};
  size_t n_ = 0;
};

}  // namespace proxy
