// SPDX-License-Identifier: MIT
// accept_encoding — fuzzes http::parse_accept_encoding and choose_coding.
//
// Invariants, beyond ASan/UBSan:
//   - every weight is a thousandth from 0 to 1000;
//   - the coding chosen is on hand and acceptable, and the best one: no
//     coding on hand weighs more; None only when nothing on hand weighs more
//     than 0;
//   - members that do not parse change nothing: the value with a garbage
//     member appended chooses as the value alone.
//
// fuzz: -max_len=512
#include "fuzz.h"
#include "http/codings.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  bool have_br = in.ConsumeBool(), have_gzip = in.ConsumeBool();
  std::string value = in.ConsumeRemainingBytesAsString();
  http::Accepted a = http::parse_accept_encoding(value, true);
  FUZZ_CHECK(a.br <= 1000 && a.gzip <= 1000 && a.identity <= 1000);
  http::Coding c = http::choose_coding(a, have_br, have_gzip);
  uint16_t best = a.identity;
  if (have_br && a.br > best) best = a.br;
  if (have_gzip && a.gzip > best) best = a.gzip;
  switch (c) {
    case http::Coding::Br: FUZZ_CHECK(have_br && a.br == best && a.br > 0); break;
    case http::Coding::Gzip: FUZZ_CHECK(have_gzip && a.gzip == best && a.gzip > 0); break;
    case http::Coding::Identity: FUZZ_CHECK(a.identity == best && a.identity > 0); break;
    case http::Coding::None: FUZZ_CHECK(best == 0); break;
  }
  http::Accepted b = http::parse_accept_encoding(value + ", ;q=junk", true);
  FUZZ_CHECK(b.br == a.br && b.gzip == a.gzip && b.identity == a.identity);
  return 0;
}
