// SPDX-License-Identifier: MIT
#include "ws/frame.h"

namespace ws {

size_t parse_header(const uint8_t* p, size_t n, FrameHeader* h) {
  if (n < 2) return 0;
  h->fin = (p[0] & 0x80) != 0;
  h->rsv = p[0] & 0x70;
  h->opcode = p[0] & 0x0F;
  h->masked = (p[1] & 0x80) != 0;
  uint64_t len = p[1] & 0x7F;
  size_t at = 2;
  if (len == 126 || len == 127) {
    size_t bytes = len == 126 ? 2 : 8;
    if (n < at + bytes) return 0;
    len = 0;
    for (size_t i = 0; i < bytes; i++) len = (len << 8) | p[at + i];
    at += bytes;
  }
  h->length = len;
  if (h->masked) {
    if (n < at + 4) return 0;
    for (int i = 0; i < 4; i++) h->mask[i] = p[at + static_cast<size_t>(i)];
    at += 4;
  }
  return at;
}

size_t write_header(uint8_t* out, uint8_t opcode, uint64_t length) {
  out[0] = static_cast<uint8_t>(0x80 | opcode);
  if (length < 126) {
    out[1] = static_cast<uint8_t>(length);
    return 2;
  }
  if (length <= 0xFFFF) {
    out[1] = 126;
    out[2] = static_cast<uint8_t>(length >> 8);
    out[3] = static_cast<uint8_t>(length);
    return 4;
  }
  out[1] = 127;
  for (int i = 0; i < 8; i++) out[2 + i] = static_cast<uint8_t>(length >> (56 - 8 * i));
  return 10;
}

void unmask(uint8_t* p, size_t n, const uint8_t mask[4], uint64_t offset) {
  for (size_t i = 0; i < n; i++) p[i] ^= mask[(offset + i) & 3];
}

bool valid_close_code(uint16_t code) {
  if (code >= 3000 && code <= 4999) return true;   // registered and private use
  if (code >= 1000 && code <= 1003) return true;
  return code >= 1007 && code <= 1014;             // 1012–1014 registered after RFC 6455
}

}  // namespace ws
