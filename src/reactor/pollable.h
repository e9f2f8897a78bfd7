// SPDX-License-Identifier: MIT
// pollable — what an epoll_event's data.ptr points at, and the loop's alarms.
#pragma once

#include <cstdint>

namespace reactor {

// Anything registered with the loop's epoll set: a listener, the signalfd, a
// connection.  data.ptr always points at one, never at a bare fd.
class Pollable {
 public:
  virtual void on_event(uint32_t events) = 0;

 protected:
  ~Pollable() = default;
};

// A one-shot wake-up at a monotonic time, for the few non-connection timers
// (accept back-off after EMFILE, the drain deadline, pool trimming).  The owner
// keeps the Alarm alive while it is armed; the loop holds only a pointer.
struct Alarm {
  int64_t at = 0;
  bool armed = false;
  void (*fire)(void* arg) = nullptr;
  void* arg = nullptr;
};

}  // namespace reactor
