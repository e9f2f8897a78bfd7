// SPDX-License-Identifier: MIT
// The login budget: per client, the global buckets a crowd empties, checks
// still in flight, and the known clients the global buckets do not hold.
#include <doctest/doctest.h>

#include <string>

#include "auth/limiter.h"

namespace {

using auth::Limiter;

Limiter::Client client(int n) {
  return Limiter::client_of("10." + std::to_string(n / 256) + "." + std::to_string(n % 256) + ".1:1");
}

}  // namespace

TEST_CASE("Limiter: 14 failures per client, then refused; others unaffected") {
  Limiter l;
  int64_t retry = 0;
  for (int i = 0; i < 14; i++) {
    REQUIRE(l.allowed(client(1), 1000, &retry));
    l.failed(client(1), 1000);
  }
  CHECK_FALSE(l.allowed(client(1), 1000, &retry));
  CHECK(retry == 30);
  CHECK(l.allowed(client(2), 1000, &retry));
}

TEST_CASE("Limiter: a crowd empties the global buckets, but not for a known client") {
  Limiter l;
  int64_t retry = 0;
  l.succeeded(client(500));  // the owner logged in from here once
  for (int i = 0; i < 140; i++) l.failed(client(i), 1000);  // 20 + 120
  CHECK_FALSE(l.allowed(client(400), 1000, &retry));
  CHECK(retry == 3);
  CHECK(l.allowed(client(500), 1000, &retry));
  // Its own budget still holds it, and its failures spend only that.
  for (int i = 0; i < 14; i++) l.failed(client(500), 1000);
  CHECK_FALSE(l.allowed(client(500), 1000, &retry));
  CHECK(l.allowed(client(400), 1000 + 3000, &retry));  // one global token back after 3 s
}

TEST_CASE("Limiter: checks in flight reserve global tokens") {
  Limiter l;
  int64_t retry = 0;
  for (int i = 0; i < 20; i++) l.failed(client(i), 1000);  // the minute bucket is empty; the hour's 120 are left
  CHECK(l.allowed(client(300), 1000, &retry, 119));
  CHECK_FALSE(l.allowed(client(300), 1000, &retry, 120));
  l.succeeded(client(300));
  CHECK(l.allowed(client(300), 1000, &retry, 120));
}

TEST_CASE("Limiter: known clients are the last kKnown that logged in") {
  Limiter l;
  for (int i = 0; i < static_cast<int>(Limiter::kKnown) + 1; i++) l.succeeded(client(i));
  CHECK_FALSE(l.known(client(0)));
  CHECK(l.known(client(1)));
  CHECK(l.known(client(static_cast<int>(Limiter::kKnown))));
  l.succeeded(client(1));  // already known: nothing moves
  CHECK(l.known(client(2)));
}
