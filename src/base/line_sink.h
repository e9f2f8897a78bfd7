// SPDX-License-Identifier: MIT
// line_sink — whole lines to a descriptor whose reader may stall (stderr).
//
// A line is written at once when the descriptor takes it.  When the reader
// lags, lines wait in a fixed buffer, lent once and never grown; when that is
// full, they are counted and dropped, and once everything queued before the
// gap has gone out, one line saying how many are missing takes its place.
// Until then no later line is queued, so the count sits exactly at the gap.
//
// A line is never cut: each write(2) carries whole lines and at most PIPE_BUF
// bytes, which a non-blocking pipe takes all or not at all.  (A terminal or a
// socket may take part of a write; the rest then goes first, next time.)
#pragma once

#include <cstddef>
#include <cstdint>

namespace base {

class LineSink {
 public:
  // `storage` holds the waiting lines for the sink's life; it must hold the
  // longest line.  Writes go to `fd` (made non-blocking by its owner, or
  // plain blocking writes); after set_socket(true), each is a
  // send(MSG_DONTWAIT).
  constexpr LineSink(char* storage, size_t cap, int fd) : buf_(storage), cap_(cap), fd_(fd) {}
  LineSink(const LineSink&) = delete;
  LineSink& operator=(const LineSink&) = delete;

  void set_socket(bool socket) { socket_ = socket; }

  // Writes or queues one line ending in '\n', or counts it as dropped.
  void put(const char* line, size_t n);
  // Writes what waits, as far as the descriptor takes it (bounded).
  void flush();

  // Lines (or the count of a gap) wait for the descriptor to be writable.
  bool pending() const { return len_ > 0 || dropped_ > 0; }
  size_t queued() const { return len_; }
  uint64_t dropped() const { return dropped_; }
  int fd() const { return fd_; }

 private:
  // Bytes of p[0, n) the descriptor took: 0 when it would block; n on an
  // error, for lost lines have nowhere to be reported.
  size_t write_some(const char* p, size_t n);
  void append(const char* p, size_t n);
  void queue_gap_line();

  char* buf_;
  size_t cap_;
  int fd_;
  bool socket_ = false;
  size_t head_ = 0;        // waiting bytes are buf_[head_, head_ + len_)
  size_t len_ = 0;
  uint64_t dropped_ = 0;   // lines lost since the queue was last empty
};

}  // namespace base
