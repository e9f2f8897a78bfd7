// SPDX-License-Identifier: MIT
#include "auth/ct.h"

#include <bearssl_hash.h>

namespace auth {

bool ct_equal(const void* a, const void* b, size_t n) {
  const volatile unsigned char* x = static_cast<const unsigned char*>(a);
  const volatile unsigned char* y = static_cast<const unsigned char*>(b);
  unsigned char d = 0;
  for (size_t i = 0; i < n; i++) d = static_cast<unsigned char>(d | (x[i] ^ y[i]));
  return d == 0;
}

bool ct_equal_str(std::string_view a, std::string_view b) {
  unsigned char da[br_sha256_SIZE], db[br_sha256_SIZE];
  br_sha256_context c;
  br_sha256_init(&c);
  br_sha256_update(&c, a.data(), a.size());
  br_sha256_out(&c, da);
  br_sha256_init(&c);
  br_sha256_update(&c, b.data(), b.size());
  br_sha256_out(&c, db);
  return ct_equal(da, db, sizeof da);
}

void wipe(void* p, size_t n) {
  volatile unsigned char* b = static_cast<unsigned char*>(p);
  for (size_t i = 0; i < n; i++) b[i] = 0;
}

}  // namespace auth
