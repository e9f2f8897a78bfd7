// SPDX-License-Identifier: MIT
#include "reactor/loop.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <csignal>
#include <new>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "base/log.h"

namespace reactor {
namespace {

constexpr int kBatch = 256;
// Free chunks kept warm after a burst; the rest go back to the kernel.
constexpr size_t kWarmChunks = 64;
constexpr int64_t kTrimDelayMs = 2000;

size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

void trim_pool(void* arg) { static_cast<base::ChunkPool*>(arg)->trim(kWarmChunks); }

}  // namespace

Loop::~Loop() {
  if (slab_ != nullptr) munmap(slab_, slab_len_);
  if (signals_.fd >= 0) ::close(signals_.fd);
  if (epfd_ >= 0) ::close(epfd_);
}

bool Loop::init(const LoopLimits& limits, SignalHandler* signals) {
  for (int t = 0; t < static_cast<int>(Timer::Count); t++) queues_[t].set_timeout_ms(limits.timeout_ms[t]);
  epfd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epfd_ < 0) return false;

  // SIGPIPE: every socket write could raise it; errors come back as EPIPE.
  signal(SIGPIPE, SIG_IGN);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGCHLD);  // the VS Code server portico supervises
  if (sigprocmask(SIG_BLOCK, &set, nullptr) != 0) return false;
  signals_.fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (signals_.fd < 0) return false;
  signals_.loop = this;
  signal_handler_ = signals;
  if (!add(signals_.fd, &signals_, EPOLLIN)) return false;
  // A regular file cannot be polled, and never makes a write wait either.
  stderr_.loop = this;
  stderr_.polled = add(STDERR_FILENO, &stderr_, 0);

  // The slab: one mapping for every Conn and its protocol state, plus the
  // free stack and in-use marks; pages are backed only once a slot is used.
  max_conns_ = limits.max_conns;
  slot_size_ = round_up(sizeof(Conn), 16) + round_up(limits.proto_size, 16);
  size_t meta = max_conns_ * (sizeof(uint32_t) + 1);
  slab_len_ = round_up(max_conns_ * slot_size_ + meta, 4096);
  void* p = mmap(nullptr, slab_len_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                 -1, 0);
  if (p == MAP_FAILED) {
    slab_ = nullptr;
    return false;
  }
  slab_ = static_cast<char*>(p);
  free_slots_ = reinterpret_cast<uint32_t*>(slab_ + max_conns_ * slot_size_);
  in_use_ = reinterpret_cast<uint8_t*>(free_slots_ + max_conns_);
  for (size_t i = 0; i < max_conns_; i++) free_slots_[i] = static_cast<uint32_t>(max_conns_ - 1 - i);
  free_top_ = max_conns_;

  // Two chunks per connection: one for input, one for output.
  if (!pool_.init(limits.chunk_size, 2 * max_conns_)) return false;
  trim_alarm_.fire = trim_pool;
  trim_alarm_.arg = &pool_;
  clock_.update();
  return true;
}

size_t Loop::reservation(const LoopLimits& limits) {
  size_t slot = round_up(sizeof(Conn), 16) + round_up(limits.proto_size, 16);
  size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return limits.max_conns * (slot + sizeof(uint32_t) + 1) + 2 * limits.max_conns * round_up(limits.chunk_size, page);
}

bool Loop::add(int fd, Pollable* p, uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = p;
  return epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) == 0;
}

bool Loop::modify(int fd, Pollable* p, uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = p;
  return epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev) == 0;
}

void Loop::remove(int fd) { epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr); }

Conn* Loop::open(int fd) {
  if (free_top_ == 0) return nullptr;
  size_t i = free_slots_[--free_top_];
  in_use_[i] = 1;
  char* s = slot(i);
  live_++;
  Conn* c = new (s) Conn(this, fd, next_id_++, s + round_up(sizeof(Conn), 16));
  // Registered with no interest: the caller says what it waits for.
  if (!add(fd, c, 0)) {
    c->close("epoll_ctl failed");
    return c;
  }
  return c;
}

Conn* Loop::find(uint64_t id) const {
  for (size_t i = 0; i < max_conns_; i++) {
    Conn* c = reinterpret_cast<Conn*>(slot(i));
    if (in_use_[i] && !c->closed() && c->id() == id) return c;
  }
  return nullptr;
}

void Loop::bury(Conn* c) {
  c->next_dead_ = dead_;
  dead_ = c;
}

