// SPDX-License-Identifier: MIT
// blake2b — BLAKE2b (RFC 7693), the hash inside Argon2.
//
// BearSSL has no BLAKE2, and Argon2 is defined on it, so portico carries
// this one (unkeyed; digest 1 to 64 bytes).  Not used for anything else.
#pragma once

#include <cstddef>
#include <cstdint>

namespace auth {

class Blake2b {
 public:
  // MUST be called first; `out_len` is 1 to 64.
  void init(size_t out_len);
  void update(const void* data, size_t n);
  void final(uint8_t* out);

  // One call: BLAKE2b-`out_len`(data).
  static void hash(uint8_t* out, size_t out_len, const void* data, size_t n);

 private:
  void compress(const uint8_t* block, bool last);

  uint64_t h_[8];
  uint64_t t_[2];
  uint8_t buf_[128];
  size_t fill_;
  size_t out_len_;
};

}  // namespace auth
