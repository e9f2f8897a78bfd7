// SPDX-License-Identifier: MIT
// loop — the epoll reactor: owns every Conn, the timeout queues, the signals.
//
// One turn (redis aeProcessEvents, uSockets us_loop_run):
//   1. epoll_wait with the earliest deadline of all queues and alarms;
//   2. read the clock once; dispatch each event, skipping Conns closed earlier
//      in the same batch;
//   3. expire timeouts and alarms;
//   4. free the Conns closed during this turn (the graveyard), and only then
//      let their slots be reused.
// Signals arrive through a signalfd as ordinary events, so a handler never runs
// in signal context.  Log lines waiting for a stalled stderr go out when fd 2
// turns writable: EPOLLOUT on it is asked for only while lines wait, since
// a level-triggered EPOLLOUT on a pipe with room would wake every turn.
#pragma once

#include <cstddef>
#include <cstdint>
#include <sys/epoll.h>

#include "base/clock.h"
#include "base/pool.h"
#include "reactor/conn.h"
#include "reactor/idle_queue.h"
#include "reactor/linger.h"
#include "reactor/pollable.h"

namespace reactor {

class SignalHandler {
 public:
  virtual void on_signal(int signo) = 0;

 protected:
  ~SignalHandler() = default;
};

struct LoopLimits {
  size_t max_conns = 1024;       // slots in the Conn slab
  size_t proto_size = 0;         // bytes of protocol state kept beside each Conn
  size_t chunk_size = 16384;     // bytes per lent buffer chunk
  int64_t timeout_ms[static_cast<int>(Timer::Count)] = {};
};

class Loop {
 public:
  Loop() = default;
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;
  ~Loop();

  // Creates the epoll set, the signalfd (SIGTERM, SIGINT, SIGHUP, SIGCHLD;
  // SIGPIPE is ignored) and reserves the slab and the pool.  False with errno on failure.
  bool init(const LoopLimits& limits, SignalHandler* signals);
  // The address space init() reserves for `limits` (backed only as slots
  // and chunks are used): what an RLIMIT_AS must leave room for.
  static size_t reservation(const LoopLimits& limits);

  // Runs turns until stop(); returns after the turn in which stop() was called.
  void run();
  // One turn, waiting at most `max_wait_ms` (or the next deadline, if
  // sooner) for events: what run() repeats, and what a test steps through.
  void turn(int max_wait_ms);
  void stop() { running_ = false; }
  // Ends run() after the turn in which the last Conn is freed.
  void stop_when_empty() { stop_when_empty_ = true; }

  bool add(int fd, Pollable* p, uint32_t events);
  bool modify(int fd, Pollable* p, uint32_t events);
  void remove(int fd);

  // A new Conn for an accepted fd, owned by the loop, or nullptr when all slots
  // are taken (the caller still owns fd then).  The Conn starts with no handler
  // and no interest; the caller sets both.
  Conn* open(int fd);
  size_t conns() const { return live_; }
  // When a Conn was last freed (monotonic ms; 0 if none yet): the moment
  // the last connection went is when idleness starts.
  int64_t last_close_ms() const { return last_close_ms_; }
  // The open Conn with this id, or nullptr once it has closed: ids are never
  // reused (slots are), so work finished away from the loop names its Conn
  // by id and never holds a pointer that may have come to mean another.
  // Scans the slots: it runs once per such piece of work (a password check,
  // a few a second at most), not per event.
  Conn* find(uint64_t id) const;
  // Calls fn on every open Conn (used by the drain on SIGTERM).
  template <typename F>
  void for_each_conn(F fn);

  void arm(Alarm* a, int64_t at);
  void disarm(Alarm* a) { a->armed = false; }

  base::Clock& clock() { return clock_; }
  // Counts epoll_wait calls: work rationed per turn (TLS handshakes) starts
  // afresh when it changes.
  uint64_t turn() const { return turn_; }
  base::ChunkPool& pool() { return pool_; }
  IdleQueue& queue(Timer t) { return queues_[static_cast<int>(t)]; }

 private:
  friend class Conn;
  class SignalSource final : public Pollable {
   public:
    void on_event(uint32_t events) override;
    Loop* loop = nullptr;
    int fd = -1;
  };
  class StderrSource final : public Pollable {
   public:
    void on_event(uint32_t events) override;
    Loop* loop = nullptr;
    bool polled = false;   // fd 2 is in the epoll set (a pipe, socket or terminal)
    bool armed = false;    // with EPOLLOUT
  };
  static constexpr size_t kMaxAlarms = 8;

  void bury(Conn* c);
  void free_dead();
  int next_timeout_ms() const;
  void expire();
  void watch_stderr();
  char* slot(size_t i) const { return slab_ + i * slot_size_; }

  base::Clock clock_;
  base::ChunkPool pool_;
  Linger linger_;                 // the handler of every lingering Conn
  IdleQueue queues_[static_cast<int>(Timer::Count)];
  int epfd_ = -1;
  SignalSource signals_;
  StderrSource stderr_;
  SignalHandler* signal_handler_ = nullptr;
  bool running_ = false;
  uint64_t turn_ = 0;
  bool stop_when_empty_ = false;
  int64_t last_close_ms_ = 0;

  char* slab_ = nullptr;          // max_conns slots: Conn, then protocol state
  size_t slab_len_ = 0;
  size_t slot_size_ = 0;
  size_t max_conns_ = 0;
  uint32_t* free_slots_ = nullptr;  // stack of free slot indices
  uint8_t* in_use_ = nullptr;       // per slot: holds a Conn
  size_t free_top_ = 0;
  size_t live_ = 0;
  uint64_t next_id_ = 1;
  Conn* dead_ = nullptr;          // closed this turn, freed after it

  Alarm* alarms_[kMaxAlarms] = {};
  Alarm trim_alarm_;
};

template <typename F>
void Loop::for_each_conn(F fn) {
  // Slots are scanned rather than linked: this runs once per shutdown, and a
  // list would cost two pointers per Conn for nothing else.
  for (size_t i = 0; i < max_conns_; i++) {
    Conn* c = reinterpret_cast<Conn*>(slot(i));
    if (in_use_[i] && !c->closed()) fn(*c);
  }
}

}  // namespace reactor
