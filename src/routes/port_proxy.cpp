// SPDX-License-Identifier: MIT
#include "routes/port_proxy.h"

#include <algorithm>

#include "auth/origin.h"
#include "base/writer.h"
#include "routes/form.h"

namespace routes {
namespace {

constexpr std::string_view kPort = "{{port}}", kHost = "{{host}}";

// The login page, relative to this request, with ?to= bringing the user back
// to the same path and query.
Outcome to_login(Exchange& ex) {
  char to[4096], loc[8192];
  base::Writer w(to, sizeof to);
  w.put("login?to=");
  for (char ch : ex.req.origin_form()) {
    bool plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
                 ch == '.' || ch == '_' || ch == '~' || ch == '/';
    if (plain) w.put(ch);
    else put_percent(w, ch);
  }
  size_t n = w.ok() ? relative_location(ex.req.path, w.view(), loc, sizeof loc) : 0;
  return redirect(ex, n > 0 ? std::string_view(loc, n) : std::string_view("./login"));
}

}  // namespace

bool parse_port(std::string_view s, uint16_t* port) {
  if (s.empty() || s.size() > 5 || s.front() == '0') return false;
  uint32_t v = 0;
  for (char ch : s) {
    if (ch < '0' || ch > '9') return false;
    v = v * 10 + static_cast<uint32_t>(ch - '0');
  }
  if (v > 65535) return false;
  *port = static_cast<uint16_t>(v);
  return true;
}

bool match_domain(std::string_view t, std::string_view h, uint16_t* port) {
  if (t.empty()) return h.empty();
  if (t.substr(0, kPort.size()) == kPort) {
    for (size_t n = 1; n <= 5 && n <= h.size(); n++) {
      uint16_t p;
      if (parse_port(h.substr(0, n), &p) && match_domain(t.substr(kPort.size()), h.substr(n), port)) {
        *port = p;
        return true;
      }
    }
    return false;
  }
  if (t.substr(0, kHost.size()) == kHost) {
    for (size_t n = 1; n <= h.size(); n++) {
      if (match_domain(t.substr(kHost.size()), h.substr(n), port)) return true;
    }
    return false;
  }
  // Literal text: iterate rather than recurse, so the depth is the number of
  // placeholders, not the length of the host.
  size_t lit = std::min(t.find("{{"), t.size());
  if (lit == 0 || h.substr(0, lit) != t.substr(0, lit)) return false;  // 0: not a placeholder we know
  if (lit == t.size()) return h.size() == lit;
  return match_domain(t.substr(lit), h.substr(lit), port);
}

PortRoute resolve(const PortProxy& p, const http::Request& req) {
  PortRoute r;
  char buf[256];
  std::string_view host;
  if (p.domains != nullptr && !p.domains->empty() && auth::request_hostname(req, buf, &host)) {
    for (const std::string& t : *p.domains) {
      if (match_domain(t, host, &r.port)) {
        r.kind = PortRoute::Kind::Domain;
        return r;
      }
    }
  }
  std::string_view path = req.path;
  bool abs = path.substr(0, 10) == "/absproxy/";
  if (!abs && path.substr(0, 7) != "/proxy/") return r;
  size_t from = abs ? 10 : 7, end = std::min(path.find('/', from), path.size());
  r.kind = abs ? PortRoute::Kind::AbsPath : PortRoute::Kind::Path;
  if (!parse_port(path.substr(from, end - from), &r.port)) r.port = 0;
  if (abs) r.prefix = p.abs_base;
  else r.strip = path.substr(0, end);
  return r;
}

PortDecision decide(const PortProxy& p, const http::Request& req) {
  PortRoute r = resolve(p, req);
  PortDecision d;
  d.kind = r.kind;
  if (r.kind == PortRoute::Kind::None) return d;
  if (!p.enabled) {
    d.status = 403;
    d.message = "Forbidden: the port proxy is turned off (--disable-proxy)";
  } else if (r.port == 0) {
    d.status = 400;
    d.message = "Invalid port: expected a number from 1 to 65535";
  } else if (r.port == p.self_port) {
    d.status = 403;
    d.message = "Forbidden: that port is portico itself";
  }
  if (d.status != 0) return d;
  d.forward.port = r.port;
  d.forward.rules.session_cookie = p.login->cookie;
  d.forward.rules.strip_prefix = r.strip;
  d.forward.rules.add_prefix = r.prefix;
  // "/proxy/3000" goes back in front of the app's own "/..." redirects.
  d.forward.rules.location_prefix = r.strip;
  return d;
}

Outcome port_proxy(const PortProxy& p, Exchange& ex) {
  PortDecision d = decide(p, ex.req);
  if (d.kind == PortRoute::Kind::None) return Outcome::Next;
  if (d.status != 0) return fail(ex, d.status, d.message);
  std::string_view path = ex.req.path;
  // A CORS preflight has no body.  One with a body is no preflight: an app
  // that does not read bodies on OPTIONS would take it for a request of its
  // own, which nobody logged in for.
  bool preflight = p.skip_preflight && ex.req.method == "OPTIONS" && !ex.req.head->has_body;
  if (!preflight && !p.login->authenticated(ex.req)) {
    bool page = ex.req.method == "GET" || ex.req.method == "HEAD";
    if (d.kind == PortRoute::Kind::Domain) {
      // The app's host has its own login page and its assets.
      if (path == "/login" || path == "/logout" || path.substr(0, 9) == "/_static/") return Outcome::Next;
      if (page && ex.req.wants_html()) return to_login(ex);
    } else {
      // The app's root, as code-server: "/proxy/3000" and "/proxy/3000/".
      size_t root = path.find('/', d.kind == PortRoute::Kind::Path ? 7 : 10);
      if (page && (root == std::string_view::npos || root + 1 == path.size())) return to_login(ex);
    }
    return fail(ex, 401, "Unauthorized");
  }
  ex.forward = d.forward;
  return Outcome::Forward;
}

bool PortProxy::route(const http::Request& req, Upgrade* up) const {
  PortDecision d = decide(*this, req);
  if (d.kind == PortRoute::Kind::None) return false;
  up->to = d.status != 0 ? Upgrade::To::Refused : Upgrade::To::Backend;
  up->status = d.status;
  up->forward = d.forward;
  return true;
}

}  // namespace routes
