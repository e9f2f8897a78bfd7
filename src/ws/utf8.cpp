// SPDX-License-Identifier: MIT
#include "ws/utf8.h"

namespace ws {

// Unicode 15 table 3-7 (well-formed UTF-8 byte sequences): the first byte
// fixes the length and the range of the second byte; later bytes are 80..BF.
bool Utf8::feed(const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    uint8_t b = p[i];
    if (need_ > 0) {
      if (b < lo_ || b > hi_) return false;
      lo_ = 0x80;
      hi_ = 0xBF;
      need_--;
      continue;
    }
    if (b < 0x80) continue;
    if (b >= 0xC2 && b <= 0xDF) {
      need_ = 1;
    } else if (b == 0xE0) {
      need_ = 2, lo_ = 0xA0;             // no overlong 3-byte forms
    } else if (b == 0xED) {
      need_ = 2, hi_ = 0x9F;             // no UTF-16 surrogates
    } else if (b >= 0xE1 && b <= 0xEF) {
      need_ = 2;
    } else if (b == 0xF0) {
      need_ = 3, lo_ = 0x90;             // no overlong 4-byte forms
    } else if (b >= 0xF1 && b <= 0xF3) {
      need_ = 3;
    } else if (b == 0xF4) {
      need_ = 3, hi_ = 0x8F;             // nothing above U+10FFFF
    } else {
      return false;                      // 80..C1, F5..FF never start a sequence
    }
  }
  return true;
}

}  // namespace ws
