// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include "reactor/idle_queue.h"

TEST_CASE("IdleQueue expires oldest first and re-arming moves to the tail") {
  reactor::IdleQueue q;
  q.set_timeout_ms(100);
  reactor::IdleLink a, b, c;
  q.push(&a, 0);
  q.push(&b, 10);
  q.push(&c, 20);
  CHECK(q.next_deadline() == 100);
  q.push(&a, 50);  // activity on a
  CHECK(q.next_deadline() == 110);
  CHECK(q.expired(109) == nullptr);
  CHECK(q.expired(110) == &b);
  reactor::IdleQueue::unlink(&b);
  CHECK(q.expired(1000) == &c);
  reactor::IdleQueue::unlink(&c);
  CHECK(q.expired(1000) == &a);
  reactor::IdleQueue::unlink(&a);
  reactor::IdleQueue::unlink(&a);  // twice is harmless
  CHECK(q.empty());
  CHECK(q.next_deadline() == INT64_MAX);
}
