// SPDX-License-Identifier: MIT
#include "auth/origin.h"

#include "base/log.h"
#include "base/strings.h"

namespace auth {
namespace {

constexpr size_t kMaxHost = 256;

bool lower_into(std::string_view in, char* out, std::string_view* host) {
  if (in.empty() || in.size() > kMaxHost) return false;
  for (size_t i = 0; i < in.size(); i++) {
    char c = in[i];
    if (c <= ' ' || c == '@' || c == '/' || c == '\\' || c == 0x7f) return false;
    out[i] = base::ascii_lower(c);
  }
  *host = std::string_view(out, in.size());
  return true;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// RFC 7239: "Forwarded: for=1.2.3.4;host=example.com, for=…" — the first
// host= of any element, its quotes removed.
std::string_view forwarded_host(std::string_view v) {
  while (!v.empty()) {
    size_t cut = v.find_first_of(",;");
    std::string_view pair = base::trim_ows(v.substr(0, cut));
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos && base::ieq(base::trim_ows(pair.substr(0, eq)), "host")) {
      std::string_view h = base::trim_ows(pair.substr(eq + 1));
      if (h.size() >= 2 && h.front() == '"' && h.back() == '"') h = h.substr(1, h.size() - 2);
      return h;
    }
    if (cut == std::string_view::npos) break;
    v.remove_prefix(cut + 1);
  }
  return {};
}

bool trusted_match(const TrustedOrigins& list, std::string_view host) {
  for (const std::string& t : list) {
    if (t == "*") return true;
    if (t.size() > 2 && t[0] == '*' && t[1] == '.') {
      std::string_view domain = std::string_view(t).substr(2);
      if (base::ieq(host, domain) || (host.size() > domain.size() + 1 && ends_with(host, domain) &&
                                      host[host.size() - domain.size() - 1] == '.')) {
        return true;
      }
    } else if (base::ieq(host, t)) {
      return true;
    }
  }
  return false;
}

}  // namespace

bool origin_host(std::string_view origin, char* out, std::string_view* host) {
  size_t sep = origin.find("://");
  if (sep == std::string_view::npos || sep == 0) return false;
  std::string_view scheme = origin.substr(0, sep);
  for (char c : scheme) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
  }
  std::string_view rest = origin.substr(sep + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (!lower_into(authority, out, host)) return false;
  // The URL parser code-server relies on drops a scheme's default port.
  if (base::ieq(scheme, "http") && ends_with(*host, ":80")) host->remove_suffix(3);
  if (base::ieq(scheme, "https") && ends_with(*host, ":443")) host->remove_suffix(4);
  return !host->empty() && host->front() != ':';
}

bool request_host(const http::Request& req, char* out, std::string_view* host) {
  std::string_view h = forwarded_host(req.header("forwarded"));
  if (h.empty()) {
    std::string_view xfh = req.header("x-forwarded-host");
    h = base::trim_ows(xfh.substr(0, xfh.find(',')));
  }
  if (h.empty()) h = req.host();
  return lower_into(base::trim_ows(h), out, host);
}

bool origin_allowed(const TrustedOrigins& trusted, const http::Request& req) {
  std::string_view origin;
  if (!req.find("origin", &origin)) return true;  // not a browser
  char obuf[kMaxHost], hbuf[kMaxHost];
  std::string_view ohost, rhost;
  if (!origin_host(origin, obuf, &ohost)) {
    base::logf(base::Level::Debug, "origin check: malformed Origin \"%.*s\"", static_cast<int>(origin.size()), origin.data());
    return false;
  }
  if (trusted_match(trusted, ohost)) return true;
  if (!request_host(req, hbuf, &rhost)) {
    base::logf(base::Level::Warn, "origin check: no host in the request; is a reverse proxy dropping it?");
    return false;
  }
  if (rhost == ohost) return true;
  base::logf(base::Level::Debug, "origin check: host \"%.*s\" does not match origin \"%.*s\"",
             static_cast<int>(rhost.size()), rhost.data(), static_cast<int>(ohost.size()), ohost.data());
  return false;
}

bool request_hostname(const http::Request& req, char* out, std::string_view* name) {
  if (!request_host(req, out, name)) return false;
  size_t colon = name->rfind(':');
  if (colon != std::string_view::npos && name->front() != '[') *name = name->substr(0, colon);
  else if (name->front() == '[' && (colon = name->rfind("]:")) != std::string_view::npos) *name = name->substr(0, colon + 1);
  return true;
}

}  // namespace auth
