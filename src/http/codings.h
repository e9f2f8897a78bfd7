// SPDX-License-Identifier: MIT
// codings — which content coding an answer may use, from Accept-Encoding
// (RFC 9110 §12.5.3), for files kept beside their precompressed siblings.
//
// Each coding gets the weight the header gives it, by name or through "*";
// q=0 refuses it.  identity is acceptable unless refused (by name, or by
// "*;q=0" without naming it); unnamed, it ranks below every coding the
// client accepts at all.  No header at all means identity only: a
// client that never said it decodes br gets none.  Weights are read in
// thousandths, as the grammar allows (at most three decimals); a member
// that does not parse counts as absent, never as a wider acceptance.
#pragma once

#include <cstdint>
#include <string_view>

namespace http {

enum class Coding : unsigned char { Identity, Gzip, Br, None };

struct Accepted {
  uint16_t br = 0, gzip = 0, identity = 1000;  // weights, 0..1000 (identity: 1 when unnamed)
};

// Parses an Accept-Encoding value; `present` is false when the request had none.
Accepted parse_accept_encoding(std::string_view value, bool present);

// The coding to answer with among those on hand (`have_br`, `have_gzip`;
// identity always is): the highest weight, ties going to br, then gzip,
// then identity.  None when nothing on hand is acceptable (406).
Coding choose_coding(const Accepted& a, bool have_br, bool have_gzip);

}  // namespace http
