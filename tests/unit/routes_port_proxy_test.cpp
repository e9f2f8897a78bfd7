// SPDX-License-Identifier: MIT
// Which requests the port proxies take, and where they send them: ports,
// domain templates, prefixes; through the real parser.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "parsed.h"
#include "routes/port_proxy.h"

namespace {

struct Resolved {
  routes::PortRoute r;
  std::string strip, prefix;
};

Resolved resolve(const std::string& target, const std::string& headers, std::vector<std::string> domains = {}) {
  Parsed parsed("GET " + target + " HTTP/1.1\r\n" + headers + "\r\n");
  const http::Request& req = parsed.req();
  routes::PortProxy pp;
  pp.abs_base = "/base";
  pp.domains = &domains;
  Resolved out;
  out.r = routes::resolve(pp, req);
  out.strip = std::string(out.r.strip);
  out.prefix = std::string(out.r.prefix);
  return out;
}

using Kind = routes::PortRoute::Kind;

}  // namespace

TEST_CASE("ports: decimal 1 to 65535, nothing else") {
  uint16_t p = 0;
  CHECK((routes::parse_port("1", &p) && p == 1));
  CHECK((routes::parse_port("65535", &p) && p == 65535));
  CHECK((routes::parse_port("8080", &p) && p == 8080));
  for (const char* bad : {"", "0", "65536", "-1", "+80", "80abc", "080", " 80", "99999", "123456", "0x50", "8.0"}) {
    CHECK_MESSAGE(!routes::parse_port(bad, &p), bad);
  }
}

TEST_CASE("domain templates") {
  uint16_t p = 0;
  CHECK((routes::match_domain("{{port}}.example.com", "3000.example.com", &p) && p == 3000));
  CHECK(!routes::match_domain("{{port}}.example.com", "example.com", &p));
  CHECK(!routes::match_domain("{{port}}.example.com", "3000.example.com.evil", &p));
  CHECK(!routes::match_domain("{{port}}.example.com", "x3000.example.com", &p));
  CHECK(!routes::match_domain("{{port}}.example.com", "70000.example.com", &p));
  CHECK(!routes::match_domain("{{port}}.example.com", "0.example.com", &p));
  CHECK((routes::match_domain("{{port}}-{{host}}", "8888-box.lan", &p) && p == 8888));
  CHECK((routes::match_domain("{{host}}.p{{port}}.lan", "a.b.p5173.lan", &p) && p == 5173));
  CHECK(!routes::match_domain("{{port}}-{{host}}", "8888-", &p));
  CHECK(!routes::match_domain("{{nope}}.x", "1.x", &p));
}

TEST_CASE("resolve: path proxies") {
  Resolved r = resolve("/proxy/3000/a/b?q=1", "Host: ide\r\n");
  CHECK((r.r.kind == Kind::Path && r.r.port == 3000 && r.strip == "/proxy/3000" && r.prefix.empty()));
  r = resolve("/proxy/3000", "Host: ide\r\n");
  CHECK((r.r.kind == Kind::Path && r.r.port == 3000 && r.strip == "/proxy/3000"));
  r = resolve("/absproxy/8888/lab?x", "Host: ide\r\n");
  CHECK((r.r.kind == Kind::AbsPath && r.r.port == 8888 && r.strip.empty() && r.prefix == "/base"));
  for (const char* bad : {"/proxy/80abc/", "/proxy/0/", "/proxy/65536", "/proxy/-1/x", "/proxy/", "/absproxy//x"}) {
    r = resolve(bad, "Host: ide\r\n");
    CHECK_MESSAGE((r.r.kind != Kind::None && r.r.port == 0), bad);
  }
  CHECK(resolve("/proxy", "Host: ide\r\n").r.kind == Kind::None);
  CHECK(resolve("/proxyx/3000", "Host: ide\r\n").r.kind == Kind::None);
  CHECK(resolve("/", "Host: ide\r\n").r.kind == Kind::None);
  // Absolute-form targets resolve by their path.
  r = resolve("http://ide/proxy/3000/x", "Host: ide\r\n");
  CHECK((r.r.kind == Kind::Path && r.r.port == 3000));
}

TEST_CASE("resolve: proxy domains, from Forwarded, X-Forwarded-Host or Host, any external port") {
  std::vector<std::string> d{"{{port}}.ide.example"};
  CHECK(resolve("/x", "Host: 3000.ide.example\r\n", d).r.port == 3000);
  CHECK(resolve("/x", "Host: 3000.IDE.example:8443\r\n", d).r.port == 3000);  // code-server misses this one
  CHECK(resolve("/x", "Host: ide.example\r\nX-Forwarded-Host: 5000.ide.example\r\n", d).r.port == 5000);
  CHECK(resolve("/x", "Host: ide.example\r\nForwarded: for=1.2.3.4;host=6000.ide.example\r\n", d).r.port == 6000);
  Resolved r = resolve("/proxy/7000/", "Host: 3000.ide.example\r\n", d);
  CHECK((r.r.kind == Kind::Domain && r.r.port == 3000 && r.strip.empty()));  // the domain takes every path
  CHECK(resolve("/x", "Host: ide.example\r\n", d).r.kind == Kind::None);
  CHECK(resolve("/x", "Host: 3000.ide.example.evil\r\n", d).r.kind == Kind::None);
}
