// SPDX-License-Identifier: MIT
#include "base/log.h"

#include <cstdio>
#include <cstring>
#include <unistd.h>

namespace base {
namespace {

// The only mutable file-scope state in portico: the log level is a process
// property (like the stderr fd it guards), read on every log call.
Level g_level = Level::Info;

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
  // A short or failed write to stderr has nowhere to be reported.
  ssize_t w = write(STDERR_FILENO, line, len);
  (void)w;
}

void logf(Level level, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vlogf(level, fmt, ap);
  va_end(ap);
}

}  // namespace base
