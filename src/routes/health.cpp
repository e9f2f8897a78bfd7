// SPDX-License-Identifier: MIT
#include "routes/heart.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include "base/log.h"
#include "base/writer.h"
#include "routes/form.h"
#include "routes/login.h"

namespace routes {
bool is_healthz(std::string_view path) { return path == "/healthz" || path == "/healthz/"; }

void Heart::beat(const http::Request& req) {
  if (!is_healthz(req.path)) beat();
}

void Heart::beat() {
  last_ = clock_->wall_ms();
  active_ = clock_->now_ms();
  if (!file.empty() && touch_.allow(active_)) touch();
}

// code-server writes an empty file; O_TRUNC of one already empty writes no
// data, only the times.  O_NOFOLLOW: a link planted in the data directory
// does not make portico empty some other file.
void Heart::touch() {
  int fd = open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
  if (fd >= 0) {
    close(fd);
    touch_failed_ = false;
    return;
  }
  if (!touch_failed_) base::logf(base::Level::Warn, "heartbeat %s: %s", file.c_str(), strerror(errno));
  touch_failed_ = true;
}

size_t health_json(const Heart& heart, bool event, char* out, size_t cap) {
  base::Writer w(out, cap);
  if (event) w.put("{\"event\":\"health\",");
  else w.put('{');
  w.put(heart.alive() ? "\"status\":\"alive\",\"lastHeartbeat\":" : "\"status\":\"expired\",\"lastHeartbeat\":");
  w.put_i64(heart.last_beat_ms());
  w.put('}');
  return w.ok() ? w.size() : 0;
}

namespace {

bool verbose(std::string_view query) {
  char v[8];
  size_t n;
  if (!form_value(query, "verbose", v, sizeof v, &n)) return false;
  std::string_view value(v, n);
  return value != "0" && value != "false";
}

// `json` without its closing brace, then the VS Code server's members.
size_t add_vscode(backend::Supervisor& s, char* json, size_t len, size_t cap) {
  backend::Supervisor::Report r = s.report();
  base::Writer w(json + len - 1, cap - len + 1);
  w.put(",\"vscode\":{\"state\":\"");
  w.put(backend::Supervisor::name(r.state));
  w.put("\",\"since\":");
  w.put_i64(r.since_ms);
  w.put(",\"processes\":");
  w.put_i64(r.usage.processes);
  w.put(",\"rssKiB\":");
  w.put_i64(static_cast<int64_t>(r.usage.rss_kib));
  w.put(",\"pssKiB\":");
  w.put_i64(static_cast<int64_t>(r.usage.pss_kib));
  w.put("}}");
  return w.ok() ? len - 1 + w.size() : len;
}

}  // namespace

Outcome health(const Health& h, Exchange& ex) {
  if (!is_healthz(ex.req.path)) return Outcome::Next;
  if (!method_is_get(ex)) return fail(ex, 405, "Method Not Allowed");
  char body[320];
  size_t n = health_json(h.heart, false, body, sizeof body);
  if (n > 0 && h.vscode != nullptr && verbose(ex.req.query) && h.login != nullptr && h.login->authenticated(ex.req)) {
    n = add_vscode(*h.vscode, body, n, sizeof body);
  }
  ex.resp.begin(200);
  ex.resp.header("Cache-Control", "no-store");
  ex.resp.send("application/json", std::string_view(body, n));
  return Outcome::Done;
}

bool HealthSocket::route(const http::Request& req, Upgrade* up) const {
  if (!is_healthz(req.path)) return false;
  up->to = Upgrade::To::Health;
  up->status = 0;
  return true;
}

size_t HealthSocket::reply(bool, char* out, size_t cap) const { return health_json(heart, true, out, cap); }

}  // namespace routes
