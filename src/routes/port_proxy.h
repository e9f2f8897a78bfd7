// SPDX-License-Identifier: MIT
// port_proxy — the box's own web apps behind the login (code-server's path
// and domain proxies):
//   /proxy/<port>/…     the app sees the path without "/proxy/<port>", and a
//                       Location it answers with that starts with "/" gets
//                       the prefix back;
//   /absproxy/<port>/…  the app sees the whole path, --abs-proxy-base-path in
//                       front;
//   a --proxy-domain host ("3000.example.com"): the app sees the whole path.
// The target is always 127.0.0.1:<port> (then [::1]:<port>, see
// proxy::Target): nothing here reaches another host.
// Unlike code-server, a port on the Host ("3000.example.com:8443") does not
// stop a domain from matching, and ports are strictly 1 to 65535.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "routes/chain.h"
#include "routes/login.h"

namespace routes {

constexpr int kToPort = 2;  // Exchange::divert

struct PortProxy {
  bool enabled = true;                               // false: --disable-proxy, 403 everywhere
  bool skip_preflight = false;                       // --skip-auth-preflight
  std::string_view abs_base;                         // --abs-proxy-base-path: "" or "/a/b"
  const std::vector<std::string>* domains = nullptr; // normalised --proxy-domain templates
  const Login* login = nullptr;
  // portico's own port on 127.0.0.1, or 0: refused (403), since proxying to
  // itself only nests hops until the connections run out.
  uint16_t self_port = 0;
};

// Where a request goes, if it is for an app at all.
struct PortRoute {
  enum class Kind : unsigned char { None, Domain, Path, AbsPath } kind = Kind::None;
  uint16_t port = 0;         // 0: the path names no valid port (400)
  std::string_view strip;    // Path: "/proxy/<port>", which the app does not see
  std::string_view prefix;   // AbsPath: what goes in front of the path
};
PortRoute resolve(const PortProxy& p, const http::Request& req);

// A decimal port, 1 to 65535, without sign, spaces or leading zeros.
bool parse_port(std::string_view s, uint16_t* port);
// `host` (lower-case, no port) against a template: literal text, one
// "{{port}}" and at most one "{{host}}" (one or more characters), anchored.
bool match_domain(std::string_view tmpl, std::string_view host, uint16_t* port);

// Middleware: diverts an app's request (ex.divert = kToPort), or answers 400
// (bad port), 403 (disabled, or portico's own port), 302 to the login page (a page, or the root of
// a path proxy) or 401 (anything else without a session).
Outcome port_proxy(void* ctx, Exchange& ex);

// The WebSocket route: match, then this first check (403 disabled or
// portico's own port, 400 bad port) before the origin and session checks.  `ctx` is the PortProxy.
bool is_port_proxy(void* ctx, const http::Request& req);
int check_port_proxy(void* ctx, const http::Request& req);

}  // namespace routes
