// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <string>

#include "ws/utf8.h"

namespace {
bool valid_whole(const std::string& s) {
  ws::Utf8 u;
  return u.feed(reinterpret_cast<const uint8_t*>(s.data()), s.size()) && u.complete();
}
// Feeds byte by byte; returns the index of the byte that failed, or -1.
int fails_at(const std::string& s) {
  ws::Utf8 u;
  for (size_t i = 0; i < s.size(); i++) {
    if (!u.feed(reinterpret_cast<const uint8_t*>(&s[i]), 1)) return static_cast<int>(i);
  }
  return -1;
}
}  // namespace

TEST_CASE("valid UTF-8, whole and split anywhere") {
  for (std::string s : {std::string(""), std::string("hello"), std::string("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"),
                        std::string("\xf0\x9f\x98\x80"), std::string("\xef\xbf\xbf"), std::string("\xf4\x8f\xbf\xbf"),
                        std::string("\x7f"), std::string("\xc2\x80"), std::string("\xed\x9f\xbf")}) {
    CAPTURE(s);
    CHECK(valid_whole(s));
    CHECK(fails_at(s) == -1);
  }
}

TEST_CASE("invalid UTF-8 fails at the first byte that proves it") {
  struct Case {
    std::string s;
    int at;
  };
  for (const Case& c : {Case{"\x80", 0}, Case{"\xbf", 0}, Case{"\xc0\xaf", 0}, Case{"\xc1\xbf", 0},
                        Case{"\xe0\x80\xaf", 1}, Case{"\xed\xa0\x80", 1}, Case{"\xf0\x8f\xbf\xbf", 1},
                        Case{"\xf4\x90\x80\x80", 1}, Case{"\xf5", 0}, Case{"\xff", 0}, Case{"a\xce\xba\xe1\xbd", -1},
                        Case{"\xce\xbaX", -1}, Case{"\xe1\xbdX", 2}}) {
    CAPTURE(c.s);
    CHECK(fails_at(c.s) == c.at);
  }
  CHECK_FALSE(valid_whole("\xce"));           // ends inside a code point
  CHECK_FALSE(valid_whole("\xce\xba\xe1\xbd"));
}
