// SPDX-License-Identifier: MIT
// linger — the last handler of a connection: half-closed, it drops whatever
// still arrives until the peer closes or the Linger timeout ends it.  Shared
// by every protocol (HTTP after "Connection: close", WebSocket after its
// close frame); see Conn::linger().
#pragma once

#include "reactor/conn.h"

namespace reactor {

class Linger final : public Handler {
 public:
  Flow on_readable(Conn& c) override;
  Flow on_writable(Conn&) override { return Flow::Keep; }
  void on_timeout(Conn& c, Timer t) override;
  void on_drain(Conn&) override {}   // ends by itself within the Linger timeout
  void on_release(Conn&) override {}  // keeps no state
};

}  // namespace reactor
