// SPDX-License-Identifier: MIT
// The worker's queue: results in order, the per-client and full refusals,
// cancellation, and the eventfd that wakes the loop.  Waits are poll(2) on
// that eventfd with a bound, never sleeps.
#include <doctest/doctest.h>

#include <poll.h>
#include <string>

#include "auth/argon2.h"
#include "auth/check_queue.h"

namespace {

using auth::CheckQueue;

auth::Limiter::Client client(int n) { return auth::Limiter::client_of("10.0.0." + std::to_string(n) + ":1"); }

// Takes the next result, waiting for the eventfd for at most 30 s.
bool next(CheckQueue& q, CheckQueue::Result* r) {
  for (int i = 0; i < 300; i++) {
    q.ack();
    if (q.take(r)) return true;
    pollfd p{q.fd(), POLLIN, 0};
    poll(&p, 1, 100);
  }
  return false;
}

auth::Password plain(const char* pw) {
  auth::Password p;
  std::string err;
  REQUIRE(p.init(pw, "", &err));
  return p;
}

}  // namespace

TEST_CASE("CheckQueue answers in order, under each ticket, with the asker's name") {
  CheckQueue q;
  REQUIRE(q.start(plain("right")));
  CHECK(q.submit(7, client(1), "10.0.0.1:1", "wrong") == CheckQueue::Submit::Queued);
  CHECK(q.submit(8, client(2), "10.0.0.2:1", "right") == CheckQueue::Submit::Queued);
  CheckQueue::Result r;
  REQUIRE(next(q, &r));
  CHECK(r.ticket == 7);
  CHECK((r.ran && !r.match));
  CHECK(std::string(r.name) == "10.0.0.1:1");
  REQUIRE(next(q, &r));
  CHECK(r.ticket == 8);
  CHECK((r.ran && r.match));
  CHECK(q.in_flight() == 0);
  CHECK_FALSE(q.take(&r));
  q.stop();
  q.stop();  // twice is harmless
}

TEST_CASE("CheckQueue refuses a second check per client, and any once every slot is taken") {
  CheckQueue q;
  REQUIRE(q.start(plain("right")));
  CHECK(q.submit(1, client(1), "a", "x") == CheckQueue::Submit::Queued);
  CHECK(q.submit(2, client(1), "a", "x") == CheckQueue::Submit::Busy);
  // Slots come back only through take(): however fast the worker is, the
  // queue is full after kSlots submissions.
  for (size_t i = 1; i < CheckQueue::kSlots; i++) {
    CHECK(q.submit(10 + i, client(static_cast<int>(10 + i)), "b", "x") == CheckQueue::Submit::Queued);
  }
  CHECK(q.in_flight() == CheckQueue::kSlots);
  CHECK(q.submit(99, client(99), "c", "x") == CheckQueue::Submit::Full);
  CheckQueue::Result r;
  REQUIRE(next(q, &r));
  CHECK(r.ticket == 1);
  CHECK(q.submit(99, client(99), "c", "x") == CheckQueue::Submit::Queued);
  // Client 1's check was taken: it may try again.
  for (size_t i = 1; i <= CheckQueue::kSlots; i++) REQUIRE(next(q, &r));
  CHECK(q.submit(3, client(1), "a", "x") == CheckQueue::Submit::Queued);
}

TEST_CASE("CheckQueue skips a cancelled check that has not started") {
  // code-server's parameters: the first check runs for a quarter of a second
  // or more, far longer than submitting and cancelling the ones behind it.
  auth::Argon2Params p;
  p.m_kib = 65536;
  p.t = 3;
  p.p = 4;
  const uint8_t salt[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  char phc[256];
  size_t n = auth::argon2_encode(p, "right", salt, phc, sizeof phc);
  REQUIRE(n > 0);
  auth::Password configured;
  std::string err;
  REQUIRE(configured.init("", std::string_view(phc, n), &err));
  CheckQueue q;
  REQUIRE(q.start(configured));
  CHECK(q.submit(1, client(1), "a", "wrong") == CheckQueue::Submit::Queued);
  CHECK(q.submit(2, client(2), "b", "right") == CheckQueue::Submit::Queued);
  CHECK(q.submit(3, client(3), "c", "right") == CheckQueue::Submit::Queued);
  q.cancel(2);
  q.cancel(42);  // no such ticket: nothing happens
  CheckQueue::Result r;
  REQUIRE(next(q, &r));
  CHECK((r.ticket == 1 && r.ran && !r.match));
  REQUIRE(next(q, &r));
  CHECK((r.ticket == 2 && !r.ran && !r.match));
  REQUIRE(next(q, &r));
  CHECK((r.ticket == 3 && r.ran && r.match));
}

TEST_CASE("CheckQueue stops with checks still queued") {
  CheckQueue q;
  REQUIRE(q.start(plain("right")));
  for (int i = 0; i < 4; i++) (void)q.submit(static_cast<uint64_t>(i), client(i), "a", "x");
  q.stop();  // joins the worker; nothing left running
  CHECK(q.fd() == -1);
}
