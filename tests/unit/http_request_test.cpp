// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include "http/request.h"

TEST_CASE("relative_root follows code-server's relativeRoot") {
  char buf[64];
  CHECK(http::relative_root("/", buf, sizeof buf) == ".");
  CHECK(http::relative_root("/foo", buf, sizeof buf) == ".");
  CHECK(http::relative_root("/foo/", buf, sizeof buf) == "./..");
  CHECK(http::relative_root("/foo/bar/", buf, sizeof buf) == "./../..");
  CHECK(http::relative_root("/a/b/c", buf, sizeof buf) == "./../..");
}
