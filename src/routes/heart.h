// SPDX-License-Identifier: MIT
// heart — when portico last saw activity, for /healthz (code-server's heart.ts).
//
// Every request except GET /healthz beats.  The server is "alive" while the
// last beat is under 60 s old, "expired" after.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/clock.h"
#include "routes/chain.h"
#include "routes/ws_table.h"
#include "ws/endpoint.h"

namespace routes {

class Heart {
 public:
  static constexpr int64_t kAliveMs = 60000;

  explicit Heart(const base::Clock* clock) : clock_(clock) {}
  // Every request, upgrade or not, but one for /healthz itself.
  void beat(const http::Request& req);
  int64_t last_beat_ms() const { return last_; }  // since the epoch; 0 if never
  bool alive() const { return last_ != 0 && clock_->wall_ms() - last_ < kAliveMs; }

 private:
  const base::Clock* clock_;
  int64_t last_ = 0;
};

// Middleware: GET /healthz → {"status":"alive"|"expired","lastHeartbeat":ms}.
Outcome health(const Heart& heart, Exchange& ex);

// /healthz as a WebSocket (no policy: it reveals nothing, and monitors
// connect from anywhere, as in code-server): each message is answered with
// the same JSON, "event":"health" first.
struct HealthSocket final : WsRoute, ws::Replier {
  explicit HealthSocket(const Heart& h) : heart(h) {}
  bool route(const http::Request& req, Upgrade* up) const override;
  size_t reply(bool text, char* out, size_t cap) const override;
  const Heart& heart;
};
// /healthz and /healthz/ (code-server's ^/healthz/?$).
bool is_healthz(std::string_view path);
// The JSON /healthz answers with; `event` prefixes "event":"health", which is
// how the WebSocket form answers each message.  Returns 0 if `cap` is short.
size_t health_json(const Heart& heart, bool event, char* out, size_t cap);

}  // namespace routes
