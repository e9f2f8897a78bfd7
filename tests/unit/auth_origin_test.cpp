// SPDX-License-Identifier: MIT
// The origin matrix of code-server's http.test.ts, plus the cases its
// weaknesses list, run through the real parser and check_origin().
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "auth/origin.h"
#include "parsed.h"
#include "ws/routes.h"

namespace {

int check(const std::string& headers, std::vector<std::string> trusted = {}) {
  Parsed r("GET /ws HTTP/1.1\r\n" + headers + "\r\n");
  auth::TrustedOrigins t(trusted.begin(), trusted.end());
  return auth::check_origin(&t, r.req());
}

}  // namespace

TEST_CASE("origin matrix") {
  CHECK(check("Host: localhost:8080\r\n") == 0);                                   // no Origin: not a browser
  CHECK(check("Host: localhost:8080\r\nOrigin: http://localhost:8080\r\n") == 0);
  CHECK(check("Host: LocalHost:8080\r\nOrigin: HTTP://localhost:8080\r\n") == 0);  // case-insensitive
  CHECK(check("Host: localhost:8080\r\nOrigin: http://localhost:8081\r\n") == 403); // port mismatch
  CHECK(check("Host: localhost\r\nOrigin: http://localhost:80\r\n") == 0);          // default port
  CHECK(check("Host: localhost\r\nOrigin: https://localhost:443\r\n") == 0);
  CHECK(check("Host: localhost:443\r\nOrigin: https://localhost\r\n") == 403);
  CHECK(check("Host: ide.example\r\nOrigin: https://evil.example\r\n") == 403);
  CHECK(check("Host: ide.example\r\nOrigin: https://ide.example.evil.example\r\n") == 403);
  CHECK(check("Host: ide.example\r\nOrigin: https://evil.example/ide.example\r\n") == 403);
  CHECK(check("Host: ide.example\r\nOrigin: null\r\n") == 403);                    // malformed
  CHECK(check("Host: ide.example\r\nOrigin:\r\n") == 403);
  CHECK(check("Host: ide.example\r\nOrigin: ide.example\r\n") == 403);
  CHECK(check("Host: ide.example\r\nOrigin: https://user@ide.example\r\n") == 403);
  CHECK(check("Host: ide.example\r\nOrigin: https://\r\n") == 403);
}

TEST_CASE("the host comes from Forwarded, else X-Forwarded-Host, else Host") {
  CHECK(check("Host: 127.0.0.1:8080\r\nForwarded: for=1.2.3.4;host=ide.example\r\nOrigin: https://ide.example\r\n") == 0);
  CHECK(check("Host: 127.0.0.1:8080\r\nForwarded: for=1.2.3.4, for=5.6.7.8;host=\"ide.example:8443\"\r\nOrigin: https://ide.example:8443\r\n") == 0);
  CHECK(check("Host: ide.example\r\nForwarded: host=proxy.example\r\nOrigin: https://ide.example\r\n") == 403);
  CHECK(check("Host: 127.0.0.1\r\nX-Forwarded-Host: ide.example, other.example\r\nOrigin: https://ide.example\r\n") == 0);
  CHECK(check("Host: 127.0.0.1\r\nX-Forwarded-Host: other.example, ide.example\r\nOrigin: https://ide.example\r\n") == 403);
  CHECK(check("Host: 127.0.0.1\r\nForwarded: for=1.2.3.4\r\nX-Forwarded-Host: ide.example\r\nOrigin: https://ide.example\r\n") == 0);
}

TEST_CASE("--trusted-origins: exact, *.domain and *") {
  CHECK(check("Host: a\r\nOrigin: https://b.example\r\n", {"b.example"}) == 0);
  CHECK(check("Host: a\r\nOrigin: https://b.example:8443\r\n", {"b.example"}) == 403);   // exact means with port
  CHECK(check("Host: a\r\nOrigin: https://b.example:8443\r\n", {"b.example:8443"}) == 0);
  CHECK(check("Host: a\r\nOrigin: https://x.b.example\r\n", {"*.b.example"}) == 0);
  CHECK(check("Host: a\r\nOrigin: https://b.example\r\n", {"*.b.example"}) == 0);
  CHECK(check("Host: a\r\nOrigin: https://xb.example\r\n", {"*.b.example"}) == 403);
  CHECK(check("Host: a\r\nOrigin: https://x.b.example:8443\r\n", {"*.b.example"}) == 403);
  CHECK(check("Host: a\r\nOrigin: https://anything\r\n", {"*"}) == 0);
  CHECK(check("Host: a\r\nOrigin: null\r\n", {"*"}) == 403);                             // still malformed
}

TEST_CASE("route table: first match, checks in order, a refusal stops the rest") {
  static int calls;
  calls = 0;
  auto deny = [](void* status, const http::Request&) { calls++; return *static_cast<int*>(status); };
  auto never = [](void*, const http::Request&) { calls += 100; return 0; };
  int s403 = 403, s0 = 0;
  ws::Table t;
  REQUIRE(t.add({"a", [](void*, const http::Request& r) { return r.path == "/a"; }, nullptr, {deny, deny}, {&s0, &s403},
                 nullptr, nullptr}));
  REQUIRE(t.add({"b", [](void*, const http::Request& r) { return r.path.substr(0, 2) == "/b"; }, nullptr,
                 {deny, never}, {&s403, nullptr}, nullptr, nullptr}));
  REQUIRE(t.add({"free", [](void*, const http::Request&) { return true; }, nullptr, {}, {}, nullptr, nullptr}));
  auto at = [](const char* path) {
    http::Request r;
    r.path = path;
    return r;
  };
  http::Request req;
  CHECK(std::string(t.find(at("/a"))->name) == "a");
  CHECK(std::string(t.find(at("/b/c"))->name) == "b");
  CHECK(std::string(t.find(at("/zzz"))->name) == "free");
  CHECK(ws::Table::admit(*t.find(at("/a")), req) == 403);
  CHECK(calls == 2);
  CHECK(ws::Table::admit(*t.find(at("/b")), req) == 403);
  CHECK(calls == 3);
  CHECK(ws::Table::admit(*t.find(at("/zzz")), req) == 0);
}
