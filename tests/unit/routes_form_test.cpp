// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <string>

#include "routes/form.h"

namespace {
std::string form(const char* body, const char* key) {
  char out[128];
  size_t n;
  return routes::form_value(body, key, out, sizeof out, &n) ? std::string(out, n) : "<none>";
}
std::string json(const char* body, const char* key) {
  char out[128];
  size_t n;
  return routes::json_value(body, key, out, sizeof out, &n) ? std::string(out, n) : "<none>";
}
std::string loc(const char* path, const char* to) {
  char out[256];
  size_t n = routes::relative_location(path, to, out, sizeof out);
  return std::string(out, n);
}
std::string cpath(const char* base, const char* href) {
  char out[256];
  size_t n = routes::cookie_path(base, href, out, sizeof out);
  return std::string(out, n);
}
}  // namespace

TEST_CASE("urlencoded forms") {
  CHECK(form("password=a%20b+c&base=.", "password") == "a b c");
  CHECK(form("base=.&password=", "password") == "");
  CHECK(form("passwordx=1&password=2", "password") == "2");
  CHECK(form("base=.", "password") == "<none>");
  CHECK(form("password=%zz", "password") == "<none>");
  CHECK(form("p%61ssword=x", "password") == "x");
}

TEST_CASE("JSON bodies") {
  CHECK(json(R"({"password":"s3cret","base":"."})", "password") == "s3cret");
  CHECK(json(R"( { "base" : "." , "n": 1, "ok": true, "password" : "a\"b\\c\u00e9\ud83d\ude00" } )", "password") ==
        "a\"b\\c\xc3\xa9\xf0\x9f\x98\x80");
  CHECK(json(R"({"password":1})", "password") == "<none>");
  CHECK(json(R"({"password":"x"} trailing)", "password") == "<none>");
  CHECK(json(R"({"nested":{"password":"x"}})", "password") == "<none>");
  CHECK(json(R"({"password":"\ud800"})", "password") == "<none>");
  CHECK(json(R"({"password":"a)", "password") == "<none>");
  CHECK(json("[]", "password") == "<none>");
  CHECK(json("{}", "password") == "<none>");
}

TEST_CASE("cookies") {
  std::string_view v;
  REQUIRE(routes::cookie_value("a=1; code-server-session=tok; b=2", "code-server-session", &v));
  CHECK(v == "tok");
  CHECK_FALSE(routes::cookie_value("xcode-server-session=tok", "code-server-session", &v));
  CHECK_FALSE(routes::cookie_value("code-server-session-x=tok", "code-server-session", &v));
  REQUIRE(routes::cookie_value("code-server-session=\"q\"", "code-server-session", &v));
  CHECK(v == "q");
}

TEST_CASE("redirects can never leave the site (code-server's cases and more)") {
  CHECK(loc("/login", "/") == "./");
  CHECK(loc("/login", "") == "./");
  CHECK(loc("/login", "/vscode/?folder=/home") == "./vscode/?folder=/home");
  CHECK(loc("/login", "//evil.com") == "./evil.com");
  CHECK(loc("/login", "///evil.com") == "./evil.com");
  CHECK(loc("/login", "https://evil.com") == "./https:/evil.com");
  CHECK(loc("/login", "\\\\evil.com") == "./evil.com");
  CHECK(loc("/login", "/\\evil.com") == "./evil.com");
  CHECK(loc("/a/b/login", "/proxy/8080/") == "./../../proxy/8080/");
  CHECK(loc("/login", "/x\r\nSet-Cookie: a=b") == "./x%0D%0ASet-Cookie:%20a=b");
  CHECK(loc("/login", "/x\"<>") == "./x%22%3C%3E");
}

TEST_CASE("cookie path from base and href, as new URL(base, href).pathname") {
  CHECK(cpath(".", "http://h/login") == "/");
  CHECK(cpath(".", "http://h/a/login") == "/a/");
  CHECK(cpath("./..", "http://h/a/b/login?to=/x") == "/a/");
  CHECK(cpath("../..", "http://h/a/b/c/login") == "/a/");
  CHECK(cpath("./../../..", "http://h/login") == "/");
  CHECK(cpath("x", "http://h/a/login") == "/a/x");
  CHECK(cpath(".", "") == "/");
  CHECK(cpath("", "http://h/a/login") == "/");
  CHECK(cpath(".", "http://h/a;b/login") == "/");
  CHECK(cpath(".", "not a url") == "/");
}
