// SPDX-License-Identifier: MIT
// fuzz — what every libFuzzer harness in tests/fuzz shares: the entry point's
// signature, an invariant check that stops the run with a message (libFuzzer
// saves the input as a crash), and byte deliveries split where the fuzzer says.
//
// Harnesses assert what the code promises (spans inside the buffer, split and
// whole deliveries agree, outputs bounded), not only that nothing crashes.
#pragma once

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

// A broken invariant: report it and abort, so libFuzzer records the input.
#define FUZZ_CHECK(cond)                                                                         \
  do {                                                                                           \
    if (!(cond)) {                                                                               \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);          \
      std::abort();                                                                              \
    }                                                                                            \
  } while (0)

namespace fuzz {

// True when s lies inside [base, base + len).
inline bool within(std::string_view s, const char* base, size_t len) {
  return s.empty() || (s.data() >= base && s.data() + s.size() <= base + len);
}

// Cut points for `total` bytes taken from the provider: each piece 1..max
// bytes, the last one whatever is left.  Deliver pieces in order.
inline std::vector<size_t> pieces(FuzzedDataProvider& in, size_t total, size_t max) {
  std::vector<size_t> out;
  for (size_t at = 0; at < total;) {
    size_t n = in.remaining_bytes() > 0 ? in.ConsumeIntegralInRange<size_t>(1, max) : total - at;
    if (n > total - at) n = total - at;
    out.push_back(n);
    at += n;
  }
  return out;
}

// Whether a harness also walks the paths of bugs being fixed elsewhere (see
// tests/fuzz/crashes-known/README): FUZZ_KNOWN_BUGS=1 in the environment.
inline bool known_bugs() {
  static const bool on = [] {
    const char* v = std::getenv("FUZZ_KNOWN_BUGS");
    return v != nullptr && v[0] == '1';
  }();
  return on;
}

}  // namespace fuzz
