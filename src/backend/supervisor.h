// SPDX-License-Identifier: MIT
// supervisor — the VS Code server portico starts, watches and stops.
//
// Started lazily (the first request for it asks), below a keeper process
// (keeper.h) that ends everything the server starts whenever the server
// ends, however portico ends.  It listens on a unix socket in a private
// 0700 directory with --without-connection-token: only portico can reach
// it, and portico has already checked the user.  Its stdout and stderr
// become lines of portico's log ("vscode: ...").  It is ready once its
// socket accepts a connection.  If it dies it is started again after a
// back-off (1 s, doubling to 30 s; reset after a minute of good health).
//
// With an idle timeout, it is stopped once no exchange or tunnel has been
// open to it (`use`, counted by the proxies) and no request has asked for
// it for that long; the next request starts it again.  A stop is not a
// failure: no back-off.
#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

#include "backend/tree.h"
#include "reactor/loop.h"
#include "reactor/pollable.h"
#include "reactor/use.h"

namespace backend {

struct Launch {
  std::vector<std::string> argv;   // program and its arguments, without the socket option
  int64_t idle_ms = 0;             // stop it after this long unused; 0: never
};

class Supervisor final : public reactor::Pollable {
 public:
  enum class State : unsigned char { Stopped, Starting, Ready, Backoff, Stopping };
  static const char* name(State s);

  Supervisor() = default;
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;
  ~Supervisor();

  // Makes the private directory; makes portico a subreaper, so what a
  // keeper killed from outside leaves is still below it.  False with `err`.
  bool init(reactor::Loop* loop, Launch launch, std::string* err);
  // A request for the server: starts it when stopped.  Cheap when running.
  void want();
  State state() const { return state_; }
  const std::string& socket_path() const { return socket_; }
  // SIGCHLD arrived: reaps the keeper if it exited and plans what is next.
  void reap();
  // Ends the server and everything below portico (the keeper, then
  // SIGKILL for whatever is left) and removes the private directory.
  // Blocks, at most about min(`grace_ms`, 5 s) + 9 s (the keeper's bound,
  // then 2 s for what is left): for shutdown only.
  void stop(int grace_ms);

  // The state, since when (ms since the epoch), and the memory of the
  // keeper and everything below it, read at most once a second.
  struct Report {
    State state;
    int64_t since_ms;
    Tree::Usage usage;
  };
  Report report();

  // Counted by the proxies: the target's `use` points here.
  reactor::Use use;

  void on_event(uint32_t events) override;  // the server's output

 private:
  void spawn();
  void check_ready();
  void ask_to_stop(const char* why);
  void enter(State s);
  void end_strays();
  void forward_lines(bool flush_all);
  void end_output();
  static void on_alarm(void* self);
  static void on_idle_check(void* self);

  reactor::Loop* loop_ = nullptr;
  Launch launch_;
  std::string dir_, socket_;
  State state_ = State::Stopped;
  int64_t since_ms_ = 0;      // wall clock, when state_ began
  pid_t pid_ = -1;            // the keeper
  int out_fd_ = -1;
  int64_t started_ms_ = 0, ready_ms_ = 0, backoff_ms_ = 1000;
  bool again_ = false;        // asked for while stopping: start once stopped
  bool strays_ = false;       // a keeper ended: what may be left below is portico's to end
  static constexpr size_t kMaxInherited = 16;
  pid_t inherited_[kMaxInherited];  // portico's children from before it started one: never ended
  size_t n_inherited_ = 0;
  reactor::Alarm alarm_, idle_alarm_;
  Tree tree_;
  Tree::Usage usage_;
  int64_t usage_ms_ = -1;     // when usage_ was read (monotonic); -1: never
  char line_[1024];
  size_t line_len_ = 0;
};

}  // namespace backend
