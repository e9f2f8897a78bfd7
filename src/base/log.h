// SPDX-License-Identifier: MIT
// log — one line per event on stderr: "portico: LEVEL: what: why".
//
// No timestamps (svlogd and s6-log add them) and no buffering: each line is one
// write(2), so lines from the VS Code child and from portico never interleave
// mid-line.  The level is process-wide and set once from the configuration.
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

}  // namespace base
