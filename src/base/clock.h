// SPDX-License-Identifier: MIT
// clock — time read once per loop turn (h2o's h2o_now, lwan's cached "now").
//
// Deadlines use the monotonic clock, the heartbeat and the Date header use the
// wall clock.  Everything between two update() calls sees one instant, so a
// batch of events is judged against the same "now" and costs two clock reads.
#pragma once

#include <cstdint>
#include <string_view>

namespace base {

class Clock {
 public:
  Clock() { update(); }

  // Re-reads both clocks; the Date string is rebuilt only when the second changes.
  void update();

  int64_t now_ms() const { return mono_ms_; }    // monotonic, for deadlines
  int64_t wall_ms() const { return wall_ms_; }   // since the epoch, for humans
  // IMF-fixdate (RFC 9110 §5.6.7) of the current second, 29 bytes.
  std::string_view http_date() const { return {date_, 29}; }

 private:
  int64_t mono_ms_ = 0;
  int64_t wall_ms_ = 0;
  int64_t date_sec_ = -1;
  char date_[32] = {};
};

// Says yes at most once per interval, for the log lines a flood would repeat
// (refused connections, accept back-off): the first one of a burst shows.
class Throttle {
 public:
  explicit Throttle(int64_t interval_ms) : interval_ms_(interval_ms) {}
  bool allow(int64_t now_ms) {
    if (now_ms - last_ms_ < interval_ms_) return false;
    last_ms_ = now_ms;
    return true;
  }

 private:
  int64_t interval_ms_;
  int64_t last_ms_ = INT64_MIN / 2;
};

}  // namespace base
