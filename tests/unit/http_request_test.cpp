// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include "http/request.h"
#include "parsed.h"

#include <string>

TEST_CASE("relative_root follows code-server's relativeRoot") {
  char buf[64];
  CHECK(http::relative_root("/", buf, sizeof buf) == ".");
  CHECK(http::relative_root("/foo", buf, sizeof buf) == ".");
  CHECK(http::relative_root("/foo/", buf, sizeof buf) == "./..");
  CHECK(http::relative_root("/foo/bar/", buf, sizeof buf) == "./../..");
  CHECK(http::relative_root("/a/b/c", buf, sizeof buf) == "./../..");
}

// origin_form() is what the proxy forwards and what a login 'to' names; it
// was once computed by pointer arithmetic between the target and a literal
// "/" (issue 11, #1: a crash on "GET http://host HTTP/1.1").
TEST_CASE("origin_form of every target form") {
  struct {
    const char* target;
    const char* origin;
  } cases[] = {
      {"/a?x=1", "/a?x=1"},
      {"http://h", "/"},
      {"http://h/", "/"},
      {"HTTP://h/a/b?c", "/a/b?c"},
      {"https://h/x", "/x"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.target);
    Parsed p(std::string("GET ") + c.target + " HTTP/1.1\r\nHost: h\r\n\r\n");
    CHECK(p.req().origin_form() == c.origin);
    CHECK(p.req().target == c.target);
  }
  Parsed star("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n");
  CHECK(star.req().origin_form() == "*");
}

TEST_CASE("a fragment is neither routed on nor passed on") {
  Parsed p("GET /a/b?x=1#frag HTTP/1.1\r\nHost: h\r\n\r\n");
  CHECK(p.req().path == "/a/b");
  CHECK(p.req().query == "x=1");
  CHECK(p.req().origin_form() == "/a/b?x=1");
  Parsed q("GET /a#x?y HTTP/1.1\r\nHost: h\r\n\r\n");
  CHECK(q.req().path == "/a");
  CHECK(q.req().query.empty());
}
