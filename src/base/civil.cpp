// SPDX-License-Identifier: MIT
#include "base/civil.h"

namespace base {
namespace {

// Floor division, for dates before 1970 (a certificate's notBefore may be).
int64_t floor_div(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

}  // namespace

Civil civil_from_unix(int64_t seconds) {
  int64_t days = floor_div(seconds, 86400), rest = seconds - days * 86400;
  Civil c{};
  c.hour = static_cast<int>(rest / 3600);
  c.minute = static_cast<int>(rest / 60 % 60);
  c.second = static_cast<int>(rest % 60);
  c.weekday = static_cast<int>(floor_div(days + 4, 7) * -7 + days + 4);   // 1970-01-01 was a Thursday
  // Eras of 400 years from 0000-03-01, so that a leap day ends its year.
  int64_t z = days + 719468;
  int64_t era = floor_div(z, 146097);
  int64_t doe = z - era * 146097;                                   // [0, 146096]
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);            // [0, 365]
  int64_t mp = (5 * doy + 2) / 153;                                 // [0, 11], March first
  c.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  c.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  c.year = static_cast<int>(yoe + era * 400 + (c.month <= 2));
  return c;
}

int64_t unix_from_civil(const Civil& c) {
  int64_t y = c.year - (c.month <= 2);
  int64_t era = floor_div(y, 400);
  int64_t yoe = y - era * 400;
  int64_t mp = c.month > 2 ? c.month - 3 : c.month + 9;
  int64_t doy = (153 * mp + 2) / 5 + c.day - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  int64_t days = era * 146097 + doe - 719468;
  return days * 86400 + c.hour * 3600 + c.minute * 60 + c.second;
}

}  // namespace base
