// SPDX-License-Identifier: MIT
// fuzz — what every libFuzzer harness in tests/fuzz shares: the entry point's
// signature, an invariant check that stops the run with a message (libFuzzer
// saves the input as a crash), and byte deliveries split where the fuzzer says.
//
// Harnesses assert what the code promises (spans inside the buffer, split and
// whole deliveries agree, outputs bounded), not only that nothing crashes.
#pragma once

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
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

// A byte stream and the reads that deliver it, both from the provider: one
// byte from the end sizes the next read (1..max bytes), taken from the front.
struct Reads {
  std::string stream;
  std::vector<size_t> sizes;  // never empty unless the stream is
};
inline Reads reads(FuzzedDataProvider& in, size_t max) {
  Reads r;
  while (in.remaining_bytes() > 0) {
    std::string piece = in.ConsumeBytesAsString(in.ConsumeIntegralInRange<size_t>(1, max));
    if (piece.empty()) break;
    r.sizes.push_back(piece.size());
    r.stream += piece;
  }
  return r;
}

// Feeds r.stream to f(piece) read by read.
template <typename F>
void deliver(const Reads& r, F f) {
  size_t at = 0;
  for (size_t n : r.sizes) {
    f(std::string_view(r.stream).substr(at, n));
    at += n;
  }
}

// The room the other side has, turn by turn: the read sizes over and over,
// or no limit.
class Rooms {
 public:
  explicit Rooms(const std::vector<size_t>* sizes) : sizes_(sizes) {}
  size_t next() { return sizes_ != nullptr ? (*sizes_)[turn_++ % sizes_->size()] : SIZE_MAX; }

 private:
  const std::vector<size_t>* sizes_;
  size_t turn_ = 0;
};

// Prints both event lists and fails when they differ.
inline void same_events(const std::vector<std::string>& whole, const std::vector<std::string>& split) {
  if (whole == split) return;
  for (const auto* v : {&whole, &split}) {
    std::fprintf(stderr, "%s:\n", v == &whole ? "whole" : "split");
    for (const std::string& e : *v) std::fprintf(stderr, "  %s\n", e.c_str());
  }
  FUZZ_CHECK(whole == split);
}

}  // namespace fuzz
