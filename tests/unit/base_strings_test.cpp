// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include "base/strings.h"
#include "base/writer.h"

TEST_CASE("ieq, icontains, trim_ows, has_token") {
  CHECK(base::ieq("Content-Length", "content-length"));
  CHECK_FALSE(base::ieq("Host", "Hosts"));
  CHECK(base::icontains("text/plain, TEXT/HTML;q=0.9", "text/html"));
  CHECK_FALSE(base::icontains("application/json", "text/html"));
  CHECK(base::trim_ows(" \t a b \t") == "a b");
  CHECK(base::has_token("keep-alive, Upgrade", "upgrade"));
  CHECK(base::has_token("websocket", "WebSocket"));
  CHECK_FALSE(base::has_token("websocketx, h2c", "websocket"));
  CHECK_FALSE(base::has_token("", "websocket"));
}

TEST_CASE("parse_u64 takes plain decimal digits only") {
  uint64_t v = 0;
  CHECK(base::parse_u64("0", 10, &v));
  CHECK(v == 0);
  CHECK(base::parse_u64("010", 100, &v));
  CHECK(v == 10);
  CHECK(base::parse_u64("65535", 65535, &v));
  for (const char* bad : {"", "+1", "-1", "0x5", " 5", "5 ", "65536", "99999999999999999999999"}) {
    CHECK_MESSAGE(!base::parse_u64(bad, 65535, &v), bad);
  }
}

TEST_CASE("percent_decode refuses what could hide a byte") {
  char out[32];
  size_t n = 0;
  REQUIRE(base::percent_decode("a%20b%2Fc", out, sizeof out, &n));
  CHECK(std::string_view(out, n) == "a b/c");
  CHECK_FALSE(base::percent_decode("a%00b", out, sizeof out, &n));
  CHECK_FALSE(base::percent_decode("a%2", out, sizeof out, &n));
  CHECK_FALSE(base::percent_decode("a%zz", out, sizeof out, &n));
  CHECK_FALSE(base::percent_decode("%", out, sizeof out, &n));
  CHECK_FALSE(base::percent_decode("0123456789", out, 4, &n));
}

TEST_CASE("Writer escapes and stops at its end") {
  char buf[64];
  base::Writer w(buf, sizeof buf);
  w.put_html("<a href=\"x\">&'</a>");
  CHECK(w.view() == "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
  base::Writer j(buf, sizeof buf);
  j.put_json("a\"b\\c\n\x01");
  CHECK(j.view() == "a\\\"b\\\\c\\u000a\\u0001");
  base::Writer n(buf, sizeof buf);
  n.put_i64(-9223372036854775807LL - 1);
  CHECK(n.view() == "-9223372036854775808");
  base::Writer small(buf, 4);
  small.put("abc");
  CHECK(small.ok());
  small.put("de");
  CHECK_FALSE(small.ok());
  small.put("x");
  CHECK(small.view() == "abc");
}

TEST_CASE("strip_port") {
  CHECK(base::strip_port("1.2.3.4:5") == "1.2.3.4");
  CHECK(base::strip_port("[::1]:8080") == "::1");
  CHECK(base::strip_port("1.2.3.4") == "1.2.3.4");
  CHECK(base::strip_port("fe80::1") == "fe80::1");
  CHECK(base::strip_port("unix:") == "unix");
}

TEST_CASE("Writer::put_hex: lower case, no leading zeros, the whole range") {
  char buf[64];
  base::Writer w(buf, sizeof buf);
  w.put_hex(0);
  w.put(' ');
  w.put_hex(0xabc);
  w.put(' ');
  w.put_hex(UINT64_MAX);
  CHECK(w.view() == "0 abc ffffffffffffffff");
}
