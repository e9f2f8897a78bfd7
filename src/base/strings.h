// SPDX-License-Identifier: MIT
// strings — the few text operations HTTP needs, on string_views, allocation-free.
//
// Comparisons are ASCII-only on purpose: HTTP tokens are ASCII (RFC 9110 §5.6.2)
// and locale-dependent case folding has no place in a protocol parser.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace base {

inline char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// ASCII case-insensitive equality.
bool ieq(std::string_view a, std::string_view b);
// True when `s` contains `needle`, compared case-insensitively.
bool icontains(std::string_view s, std::string_view needle);

// Strips optional whitespace (SP and HTAB, RFC 9110 §5.6.3) from both ends.
std::string_view trim_ows(std::string_view s);

// True when the comma-separated list `list` has an element equal to `token`
// (case-insensitive, OWS around elements ignored): "keep-alive, Upgrade".
bool has_token(std::string_view list, std::string_view token);

// Parses a non-empty run of ASCII digits no larger than `max`.  No sign, no
// space, no "0x": exactly what Content-Length and port numbers allow.
bool parse_u64(std::string_view s, uint64_t max, uint64_t* out);

// The host part of a socket address as portico prints it: "1.2.3.4:5" →
// "1.2.3.4", "[::1]:5" → "::1"; a bare address (from X-Forwarded-For) is
// returned whole, IPv6 included.
std::string_view strip_port(std::string_view address);

// Decodes %XX escapes into `out` (capacity `cap`).  Fails on a malformed or
// truncated escape, on a decoded NUL, and when `out` is too small.
bool percent_decode(std::string_view in, char* out, size_t cap, size_t* out_len);

}  // namespace base
