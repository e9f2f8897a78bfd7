// SPDX-License-Identifier: MIT
#include "base/line_sink.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <sys/socket.h>
#include <unistd.h>

namespace base {
namespace {

// Each successful write takes at least one byte, and one flush takes at most
// this many: what is left waits for the next writable event.
constexpr int kWritesPerFlush = 64;

}  // namespace

size_t LineSink::write_some(const char* p, size_t n) {
  for (int tries = 0; tries < 4; tries++) {
    ssize_t w = socket_ ? send(fd_, p, n, MSG_DONTWAIT | MSG_NOSIGNAL) : write(fd_, p, n);
    if (w >= 0) return static_cast<size_t>(w);
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    if (errno != EINTR) break;
  }
  return n;
}

void LineSink::append(const char* p, size_t n) {
  if (head_ + len_ + n > cap_) {  // slide the waiting bytes to the front
    memmove(buf_, buf_ + head_, len_);
    head_ = 0;
  }
  memcpy(buf_ + head_ + len_, p, n);
  len_ += n;
}

void LineSink::queue_gap_line() {
  char line[96];
  int n = snprintf(line, sizeof line, "portico: warn: log: %llu lines dropped: stderr was not being read\n",
                   static_cast<unsigned long long>(dropped_));
  dropped_ = 0;
  append(line, static_cast<size_t>(n));
}

void LineSink::flush() {
  for (int i = 0; i < kWritesPerFlush && pending(); i++) {
    if (len_ == 0) {  // all that came before the gap is out: say what it holds
      queue_gap_line();
      continue;
    }
    // Whole lines up to PIPE_BUF bytes; a tail left by a partial write on a
    // terminal or socket is finished first (its '\n' is within reach).
    const char* p = buf_ + head_;
    size_t n = std::min<size_t>(len_, PIPE_BUF);
    if (n < len_) {
      const void* nl = memrchr(p, '\n', n);
      if (nl != nullptr) n = static_cast<size_t>(static_cast<const char*>(nl) - p) + 1;
    }
    size_t w = write_some(p, n);
    if (w == 0) return;
    head_ += w;
    len_ -= w;
    if (len_ == 0) head_ = 0;
  }
}

void LineSink::put(const char* line, size_t n) {
  flush();
  if (pending()) {
    // Behind waiting lines: queued if there is room and no gap is open.
    if (dropped_ > 0 || cap_ - len_ < n) dropped_++;
    else append(line, n);
    return;
  }
  size_t w = write_some(line, n);
  if (w < n) append(line + w, n - w);
}

}  // namespace base
