// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <sys/resource.h>
#include <unistd.h>

#include "sys/fd_limit.h"

TEST_CASE("slots_within leaves room for what is not a slot") {
  CHECK(sys::slots_within(64, {1024, 3, 13}) == 17);
  CHECK(sys::slots_within(64, {1024, 1, 13}) == 51);
  CHECK(sys::slots_within(1 << 20, {1024, 3, 13}) == 1024);
  CHECK(sys::slots_within(12, {1024, 3, 13}) == 1);  // starved: one all the same
  CHECK(sys::slots_within(64, {10, 0, 13}) == 10);
}

TEST_CASE("open_fds counts this process's descriptors") {
  size_t before = sys::open_fds(0);
  int p[2];
  REQUIRE(pipe(p) == 0);
  CHECK(sys::open_fds(0) == before + 2);
  close(p[0]);
  close(p[1]);
}

TEST_CASE("fit_fds raises the soft limit only as far as needed, and cuts slots past the hard one") {
  rlimit saved;
  REQUIRE(getrlimit(RLIMIT_NOFILE, &saved) == 0);
  REQUIRE(saved.rlim_max >= 1024);
  rlimit low = saved;
  low.rlim_cur = 256;
  REQUIRE(setrlimit(RLIMIT_NOFILE, &low) == 0);

  sys::FdFit fit = sys::fit_fds({300, 3, 20});
  CHECK(fit.was == 256);
  CHECK(fit.soft == 920);
  CHECK(fit.slots == 300);
  rlimit now;
  REQUIRE(getrlimit(RLIMIT_NOFILE, &now) == 0);
  CHECK(now.rlim_cur == 920);

  sys::FdFit small = sys::fit_fds({100, 3, 20});  // never lowered
  CHECK(small.soft == 920);
  CHECK(small.slots == 100);

  if (saved.rlim_max != RLIM_INFINITY) {
    sys::FdFit cut = sys::fit_fds({static_cast<size_t>(saved.rlim_max), 3, 20});
    CHECK(cut.soft == saved.rlim_max);
    CHECK(cut.slots == (saved.rlim_max - 20) / 3);
  }
  REQUIRE(setrlimit(RLIMIT_NOFILE, &saved) == 0);
}
