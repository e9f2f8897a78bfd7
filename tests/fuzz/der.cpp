// SPDX-License-Identifier: MIT
// der — fuzzes the DER reader that checks certificates in the data
// directory (src/tls/der.cpp: next, tbs_field, extension, validity),
// which any file put there reaches at start and on SIGHUP.  The input is a
// certificate, or what pretends to be one.
//
// Invariants: every span it gives lies inside the input, a field's span
// starts with its own TLV, and reading never runs past the end (ASan).
//
// fuzz: -max_len=4096
#include "fuzz.h"
#include "tls/der.h"

namespace {

constexpr unsigned char kNameConstraints[] = {0x06, 0x03, 0x55, 0x1D, 0x1E};
constexpr unsigned char kSubjectAltName[] = {0x06, 0x03, 0x55, 0x1D, 0x11};

bool inside(const unsigned char* p, size_t n, const uint8_t* data, size_t size) {
  return p >= data && n <= size && p + n <= data + size;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  for (int k = 0; k < 9; k++) {
    const unsigned char* at;
    size_t n;
    if (!tls::der::tbs_field(data, size, k, &at, &n)) continue;
    FUZZ_CHECK(inside(at, n, data, size) && n >= 2);
    const unsigned char *p = at, *body;
    unsigned char tag;
    size_t m;
    FUZZ_CHECK(tls::der::next(&p, at + n, &tag, &body, &m) && p == at + n && inside(body, m, data, size));
  }
  for (const auto& oid : {kNameConstraints, kSubjectAltName}) {
    const unsigned char* v;
    size_t n;
    if (tls::der::extension(data, size, oid, 5, &v, &n)) FUZZ_CHECK(inside(v, n, data, size));
  }
  time_t from, until;
  if (tls::der::validity(data, size, &from, &until)) FUZZ_CHECK(tls::der::not_after(data, size) == until);
  return 0;
}
