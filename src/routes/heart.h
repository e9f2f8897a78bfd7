// SPDX-License-Identifier: MIT
// heart — when portico last saw activity, for /healthz, the heartbeat file
// and --idle-timeout-seconds (code-server's heart.ts and main.ts).
//
// Every request except GET /healthz beats, and so does a connection still
// open when a minute without requests is up (the Server's check): a
// workbench left open in a tab keeps its WebSocket, and is activity, as in
// code-server.  The server is "alive" while the last beat is under 60 s old,
// "expired" after.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "backend/supervisor.h"
#include "base/clock.h"
#include "routes/chain.h"
#include "routes/ws_table.h"
#include "ws/endpoint.h"

namespace routes {

class Heart {
 public:
  static constexpr int64_t kAliveMs = 60000;

  explicit Heart(const base::Clock* clock) : clock_(clock), active_(clock->now_ms()) {}
  // Every request, upgrade or not, but one for /healthz itself.
  void beat(const http::Request& req);
  void beat();
  int64_t last_beat_ms() const { return last_; }  // since the epoch; 0 if never
  bool alive() const { return last_ != 0 && clock_->wall_ms() - last_ < kAliveMs; }
  // Monotonic time of the last beat, or of the start before any.
  int64_t active_ms() const { return active_; }

  // "<data-dir>/heartbeat", emptied (so its mtime moves) on a beat at most
  // once a minute: what code-server's users watch from cron to stop an idle
  // box.  Empty: none kept.  Once a minute costs one open and close on the
  // loop, and an SD card one metadata write a minute while someone works.
  std::string file;

 private:
  void touch();

  const base::Clock* clock_;
  int64_t last_ = 0;
  int64_t active_;
  base::Throttle touch_{kAliveMs};
  bool touch_failed_ = false;   // said once, not every minute
};

// Middleware: GET /healthz → {"status":"alive"|"expired","lastHeartbeat":ms},
// code-server's two fields.  GET /healthz?verbose adds, after them, the VS
// Code server portico runs: "vscode":{"state":"stopped"|"starting"|"ready"|
// "restarting"|"stopping","since":ms,"processes":N,"rssKiB":N,"pssKiB":N}
// (the memory of its keeper and everything below; read at most once a
// second, so a flood of these costs no more than one /proc walk a second).
struct Login;

struct Health {
  const Heart& heart;
  backend::Supervisor* vscode = nullptr;   // nullptr: portico runs none
  // ?verbose tells when someone last used VS Code and what runs there: for
  // a logged-in request only (all of them with --auth none).
  const Login* login = nullptr;
};
Outcome health(const Health& h, Exchange& ex);

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
