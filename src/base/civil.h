// SPDX-License-Identifier: MIT
// civil — UTC calendar dates from seconds since the epoch and back, for the
// Date header and certificate times.
//
// Days to a proleptic Gregorian date and back by the well-known closed-form
// algorithms over 400-year eras (no table, no loop).  Written here instead
// of gmtime_r and timegm, which a static glibc links with the time-zone
// machinery (tzset, a file reader and vfscanf): about 60 KiB a board does
// not need to print "GMT".
#pragma once

#include <cstdint>

namespace base {

struct Civil {
  int year;     // e.g. 2026
  int month;    // 1..12
  int day;      // 1..31
  int hour, minute, second;
  int weekday;  // 0 = Sunday
};

Civil civil_from_unix(int64_t seconds);
// Seconds since the epoch of a UTC date (fields as in Civil; weekday unused).
int64_t unix_from_civil(const Civil& c);

}  // namespace base
