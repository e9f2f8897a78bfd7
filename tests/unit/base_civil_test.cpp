// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <ctime>

#include "base/civil.h"

TEST_CASE("civil dates agree with the C library's, and go back") {
  // Each day from 1900 to 2200 at a time of day that moves, then the edges.
  for (int64_t t = -2208988800LL + 12345; t < 7258118400LL; t += 86400 + 3607) {
    time_t tt = static_cast<time_t>(t);
    struct tm tm;
    REQUIRE(gmtime_r(&tt, &tm) != nullptr);
    base::Civil c = base::civil_from_unix(t);
    REQUIRE(c.year == tm.tm_year + 1900);
    REQUIRE(c.month == tm.tm_mon + 1);
    REQUIRE(c.day == tm.tm_mday);
    REQUIRE(c.hour == tm.tm_hour);
    REQUIRE(c.minute == tm.tm_min);
    REQUIRE(c.second == tm.tm_sec);
    REQUIRE(c.weekday == tm.tm_wday);
    REQUIRE(base::unix_from_civil(c) == t);
  }
  base::Civil leap = base::civil_from_unix(951782400);   // 2000-02-29, a leap day in a century year
  CHECK((leap.year == 2000 && leap.month == 2 && leap.day == 29 && leap.weekday == 2));
  base::Civil y2038 = base::civil_from_unix(2147483648LL);   // one second past 32-bit time_t
  CHECK((y2038.year == 2038 && y2038.month == 1 && y2038.day == 19 && y2038.hour == 3 && y2038.minute == 14 &&
         y2038.second == 8));
  CHECK(base::unix_from_civil({9999, 12, 31, 23, 59, 59, 0}) == 253402300799LL);
  CHECK(base::civil_from_unix(-1).year == 1969);
}
