// SPDX-License-Identifier: MIT
// The origin matrix of code-server's http.test.ts, plus the cases its
// weaknesses list, run through the real parser and origin_allowed(); then
// the WebSocket route table that applies it.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "auth/origin.h"
#include "parsed.h"
#include "routes/login.h"
#include "routes/ws_table.h"

namespace {

int check(const std::string& headers, std::vector<std::string> trusted = {}) {
  Parsed r("GET /ws HTTP/1.1\r\n" + headers + "\r\n");
  auth::TrustedOrigins t(trusted.begin(), trusted.end());
  return auth::origin_allowed(t, r.req()) ? 0 : 403;
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

namespace {

// Takes the paths that start with `prefix`, refusing them with `own` (0: on
// to the policy); counts how often it was asked.
struct TestRoute final : routes::WsRoute {
  TestRoute(const char* p, int s) : prefix(p), own(s) {}
  bool route(const http::Request& req, routes::Upgrade* up) const override {
    asked++;
    if (req.path.substr(0, prefix.size()) != prefix) return false;
    up->to = own != 0 ? routes::Upgrade::To::Refused : routes::Upgrade::To::Backend;
    up->status = own;
    up->forward.port = static_cast<uint16_t>(prefix.size());
    return true;
  }
  std::string_view prefix;
  int own;
  mutable int asked = 0;
};

}  // namespace

TEST_CASE("route table: first match, its own refusal, then origin before session") {
  routes::Login login;  // enabled, and no session store: no cookie is a session
  login.cookie = "code-server-session";
  auth::TrustedOrigins none;
  TestRoute a("/a", 0), b("/b", 400), all("/", 0);
  routes::WsTable t;
  REQUIRE(t.add("a", a, routes::Policy{&none, &login}));
  REQUIRE(t.add("b", b, routes::Policy{&none, &login}));
  REQUIRE(t.add("all", all, routes::Policy{}));
  auto decide = [&](const char* path, const std::string& headers) {
    Parsed r(std::string("GET ") + path + " HTTP/1.1\r\nHost: box:8080\r\n" + headers + "\r\n");
    return t.decide(r.req());
  };
  // The first route that takes the path, not a later one.
  routes::Upgrade up = decide("/zzz", "");
  CHECK(up.to == routes::Upgrade::To::Backend);
  CHECK(up.forward.port == 1);
  CHECK(a.asked == 1);
  CHECK(b.asked == 1);
  // Origin before session: a foreign page without a session is a 403.
  CHECK(decide("/a", "Origin: http://evil.example\r\n").status == 403);
  CHECK(decide("/a", "Origin: http://box:8080\r\n").status == 401);
  CHECK(decide("/a", "").status == 401);
  CHECK(b.asked == 1);  // "a" took those: nothing after it was asked
  // A route's own refusal stands, whatever the policy would have said.
  CHECK(decide("/b", "Origin: http://evil.example\r\n").status == 400);
  // No route at all.
  routes::WsTable empty;
  Parsed r("GET / HTTP/1.1\r\nHost: box\r\n\r\n");
  routes::Upgrade none_up = empty.decide(r.req());
  CHECK(none_up.to == routes::Upgrade::To::Refused);
  CHECK(none_up.status == 404);
}