void Loop::free_dead() {
  bool freed = dead_ != nullptr;
  while (dead_ != nullptr) {
    Conn* c = dead_;
    dead_ = c->next_dead_;
    if (c->handler_ != nullptr) c->handler_->on_release(*c);
    c->release_buffers();
    size_t i = static_cast<size_t>(reinterpret_cast<char*>(c) - slab_) / slot_size_;
    c->~Conn();
    in_use_[i] = 0;
    free_slots_[free_top_++] = static_cast<uint32_t>(i);
    live_--;
  }
  if (freed) last_close_ms_ = clock_.now_ms();
  if (freed && !trim_alarm_.armed) arm(&trim_alarm_, clock_.now_ms() + kTrimDelayMs);
}

void Loop::arm(Alarm* a, int64_t at) {
  a->at = at;
  if (a->armed) return;
  for (Alarm*& slot_ref : alarms_) {
    if (slot_ref == nullptr || slot_ref == a || !slot_ref->armed) {
      slot_ref = a;
      a->armed = true;
      return;
    }
  }
  // Every alarm slot holds a live alarm: a programming error, not a run-time one.
  base::logf(base::Level::Error, "loop: too many alarms");
}

int Loop::next_timeout_ms() const {
  int64_t next = INT64_MAX;
  for (const IdleQueue& q : queues_) next = std::min(next, q.next_deadline());
  for (const Alarm* a : alarms_) {
    if (a != nullptr && a->armed) next = std::min(next, a->at);
  }
  if (next == INT64_MAX) return -1;
  int64_t d = next - clock_.now_ms();
  if (d <= 0) return 0;
  return d > 60000 ? 60000 : static_cast<int>(d);
}

void Loop::expire() {
  int64_t now = clock_.now_ms();
  for (int t = 0; t < static_cast<int>(Timer::Count); t++) {
    IdleQueue& q = queues_[t];
    // Each expiry must unlink its Conn (close or re-arm does); the guard stops a
    // handler that does neither from spinning here.
    for (int budget = kBatch * 4; budget > 0; budget--) {
      IdleLink* l = q.expired(now);
      if (l == nullptr) break;
      IdleQueue::unlink(l);
      Conn* c = static_cast<Conn*>(l->owner);
      if (!c->closed_ && c->handler_ != nullptr) c->handler_->on_timeout(*c, static_cast<Timer>(t));
    }
  }
  for (Alarm* a : alarms_) {
    if (a != nullptr && a->armed && a->at <= now) {
      a->armed = false;
      a->fire(a->arg);
    }
  }
}

void Loop::watch_stderr() {
  bool want = base::log_pending();
  if (!stderr_.polled) {
    if (want) base::log_flush();
    return;
  }
  if (want != stderr_.armed && modify(STDERR_FILENO, &stderr_, want ? uint32_t{EPOLLOUT} : 0u)) stderr_.armed = want;
}

void Loop::run() {
  running_ = true;
  while (running_) turn(-1);
}

void Loop::turn(int max_wait_ms) {
  epoll_event events[kBatch];
  watch_stderr();
  int wait = next_timeout_ms();
  if (max_wait_ms >= 0 && (wait < 0 || wait > max_wait_ms)) wait = max_wait_ms;
  int n = epoll_wait(epfd_, events, kBatch, wait);
  clock_.update();
  turn_++;
  if (n < 0) {
    if (errno != EINTR) base::logf(base::Level::Error, "loop: epoll_wait: %s", strerror(errno));
    return;
  }
  for (int i = 0; i < n; i++) static_cast<Pollable*>(events[i].data.ptr)->on_event(events[i].events);
  expire();
  free_dead();
  if (stop_when_empty_ && live_ == 0) running_ = false;
}

void Loop::StderrSource::on_event(uint32_t events) {
  // The reader has gone: writes fail (and drop) from now on, and the error,
  // reported whatever the interest, must not wake every turn.
  if (events & (EPOLLERR | EPOLLHUP)) {
    loop->remove(STDERR_FILENO);
    polled = armed = false;
  }
  base::log_flush();
}

void Loop::SignalSource::on_event(uint32_t) {
  signalfd_siginfo si;
  // Bounded: at most a few signals can be pending per kind.
  for (int i = 0; i < 16; i++) {
    ssize_t r = read(fd, &si, sizeof si);
    if (r != static_cast<ssize_t>(sizeof si)) break;
    if (loop->signal_handler_ != nullptr) loop->signal_handler_->on_signal(static_cast<int>(si.ssi_signo));
  }
}

}  // namespace reactor
