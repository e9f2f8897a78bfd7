// SPDX-License-Identifier: MIT
// supervisor — the VS Code server portico starts, watches and stops.
//
// Started lazily (the first authenticated request asks for it), in a new
// session and process group, listening on a unix socket in a private 0700
// directory with --without-connection-token: only portico can reach it, and
// portico has already checked the user.  Its stdout and stderr become lines
// of portico's log ("vscode: ...").  It is ready once its socket accepts a
// connection.  If it dies it is started again after a back-off (1 s, doubling
// to 30 s; reset after a minute of good health).  On shutdown the whole
// process group gets SIGTERM, then SIGKILL after a bound.
#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

#include "reactor/loop.h"
#include "reactor/pollable.h"

namespace backend {

struct Launch {
  std::vector<std::string> argv;   // program and its arguments, without the socket option
};

class Supervisor final : public reactor::Pollable {
 public:
  enum class State : unsigned char { Stopped, Starting, Ready, Backoff };

  Supervisor() = default;
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;
  ~Supervisor();

  // Makes the private directory.  False with `err`.
  bool init(reactor::Loop* loop, Launch launch, std::string* err);
  // Asks for the server: starts it when stopped.  Cheap when running.
  void want();
  State state() const { return state_; }
  const std::string& socket_path() const { return socket_; }
  // SIGCHLD arrived: reaps the server if it exited and plans the restart.
  void reap();
  // Ends the process group (SIGTERM, up to `grace_ms`, then SIGKILL) and
  // removes the private directory.  Blocks: for shutdown only.
  void stop(int grace_ms);

  void on_event(uint32_t events) override;  // the server's output

 private:
  void spawn();
  void check_ready();
  void forward_lines(bool flush_all);
  static void on_alarm(void* self);

  reactor::Loop* loop_ = nullptr;
  Launch launch_;
  std::string dir_, socket_;
  State state_ = State::Stopped;
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int64_t started_ms_ = 0, backoff_ms_ = 1000;
  reactor::Alarm alarm_;
  char line_[1024];
  size_t line_len_ = 0;
};

}  // namespace backend
