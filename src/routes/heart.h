// SPDX-License-Identifier: MIT
// heart — when portico last saw activity, for /healthz (code-server's heart.ts).
//
// Every request except GET /healthz beats.  The server is "alive" while the
// last beat is under 60 s old, "expired" after.
#pragma once

#include <cstdint>

#include "base/clock.h"
#include "routes/chain.h"

namespace routes {

class Heart {
 public:
  static constexpr int64_t kAliveMs = 60000;

  explicit Heart(const base::Clock* clock) : clock_(clock) {}
  void beat() { last_ = clock_->wall_ms(); }
  int64_t last_beat_ms() const { return last_; }  // since the epoch; 0 if never
  bool alive() const { return last_ != 0 && clock_->wall_ms() - last_ < kAliveMs; }

 private:
  const base::Clock* clock_;
  int64_t last_ = 0;
};

// Middleware: beats for every request but /healthz itself.
Outcome heartbeat(void* heart, Exchange& ex);
// Middleware: GET /healthz → {"status":"alive"|"expired","lastHeartbeat":ms}.
Outcome health(void* heart, Exchange& ex);
// The JSON body /healthz answers with (shared with its WebSocket form later).
size_t health_json(const Heart& heart, char* out, size_t cap);

}  // namespace routes
