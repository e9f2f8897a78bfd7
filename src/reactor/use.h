// SPDX-License-Identifier: MIT
// use — how many connections are using something now, and since when none:
// the proxies count their exchanges and tunnels to a backend in it, and the
// supervisor stops an idle VS Code server by it.
#pragma once

#include <cstdint>

namespace reactor {

// The exchanges and tunnels open to a backend now, and when the last one
// ended.
struct Use {
  uint32_t open = 0;
  int64_t last_ms = 0;   // monotonic
};

// An exchange's or a tunnel's part in a Use: counted once when it opens,
// once when it ends, whichever way it ends (drop() is idempotent).
class UseHold {
 public:
  void take(Use* u) {
    if (u_ != nullptr || u == nullptr) return;
    u_ = u;
    u_->open++;
  }
  void drop(int64_t now_ms) {
    if (u_ == nullptr) return;
    u_->open--;
    u_->last_ms = now_ms;
    u_ = nullptr;
  }

 private:
  Use* u_ = nullptr;
};

}  // namespace reactor
