// SPDX-License-Identifier: MIT
#include "base/clock.h"

#include "base/civil.h"

#include <cstdio>
#include <ctime>
#include <sys/types.h>

// The Makefile asks for 64-bit time and file offsets; a 32-bit build without
// them (armhf) would stop in 2038 and fail readdir() with EOVERFLOW on file
// systems with 64-bit inode numbers.  Checked here, once, for every build.
static_assert(sizeof(time_t) == 8, "time_t must be 64 bits: build with -D_TIME_BITS=64");
static_assert(sizeof(off_t) == 8 && sizeof(ino_t) == 8, "build with -D_FILE_OFFSET_BITS=64");

namespace base {

void Clock::update() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  mono_ms_ = static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
  clock_gettime(CLOCK_REALTIME, &ts);
  wall_ms_ = static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
  if (ts.tv_sec == date_sec_) return;
  date_sec_ = ts.tv_sec;
  static constexpr char kDays[][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr char kMonths[][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  Civil t = civil_from_unix(ts.tv_sec);
  snprintf(date_, sizeof date_, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[t.weekday], t.day, kMonths[t.month - 1],
           t.year, t.hour, t.minute, t.second);
}

}  // namespace base
