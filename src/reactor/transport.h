// SPDX-License-Identifier: MIT
// transport — what sits between a Conn's buffers and its socket when the
// bytes are not plain (TLS).  A plain Conn has none, and pays one branch.
//
// The upper layers never see it: Conn::read, flush and send go through it,
// and Conn::want adds the events it needs (records still to send, or to
// receive during a handshake) to the handler's own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <sys/types.h>

namespace reactor {

class Transport {
 public:
  // Application bytes into buf[0..n): > 0 bytes, 0 the peer closed cleanly,
  // -1 with errno (EAGAIN: nothing yet; else an error).
  virtual ssize_t recv(int fd, char* buf, size_t n) = 0;
  // Takes up to n application bytes for the peer: how many (0 and EAGAIN
  // when it has no room now), -1 on an error.
  virtual ssize_t send(int fd, const char* p, size_t n) = 0;
  // Pushes what it holds to the socket.  1: all out, 0: some wait for
  // EPOLLOUT, -1: error.
  virtual int drain(int fd) = 0;
  // The answer is complete and the write side is about to be shut: tell the
  // peer it has everything (TLS close_notify; OpenSSL 3 clients otherwise
  // call the end an error).  Best effort: what the socket will not take now
  // is dropped.
  virtual void close_notify(int fd) = 0;
  // The epoll events it needs whatever the handler wants.
  virtual uint32_t interest() const = 0;
  // The Conn is freed: so is the transport.
  virtual void release() = 0;

 protected:
  ~Transport() = default;
};

}  // namespace reactor
