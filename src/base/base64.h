// SPDX-License-Identifier: MIT
// base64 — RFC 4648, in the two alphabets portico meets: standard (WebSocket
// accept keys, PHC strings) and URL-safe (session cookies).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace base {

enum class B64 : unsigned char { Standard, Url };

// Writes the encoding of in[0..n) to `out` (room for 4*ceil(n/3) bytes),
// with '=' padding when `pad`.  Returns its length.
size_t b64_encode(const uint8_t* in, size_t n, char* out, B64 alphabet, bool pad);
// Decodes `s` (padding optional; stray low bits refused, as RFC 4648 §3.5
// allows) into out[0..cap).  False on any byte outside the alphabet.
bool b64_decode(std::string_view s, uint8_t* out, size_t cap, size_t* n, B64 alphabet);

}  // namespace base
