// SPDX-License-Identifier: MIT
#include "base/log.h"

#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/line_sink.h"

namespace base {
namespace {

// The only mutable file-scope state in portico: the log level and stderr's
// queue are process properties (like the stderr fd they guard), used on every
// log call.  32 KiB holds a burst of some 400 lines on top of a pipe's 64 KiB.
Level g_level = Level::Info;
char g_queue[32768];
LineSink g_stderr(g_queue, sizeof g_queue, STDERR_FILENO);

constexpr const char* kNames[] = {"trace", "debug", "info", "warn", "error", "fatal"};

}  // namespace

void log_set_level(Level level) { g_level = level; }
Level log_level() { return g_level; }

const char* level_name(Level level) { return kNames[static_cast<int>(level)]; }

bool parse_level(std::string_view name, Level* out) {
  for (int i = 0; i <= static_cast<int>(Level::Error); i++) {
    if (name == kNames[i]) {
      *out = static_cast<Level>(i);
      return true;
    }
  }
  return false;
}

void vlogf(Level level, const char* fmt, va_list ap) {
  if (!log_enabled(level)) return;
  char line[1024];
  int n = snprintf(line, sizeof line, "portico: %s: ", level_name(level));
  int m = vsnprintf(line + n, sizeof line - static_cast<size_t>(n), fmt, ap);
  size_t len = static_cast<size_t>(n) + (m > 0 ? static_cast<size_t>(m) : 0);
  if (len > sizeof line - 2) {
    static constexpr char kCut[] = " [cut]";
    len = sizeof line - sizeof kCut;
    memcpy(line + len, kCut, sizeof kCut - 1);
    len += sizeof kCut - 1;
  }
  line[len++] = '\n';
  g_stderr.put(line, len);
}

void logf(Level level, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vlogf(level, fmt, ap);
  va_end(ap);
}

// How stderr stops blocking depends on what it is:
//  - a pipe (runit's and s6's log pipes, a shell pipeline): O_NONBLOCK on it.
//    The flag is the open file description's, shared with whoever holds the
//    same pipe end (the supervisor keeps one across restarts, `exec 2>&1`
//    gives stdout the same).  Such a pipe is made for this service alone, and
//    anyone else writing it would block on the same stalled reader anyway.
//    Reopening it as a description of our own (/proc/self/fd/2) fails
//    exactly there: the pipe belongs to root when runsv or s6 made it and
//    portico runs as a user.
//  - a socket: each line is a send(MSG_DONTWAIT); nothing shared changes.
//  - a terminal: its description is the user's shell's too, which would meet
//    EAGAIN after portico is gone; so it is opened again (a description of
//    portico's own) and that one made non-blocking.  If that fails it stays
//    blocking: a terminal stops only when its user asks (^S).
//  - a regular file or /dev/null: writes there never wait for a reader.
// A closed fd 2 gets /dev/null first, so no socket opened later becomes stderr.
void log_nonblocking() {
  int fd = STDERR_FILENO;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null >= 0 && null != fd) {
      dup2(null, fd);
      close(null);
    }
    return;
  }
  if (S_ISSOCK(st.st_mode)) {
    g_stderr.set_socket(true);
  } else if (S_ISFIFO(st.st_mode)) {
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) fcntl(fd, F_SETFL, fl | O_NONBLOCK);
  } else if (isatty(fd)) {
    int own = open("/proc/self/fd/2", O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (own >= 0) {
      dup2(own, fd);
      close(own);
    }
  }
}

bool log_pending() { return g_stderr.pending(); }
void log_flush() { g_stderr.flush(); }

void log_drain(int timeout_ms) {
  timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int i = 0; i < 64 && g_stderr.pending(); i++) {
    clock_gettime(CLOCK_MONOTONIC, &t);
    int64_t spent = static_cast<int64_t>(t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
    pollfd p{STDERR_FILENO, POLLOUT, 0};
    if (spent >= timeout_ms || poll(&p, 1, timeout_ms - static_cast<int>(spent)) <= 0) return;
    g_stderr.flush();
  }
}

}  // namespace base
