// SPDX-License-Identifier: MIT
// limiter — how many wrong passwords a client may try (code-server's budget,
// kept per client instead of for everyone).
//
// Each client has two token buckets, 2 a minute and 12 an hour; a try is
// allowed while either holds a token, and only a failure spends one (the
// minute bucket first).  So a burst of 14 failures, then about 2 a minute.
// Clients are IPv4 addresses or IPv6 /64 networks (one host gets a whole
// /64), so one attacker cannot spread over addresses cheaply; a global pair
// of buckets ten times larger caps a crowd of them.  A flood from one client
// never locks out another, and a refused try never runs the password hash.
//
// The owner and the global buckets: a crowd of addresses can empty them, and
// would then lock out everyone.  Letting a correct password past them would
// not do (an attacker's correct guess is just as correct, so the global cap
// on guessing would be gone), so the limiter remembers instead the last
// kKnown clients that logged in; those are held by their own buckets only,
// and their failures do not spend the global ones.  The owner, back from an
// address they used before, gets in during a flood; a new address waits
// for the global buckets like anyone else's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace auth {

class Limiter {
 public:
  static constexpr size_t kClients = 1024;

  // The client key for a textual peer address ("1.2.3.4:5", "[v6]:5", "unix:").
  struct Client {
    uint8_t key[8] = {};
  };
  static Client client_of(std::string_view address);

  static constexpr size_t kKnown = 16;

  // May `c` try a password now?  On false, *retry_s says when it may.
  // `pending` tries are still being checked (off the loop); the global
  // buckets must hold a token for each of them too, or a crowd submitting
  // at once could overdraw them by that many.
  bool allowed(const Client& c, int64_t now_ms, int64_t* retry_s, size_t pending = 0);
  // `c` tried a wrong password.
  void failed(const Client& c, int64_t now_ms);
  // `c` logged in: from now on a known client (see above).
  void succeeded(const Client& c);
  bool known(const Client& c) const;

 private:
  struct Bucket {
    double tokens;
    int64_t at_ms;
  };
  struct Entry {
    Client who;
    Bucket minute, hour;
    bool used;
  };
  Entry* find(const Client& c, int64_t now_ms, bool create);
  static bool take(Bucket& minute, Bucket& hour, double minute_cap, double hour_cap, int64_t now_ms, bool spend,
                   double reserve = 0);

  Entry table_[kClients] = {};
  Bucket global_minute_{20, 0}, global_hour_{120, 0};
  Client known_[kKnown] = {};
  size_t known_n_ = 0, known_next_ = 0;  // filled, then replaced oldest first
};

}  // namespace auth
