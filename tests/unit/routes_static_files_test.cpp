// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include "routes/assets.h"
#include "routes/files.h"
#include "routes/static_files.h"

TEST_CASE("file_name allows plain names and refuses every escape") {
  char buf[256];
  std::string_view name;
  CHECK(routes::file_name("portico.css", buf, sizeof buf, &name) == 0);
  CHECK(name == "portico.css");
  CHECK(routes::file_name("a/b%20c.css", buf, sizeof buf, &name) == 0);
  CHECK(name == "a/b c.css");
  struct Probe {
    const char* raw;
    int status;
  };
  for (Probe p : {Probe{"../x", 400}, {"a/../x", 400}, {"%2e%2e/x", 400}, {".%2e/x", 400}, {"..", 400},
                  {"./x", 400}, {"a%2fb", 400}, {"a%2Fb", 400}, {"..%5cx", 400}, {"a%00", 400},
                  {"%c0%ae%c0%ae/x", 400}, {"%ff", 400}, {"%e2%82", 400}, {"%ed%a0%80", 400},
                  {"caf%c3%a9.css", 0}, {"", 404}, {"a//b", 404}, {".hidden", 404}, {"a\\b", 404},
                  {"%252e%252e/x", 0}, {"a/", 404}}) {
    CAPTURE(p.raw);
    int got = routes::file_name(p.raw, buf, sizeof buf, &name);
    CHECK(got == p.status);
  }
}

TEST_CASE("embedded assets and their types") {
  REQUIRE(routes::find_asset("error.html") != nullptr);
  CHECK(routes::find_asset("error.html")->data.find("{{MESSAGE}}") != std::string_view::npos);
  CHECK(routes::find_asset("robots.txt")->data == "User-Agent: *\nDisallow: /\n");
  CHECK(routes::find_asset("nope") == nullptr);
  CHECK(routes::content_type("a.css") == "text/css; charset=utf-8");
  CHECK(routes::content_type("a.html") == "text/html; charset=utf-8");
  CHECK(routes::content_type("css") == "application/octet-stream");
}
