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

TEST_CASE("the query kept across a redirect, as code-server's redirect keeps it") {
  auto kept = [](std::string_view q, std::initializer_list<std::string_view> drop) {
    char out[256];
    base::Writer w(out, sizeof out);
    w.put("./login");
    routes::put_query(w, q, drop);
    return std::string(w.view());
  };
  CHECK(kept("folder=/tmp/x&to=/vscode", {"to"}) == "./login?folder=/tmp/x");
  CHECK(kept("to=/a&folder=/b&to=/c", {"to"}) == "./login?folder=/b");
  CHECK(kept("to=/a", {"to"}) == "./login");
  CHECK(kept("a=1&&b=2", {}) == "./login?a=1&b=2");
  CHECK(kept("tox=1&to=2", {"to"}) == "./login?tox=1");
  CHECK(kept("a=b c\r\nX: y", {}) == "./login?a=b+c++X:+y");   // nothing that ends a header line
  CHECK(kept("to=/x&base=.&href=http://h/&k=1", {"to", "base", "href"}) == "./login?k=1");
  CHECK(kept("%74o=/evil&b%61se=.&k=1", {"to", "base"}) == "./login?k=1");   // names as qs decodes them
}

TEST_CASE("JSON members: keys decoded, values raw, nesting skipped, the whole text checked") {
  routes::JsonMembers m(R"({"query":{"folder":"/x","n":[1,{"a":"}"}]}, "update" : {"checked":1,"version":"4.1"},"k\u0041":null})");
  std::string_view key, raw;
  REQUIRE(m.next(&key, &raw));
  CHECK(key == "query");
  CHECK(raw == R"({"folder":"/x","n":[1,{"a":"}"}]})");
  REQUIRE(m.next(&key, &raw));
  CHECK(key == "update");
  CHECK(raw == R"({"checked":1,"version":"4.1"})");
  REQUIRE(m.next(&key, &raw));
  CHECK(key == "kA");
  CHECK(raw == "null");
  CHECK(!m.next(&key, &raw));
  CHECK(m.ok());
  for (const char* bad : {"", "[]", "{", R"({"a":1)", R"({"a":1} x)", R"({"a":})", R"({"a":[1,2})", "{\"a\":\"\x01\"}"}) {
    routes::JsonMembers b(bad);
    CAPTURE(bad);
    while (b.next(&key, &raw)) {
    }
    CHECK(!b.ok());
  }
  routes::JsonMembers empty("{}");
  CHECK(!empty.next(&key, &raw));
  CHECK(empty.ok());
  std::string deep = "{\"a\":" + std::string(40, '[') + std::string(40, ']') + "}";
  routes::JsonMembers d(deep);   // it points into the text: the text must outlive it
  CHECK(!d.next(&key, &raw));   // deeper than 32: refused, not recursed into
}
