// SPDX-License-Identifier: MIT
// log — one line per event on stderr: "portico: LEVEL: what: why".
//
// No timestamps (svlogd and s6-log add them) and no buffering while the reader
// keeps up: each line is one write(2), whole.  A reader that stalls (a logger
// that is down) never stalls portico: see log_nonblocking().  The level is
// process-wide and set once from the configuration.
#pragma once

#include <cstdarg>
#include <string_view>

namespace base {

enum class Level : unsigned char { Trace, Debug, Info, Warn, Error, Fatal };

void log_set_level(Level level);
Level log_level();
inline bool log_enabled(Level level) { return level >= log_level(); }

// Parses "trace", "debug", "info", "warn" or "error"; false on anything else.
bool parse_level(std::string_view name, Level* out);
const char* level_name(Level level);

// Formats and writes one line; lines longer than 1 KiB are cut (and say so).
void logf(Level level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void vlogf(Level level, const char* fmt, va_list ap);

// From here on no write to stderr blocks: a line the reader cannot take now
// waits in a fixed buffer, or is counted and the count logged once the
// reader is back (base/line_sink.h).  How, by kind of descriptor, is in log.cpp.
void log_nonblocking();
// Lines wait for stderr; log_flush() writes what it takes (the loop calls it
// when fd 2 turns writable).
bool log_pending();
void log_flush();
// At exit: gives a stalled reader up to timeout_ms to take what waits.
void log_drain(int timeout_ms);

}  // namespace base
