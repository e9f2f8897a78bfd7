// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include "http/codings.h"

using http::Coding;

namespace {
Coding pick(const char* value, bool br = true, bool gzip = true) {
  return http::choose_coding(http::parse_accept_encoding(value, true), br, gzip);
}
}  // namespace

TEST_CASE("Accept-Encoding: what a browser, curl and the rest send") {
  CHECK(pick("gzip, deflate, br, zstd") == Coding::Br);                 // Chromium
  CHECK(pick("deflate, gzip") == Coding::Gzip);                         // curl --compressed without brotli
  CHECK(pick("gzip, deflate, br", false, true) == Coding::Gzip);        // no .br on hand
  CHECK(pick("gzip, deflate, br", false, false) == Coding::Identity);   // nothing on hand
  CHECK(http::choose_coding(http::parse_accept_encoding("", false), true, true) == Coding::Identity);  // no header
  CHECK(pick("") == Coding::Identity);                                  // an empty header
  CHECK(pick("identity") == Coding::Identity);
  CHECK(pick("*") == Coding::Br);
  CHECK(pick("BR;Q=1.000, GZIP") == Coding::Br);                        // case-insensitive
  CHECK(pick("x-gzip") == Coding::Gzip);
}

TEST_CASE("Accept-Encoding: q-values, refusals and 406") {
  CHECK(pick("br;q=0, gzip") == Coding::Gzip);
  CHECK(pick("br;q=0.5, gzip;q=0.8") == Coding::Gzip);                  // the client's weights win
  CHECK(pick("br;q=0.8, gzip;q=0.8") == Coding::Br);                    // ties go to br
  CHECK(pick("gzip;q=0.001") == Coding::Gzip);                          // unnamed identity comes last
  CHECK(pick("gzip;q=0.5, identity") == Coding::Identity);              // named, it weighs what it says
  CHECK(pick("gzip;q=0.001, identity;q=0") == Coding::Gzip);
  CHECK(pick("identity;q=0") == Coding::None);                          // nothing acceptable on hand
  CHECK(pick("identity;q=0", true, false) == Coding::None);
  CHECK(pick("*;q=0") == Coding::None);
  CHECK(pick("*;q=0, identity") == Coding::Identity);                   // named wins over "*"
  CHECK(pick("identity, *;q=0") == Coding::Identity);
  CHECK(pick("br, *;q=0") == Coding::Br);
  CHECK(pick("br;q=0, *") == Coding::Gzip);
  CHECK(pick(" br ; q=0.9 ,gzip;q=1") == Coding::Gzip);                 // OWS around members and ';'
}

TEST_CASE("Accept-Encoding: members that do not parse accept nothing") {
  CHECK(pick("br;q=2") == Coding::Identity);       // out of range
  CHECK(pick("br;q=1.5") == Coding::Identity);
  CHECK(pick("br;q=0.0001") == Coding::Identity);  // four decimals
  CHECK(pick("br;q=") == Coding::Identity);
  CHECK(pick("br;q=.5") == Coding::Identity);
  CHECK(pick("br;level=1") == Coding::Identity);   // no such parameter
  CHECK(pick("b r") == Coding::Identity);
  CHECK(pick("br\x01") == Coding::Identity);
  CHECK(pick(",,,br,,") == Coding::Br);            // empty members are skipped
  CHECK(pick("identity;q=x") == Coding::Identity); // a broken refusal is no refusal
}
