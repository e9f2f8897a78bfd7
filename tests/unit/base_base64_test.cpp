// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <string>

#include "base/base64.h"

namespace {
std::string enc(const std::string& s, base::B64 a, bool pad) {
  char out[64];
  return std::string(out, base::b64_encode(reinterpret_cast<const uint8_t*>(s.data()), s.size(), out, a, pad));
}
std::string dec(const std::string& s, base::B64 a) {
  uint8_t out[64];
  size_t n = 0;
  return base::b64_decode(s, out, sizeof out, &n, a) ? std::string(reinterpret_cast<char*>(out), n) : "<bad>";
}
}  // namespace

TEST_CASE("RFC 4648 test vectors, both alphabets") {
  const char* plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char* padded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for (int i = 0; i < 7; i++) {
    CHECK(enc(plain[i], base::B64::Standard, true) == padded[i]);
    CHECK(dec(padded[i], base::B64::Standard) == plain[i]);
    std::string bare = padded[i];
    bare.erase(bare.find_last_not_of('=') + 1);
    CHECK(enc(plain[i], base::B64::Url, false) == bare);
    CHECK(dec(bare, base::B64::Url) == plain[i]);
  }
  CHECK(enc("\xfb\xff", base::B64::Standard, false) == "+/8");
  CHECK(enc("\xfb\xff", base::B64::Url, false) == "-_8");
  CHECK(dec("+/8", base::B64::Url) == "<bad>");
  CHECK(dec("Zh==", base::B64::Standard) == "<bad>");  // stray low bits
  CHECK(dec("Z", base::B64::Standard) == "<bad>");     // a dangling character
  CHECK(dec("Zm9v!", base::B64::Standard) == "<bad>");
}
