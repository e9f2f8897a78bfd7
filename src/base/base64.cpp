// SPDX-License-Identifier: MIT
#include "base/base64.h"

namespace base {
namespace {

const char* alphabet(B64 a) {
  return a == B64::Url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                       : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}

int value(char c, B64 a) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == (a == B64::Url ? '-' : '+')) return 62;
  if (c == (a == B64::Url ? '_' : '/')) return 63;
  return -1;
}

}  // namespace

size_t b64_encode(const uint8_t* in, size_t n, char* out, B64 a, bool pad) {
  const char* abc = alphabet(a);
  size_t o = 0;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = uint32_t{in[i]} << 16;
    if (i + 1 < n) v |= uint32_t{in[i + 1]} << 8;
    if (i + 2 < n) v |= in[i + 2];
    out[o++] = abc[(v >> 18) & 63];
    out[o++] = abc[(v >> 12) & 63];
    if (i + 1 < n) out[o++] = abc[(v >> 6) & 63];
    else if (pad) out[o++] = '=';
    if (i + 2 < n) out[o++] = abc[v & 63];
    else if (pad) out[o++] = '=';
  }
  return o;
}

bool b64_decode(std::string_view s, uint8_t* out, size_t cap, size_t* n, B64 a) {
  while (!s.empty() && s.back() == '=') s.remove_suffix(1);
  uint32_t acc = 0;
  int bits = 0;
  size_t o = 0;
  for (char c : s) {
    int v = value(c, a);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (o == cap) return false;
      out[o++] = static_cast<uint8_t>(acc >> bits);
    }
  }
  if (bits >= 6 || (acc & ((1u << bits) - 1)) != 0) return false;
  *n = o;
  return true;
}

}  // namespace base
