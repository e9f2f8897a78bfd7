// SPDX-License-Identifier: MIT
// utf8 — incremental UTF-8 validation for WebSocket text (RFC 6455 §8.1).
//
// Bytes may arrive split anywhere, even inside a code point; the validator
// fails on the first byte that cannot start or continue a valid sequence
// (overlong forms, surrogates and values above U+10FFFF included), which is
// what "fail fast" in Autobahn's category 6 asks.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ws {

class Utf8 {
 public:
  // False as soon as `p` makes the text invalid; the validator is then dead.
  bool feed(const uint8_t* p, size_t n);
  // True when the text fed so far ends on a code point boundary.
  bool complete() const { return need_ == 0; }
  void reset() { need_ = 0; lo_ = 0x80; hi_ = 0xBF; }

 private:
  uint8_t need_ = 0;   // continuation bytes still expected
  uint8_t lo_ = 0x80;  // allowed range of the next continuation byte
  uint8_t hi_ = 0xBF;
};

}  // namespace ws
