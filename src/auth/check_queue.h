// SPDX-License-Identifier: MIT
// check_queue — password checks on one worker thread, so that an Argon2 hash
// (code-server's default: 64 MiB, 3 passes, 0.2-0.5 s) never stalls the loop.
//
// A fixed ring of kSlots slots, allocated once with the queue: the loop puts
// a copy of the submitted password in a free slot, the worker hashes the
// slots in order against its own copy of the configured hash, wipes each
// password, and bumps an eventfd that the loop polls like any socket.  A
// slot is given back only when the loop takes its result, so "full" and
// "this client already has a check here" are decided by the loop alone.
//
// The worker shares nothing with the loop but the slots, under one mutex
// held only to move a slot from one state to the next, never while hashing.
// A check knows its asker only by the ticket (the connection's id) it is
// handed back: the loop decides whether that connection still exists.
#pragma once

#include <cstddef>
#include <cstdint>
#include <pthread.h>
#include <string_view>

#include "auth/limiter.h"
#include "auth/password.h"

namespace auth {

class CheckQueue {
 public:
  // 16 checks are about 5 s of hashing with code-server's parameters: a
  // client further back would rather be told to come back (Full).
  static constexpr size_t kSlots = 16;
  static constexpr size_t kMaxPassword = 1024;
  static constexpr size_t kMaxName = 56;

  enum class Submit : unsigned char {
    Queued,  // the result will come through fd()
    Full,    // every slot is taken
    Busy,    // this client already has a check queued or running
  };
  struct Result {
    uint64_t ticket = 0;
    Limiter::Client who;
    char name[kMaxName] = {};  // the client's address as submitted, for the log
    bool ran = false;          // false: cancelled before the worker got to it
    bool match = false;
    bool failed = false;       // the check could not run (argon2's memory): no verdict on the password
  };

  CheckQueue() = default;
  CheckQueue(const CheckQueue&) = delete;
  CheckQueue& operator=(const CheckQueue&) = delete;
  ~CheckQueue() { stop(); }

  // Copies the configured hash, makes the eventfd and starts the worker
  // (with every signal blocked: they belong to the loop's signalfd).  False
  // with errno set when the system refuses.
  bool start(const Password& configured);
  // Ends the worker after the check it is running, if any.  Idempotent.
  void stop();
  // Readable when results are waiting.  Nonblocking.
  int fd() const { return event_fd_; }

  // Queues a check of `password` (at most kMaxPassword bytes; the slot gets
  // a copy, wiped once hashed) for `who`, to be answered under `ticket`.
  Submit submit(uint64_t ticket, const Limiter::Client& who, std::string_view name, std::string_view password);
  // The asker is gone: a check not started yet is skipped (its result comes
  // back with ran == false); one running finishes and is reported.
  void cancel(uint64_t ticket);
  // Checks queued, running or done but not taken.
  size_t in_flight() const;
  // Empties the eventfd; then take() until false.  A check finished after
  // this call has bumped it again, so none is ever left without a wake-up.
  void ack();
  // The oldest finished check, in submission order; false when there is none.
  bool take(Result* r);

 private:
  struct Slot {
    Result result;
    bool cancelled = false;
    size_t len = 0;
    char password[kMaxPassword];
  };
  static void* run(void* self);
  void work();

  Password configured_;
  Slot slots_[kSlots];
  // Counters that only grow; slot i % kSlots.  taken <= done <= submitted,
  // submitted - taken <= kSlots; the worker hashes slot `done` while running_.
  uint64_t submitted_ = 0, done_ = 0, taken_ = 0;
  bool running_ = false;
  bool stopping_ = false;
  mutable pthread_mutex_t mu_ = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t wake_ = PTHREAD_COND_INITIALIZER;
  pthread_t thread_{};
  bool started_ = false;
  int event_fd_ = -1;
};

}  // namespace auth
