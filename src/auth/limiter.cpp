// SPDX-License-Identifier: MIT
#include "auth/limiter.h"

#include <arpa/inet.h>
#include <cstring>
#include <string>

#include "base/strings.h"

namespace auth {
namespace {

constexpr double kMinute = 2, kHour = 12;             // code-server's budget per client
constexpr double kGlobalMinute = 20, kGlobalHour = 120;

void refill(double& tokens, int64_t& at_ms, double cap, double per_ms, int64_t now_ms) {
  if (now_ms > at_ms) tokens = tokens + static_cast<double>(now_ms - at_ms) * per_ms;
  if (tokens > cap) tokens = cap;
  at_ms = now_ms;
}

}  // namespace

Limiter::Client Limiter::client_of(std::string_view address) {
  Client c;
  // "[v6]:port", "v4:port", or a bare address (from X-Forwarded-For).
  std::string host(base::strip_port(address));
  uint8_t a[16];
  if (inet_pton(AF_INET6, host.c_str(), a) == 1) {
    memcpy(c.key, a, 8);  // the /64
  } else if (inet_pton(AF_INET, host.c_str(), a) == 1) {
    c.key[0] = 0xff;      // no IPv6 /64 starts with ff and ends like this
    memcpy(c.key + 4, a, 4);
  }  // unix socket peers: one client, all zeros
  return c;
}

bool Limiter::take(Bucket& minute, Bucket& hour, double minute_cap, double hour_cap, int64_t now_ms, bool spend,
                   double reserve) {
  refill(minute.tokens, minute.at_ms, minute_cap, minute_cap / 60000.0, now_ms);
  refill(hour.tokens, hour.at_ms, hour_cap, hour_cap / 3600000.0, now_ms);
  if (minute.tokens >= 1 + reserve) {
    if (spend) minute.tokens -= 1;
    return true;
  }
  if (hour.tokens >= 1 + reserve) {
    if (spend) hour.tokens -= 1;
    return true;
  }
  return false;
}

Limiter::Entry* Limiter::find(const Client& c, int64_t now_ms, bool create) {
  Entry* spare = nullptr;
  for (Entry& e : table_) {
    if (e.used && memcmp(e.who.key, c.key, sizeof c.key) == 0) return &e;
    if (!create || spare != nullptr) continue;
    if (!e.used) {
      spare = &e;
    } else {
      // A client whose buckets have refilled has nothing to remember.
      take(e.minute, e.hour, kMinute, kHour, now_ms, false);
      if (e.minute.tokens >= kMinute && e.hour.tokens >= kHour) spare = &e;
    }
  }
  if (spare != nullptr) *spare = Entry{c, {kMinute, now_ms}, {kHour, now_ms}, true};
  return spare;
}

bool Limiter::allowed(const Client& c, int64_t now_ms, int64_t* retry_s, size_t pending) {
  *retry_s = 0;
  bool global = known(c) ||
                take(global_minute_, global_hour_, kGlobalMinute, kGlobalHour, now_ms, false, static_cast<double>(pending));
  Entry* e = find(c, now_ms, false);
  bool mine = e == nullptr || take(e->minute, e->hour, kMinute, kHour, now_ms, false);
  if (global && mine) return true;
  // The minute bucket refills first: a token every 30 s (3 s globally).
  *retry_s = mine ? 3 : 30;
  return false;
}

void Limiter::failed(const Client& c, int64_t now_ms) {
  if (!known(c)) take(global_minute_, global_hour_, kGlobalMinute, kGlobalHour, now_ms, true);
  // When the table is full of clients still paying off failures, the newest
  // one is held by the global buckets alone.
  if (Entry* e = find(c, now_ms, true)) take(e->minute, e->hour, kMinute, kHour, now_ms, true);
}

bool Limiter::known(const Client& c) const {
  for (size_t i = 0; i < known_n_; i++) {
    if (memcmp(known_[i].key, c.key, sizeof c.key) == 0) return true;
  }
  return false;
}

void Limiter::succeeded(const Client& c) {
  if (known(c)) return;
  known_[known_next_] = c;
  known_next_ = (known_next_ + 1) % kKnown;
  if (known_n_ < kKnown) known_n_++;
}

}  // namespace auth
