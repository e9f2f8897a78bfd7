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
#include "routes/ws_table.h"

namespace routes {

struct PortRoute;

// The port proxy's settings; also its WebSocket route (the policy, origin
// and session, is the table's).
struct PortProxy final : WsRoute {
  bool enabled = true;                               // false: --disable-proxy, 403 everywhere
  bool skip_preflight = false;                       // --skip-auth-preflight
  std::string_view abs_base;                         // --abs-proxy-base-path: "" or "/a/b"
  const std::vector<std::string>* domains = nullptr; // normalised --proxy-domain templates
  const Login* login = nullptr;
  // portico's own port on 127.0.0.1, or 0: refused (403), since proxying to
  // itself only nests hops until the connections run out.
  uint16_t self_port = 0;

  bool route(const http::Request& req, Upgrade* up) const override;
};

// Which app a request names, if any: what the Host or the path says.
struct PortRoute {
  enum class Kind : unsigned char { None, Domain, Path, AbsPath } kind = Kind::None;
  uint16_t port = 0;         // 0: the path names no valid port (400)
  std::string_view strip;    // Path: "/proxy/<port>", which the app does not see
  std::string_view prefix;   // AbsPath: what goes in front of the path
};
PortRoute resolve(const PortProxy& p, const http::Request& req);

// The one decision for the box's apps, made alike for an ordinary request,
// an upgrade and its tunnel: not an app's (Kind::None), refused (`status`
// and `message`: the proxy is off or the port is portico's own, 403; no
// valid port, 400), or forwarded (`forward`: the port and the path rules).
// Whether the client may go there at all (login, origin) comes after.
struct PortDecision {
  PortRoute::Kind kind = PortRoute::Kind::None;
  int status = 0;
  std::string_view message;
  Forward forward;
};
PortDecision decide(const PortProxy& p, const http::Request& req);

// A decimal port, 1 to 65535, without sign, spaces or leading zeros.
bool parse_port(std::string_view s, uint16_t* port);
// `host` (lower-case, no port) against a template: literal text, one
// "{{port}}" and at most one "{{host}}" (one or more characters), anchored.
bool match_domain(std::string_view tmpl, std::string_view host, uint16_t* port);

// Middleware: forwards an app's request (decide()), or answers with the
// decision's refusal, a 302 to the login page (a page, or the root of a
// path proxy) or 401 (anything else without a session).
Outcome port_proxy(const PortProxy& p, Exchange& ex);

}  // namespace routes
