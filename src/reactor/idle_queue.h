// SPDX-License-Identifier: MIT
// idle_queue — O(1) timeouts: one FIFO per timeout class (lwan's lwan-tq.c).
//
// Every member of a queue shares the queue's timeout, so the queue is sorted by
// deadline for free: (re)arming appends at the tail with now + timeout, expiry
// pops from the head.  One epoll_wait timeout covers every queue: the earliest
// head.  A member is in at most one queue at a time.
#pragma once

#include <cstdint>

namespace reactor {

struct IdleLink {
  IdleLink* prev = nullptr;
  IdleLink* next = nullptr;
  int64_t deadline = 0;
  void* owner = nullptr;  // the object embedding this link
  bool linked() const { return prev != nullptr; }
};

class IdleQueue {
 public:
  IdleQueue() { head_.prev = head_.next = &head_; }
  IdleQueue(const IdleQueue&) = delete;
  IdleQueue& operator=(const IdleQueue&) = delete;

  void set_timeout_ms(int64_t ms) { timeout_ms_ = ms; }
  int64_t timeout_ms() const { return timeout_ms_; }

  // Appends `l` (unlinking it from wherever it was) with deadline now + timeout.
  void push(IdleLink* l, int64_t now) {
    unlink(l);
    l->deadline = now + timeout_ms_;
    l->prev = head_.prev;
    l->next = &head_;
    head_.prev->next = l;
    head_.prev = l;
  }

  static void unlink(IdleLink* l) {
    if (!l->linked()) return;
    l->prev->next = l->next;
    l->next->prev = l->prev;
    l->prev = l->next = nullptr;
  }

  // The member whose deadline is <= now, oldest first, or nullptr.
  IdleLink* expired(int64_t now) const {
    IdleLink* f = head_.next;
    return (f != &head_ && f->deadline <= now) ? f : nullptr;
  }
  // Deadline of the oldest member, or INT64_MAX when empty.
  int64_t next_deadline() const { return head_.next != &head_ ? head_.next->deadline : INT64_MAX; }
  bool empty() const { return head_.next == &head_; }

 private:
  IdleLink head_;
  int64_t timeout_ms_ = 0;
};

}  // namespace reactor
