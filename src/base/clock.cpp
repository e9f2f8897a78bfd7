// SPDX-License-Identifier: MIT
#include "base/clock.h"

#include <cstdio>
#include <ctime>

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
  tm t;
  gmtime_r(&ts.tv_sec, &t);
  snprintf(date_, sizeof date_, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[t.tm_wday],
           t.tm_mday, kMonths[t.tm_mon], t.tm_year + 1900, t.tm_hour, t.tm_min, t.tm_sec);
}

}  // namespace base
