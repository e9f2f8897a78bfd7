// SPDX-License-Identifier: MIT
#include "auth/check_queue.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "auth/ct.h"

namespace auth {
namespace {

// Nice value of the worker: on a one-core board the loop (nice 0) then gets
// about nine tenths of the core whenever both want it, so serving stays
// quick while a hash runs.  The price: on a box busy with other work (a
// build in VS Code) a login waits several times longer for its hash.
constexpr int kWorkerNice = 10;

struct Lock {
  explicit Lock(pthread_mutex_t* m) : m_(m) { pthread_mutex_lock(m_); }
  ~Lock() { pthread_mutex_unlock(m_); }
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;
  pthread_mutex_t* m_;
};

}  // namespace

bool CheckQueue::start(const Password& configured) {
  if (started_) return true;
  configured_ = configured;
  event_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (event_fd_ < 0) return false;
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  int rc = pthread_create(&thread_, nullptr, run, this);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (rc != 0) {
    errno = rc;
    return false;
  }
  started_ = true;
  return true;
}

void CheckQueue::stop() {
  if (started_) {
    {
      Lock l(&mu_);
      stopping_ = true;
      pthread_cond_signal(&wake_);
    }
    pthread_join(thread_, nullptr);
    started_ = false;
  }
  for (Slot& s : slots_) wipe(s.password, sizeof s.password);
  if (event_fd_ >= 0) close(event_fd_);
  event_fd_ = -1;
}

CheckQueue::Submit CheckQueue::submit(uint64_t ticket, const Limiter::Client& who, std::string_view name,
                                      std::string_view password) {
  Lock l(&mu_);
  if (submitted_ - taken_ == kSlots) return Submit::Full;
  for (uint64_t i = taken_; i < submitted_; i++) {
    if (memcmp(slots_[i % kSlots].result.who.key, who.key, sizeof who.key) == 0) return Submit::Busy;
  }
  Slot& s = slots_[submitted_ % kSlots];
  s.result = Result{};
  s.result.ticket = ticket;
  s.result.who = who;
  size_t n = name.size() < kMaxName - 1 ? name.size() : kMaxName - 1;
  memcpy(s.result.name, name.data(), n);
  s.cancelled = false;
  s.len = password.size() < kMaxPassword ? password.size() : kMaxPassword;
  memcpy(s.password, password.data(), s.len);
  submitted_++;
  pthread_cond_signal(&wake_);
  return Submit::Queued;
}

void CheckQueue::cancel(uint64_t ticket) {
  Lock l(&mu_);
  // Slots from the worker's next one on are not started yet.
  for (uint64_t i = done_ + (running_ ? 1 : 0); i < submitted_; i++) {
    Slot& s = slots_[i % kSlots];
    if (s.result.ticket != ticket) continue;
    s.cancelled = true;
    wipe(s.password, s.len);
  }
}

size_t CheckQueue::in_flight() const {
  Lock l(&mu_);
  return static_cast<size_t>(submitted_ - taken_);
}

void CheckQueue::ack() {
  uint64_t count;
  ssize_t n = read(event_fd_, &count, sizeof count);  // EAGAIN when already empty
  (void)n;
}

bool CheckQueue::take(Result* r) {
  Lock l(&mu_);
  if (taken_ == done_) return false;
  *r = slots_[taken_ % kSlots].result;
  taken_++;
  return true;
}

void* CheckQueue::run(void* self) {
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), kWorkerNice);  // this thread only
  static_cast<CheckQueue*>(self)->work();
  return nullptr;
}

void CheckQueue::work() {
  pthread_mutex_lock(&mu_);
  while (!stopping_) {
    if (done_ == submitted_) {
      pthread_cond_wait(&wake_, &mu_);
      continue;
    }
    Slot& s = slots_[done_ % kSlots];
    bool skip = s.cancelled;
    running_ = true;
    pthread_mutex_unlock(&mu_);
    // The loop writes only free slots and, in cancel(), slots not started:
    // this one is the worker's until done_ moves past it.
    Password::Check c = skip ? Password::Check::Mismatch : configured_.check(std::string_view(s.password, s.len));
    wipe(s.password, s.len);
    pthread_mutex_lock(&mu_);
    running_ = false;
    s.result.ran = !skip;
    s.result.match = c == Password::Check::Match;
    s.result.failed = c == Password::Check::Failed;
    done_++;
    uint64_t one = 1;
    ssize_t n = write(event_fd_, &one, sizeof one);  // cannot overflow: at most kSlots before a read
    (void)n;
  }
  pthread_mutex_unlock(&mu_);
}

}  // namespace auth
