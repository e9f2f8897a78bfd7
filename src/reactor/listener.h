// SPDX-License-Identifier: MIT
// listener — a listening socket (TCP, unix, or inherited) feeding accept4.
//
// Accepted fds are non-blocking and close-on-exec from the start (accept4), so
// no child process ever inherits a client connection.  When the process runs
// out of fds, accepting pauses for a moment instead of spinning on EMFILE with
// the backlog still readable (tests/e2e/test_fds.py),
// and says so at most once a second.
#pragma once

#include <cstddef>
#include <string_view>
#include <sys/socket.h>

#include "base/clock.h"
#include "reactor/pollable.h"

namespace reactor {

class Loop;

class AcceptHandler {
 public:
  // Owns `fd` from here on.  `peer` is the client's address, for logs.
  virtual void on_accept(int fd, std::string_view peer) = 0;

 protected:
  ~AcceptHandler() = default;
};

class Listener final : public Pollable {
 public:
  Listener() = default;
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  ~Listener() { close(); }

  // Each opener returns false and fills `err` with a one-line reason.
  bool open_tcp(const sockaddr* addr, socklen_t len, char* err, size_t errlen);
  // Replaces a stale socket file (never another kind of file); chmods it to
  // `mode` unless mode < 0.
  bool open_unix(const char* path, int mode, char* err, size_t errlen);
  // Takes over an inherited fd that MUST already be a listening stream socket.
  bool adopt(int fd, char* err, size_t errlen);

  bool start(Loop* loop, AcceptHandler* handler);
  // Stops accepting and closes the socket; a unix socket file made by
  // open_unix() is removed.  Idempotent.
  void close();
  bool open() const { return fd_ >= 0; }
  int fd() const { return fd_; }

  // "127.0.0.1:8080", "[::1]:8080" or "unix:/run/portico.sock".
  std::string_view address() const { return {addr_, addr_len_}; }

  void on_event(uint32_t events) override;

 private:
  bool finish_open(char* err, size_t errlen);
  static void resume(void* self);

  int fd_ = -1;
  Loop* loop_ = nullptr;
  AcceptHandler* handler_ = nullptr;
  Alarm backoff_;
  base::Throttle backoff_log_{1000};
  bool unlink_on_close_ = false;
  char addr_[128] = {};
  size_t addr_len_ = 0;
};

// Formats a socket address as "a.b.c.d:port", "[v6]:port" or "unix:path".
size_t format_sockaddr(const sockaddr* sa, socklen_t len, char* out, size_t cap);

}  // namespace reactor
