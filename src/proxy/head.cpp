// SPDX-License-Identifier: MIT
#include "proxy/head.h"

#include "base/strings.h"
#include "base/writer.h"

namespace proxy {

using reactor::Conn;

namespace {

void put_cookie_without(base::Writer& w, std::string_view cookies, std::string_view drop) {
  bool first = true;
  while (!cookies.empty()) {
    size_t semi = cookies.find(';');
    std::string_view pair = base::trim_ows(cookies.substr(0, semi));
    std::string_view name = pair.substr(0, pair.find('='));
    if (!pair.empty() && name != drop) {
      if (first) w.put("Cookie: ");
      else w.put("; ");
      w.put(pair);
      first = false;
    }
    if (semi == std::string_view::npos) break;
    cookies.remove_prefix(semi + 1);
  }
  if (!first) w.put("\r\n");
}

}  // namespace

bool hop_by_hop(std::string_view name, std::string_view connection) {
  for (const char* h : {"connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization",
                        "te", "trailer", "transfer-encoding", "upgrade", "content-length"}) {
    if (base::ieq(name, h)) return true;
  }
  return base::has_token(connection, name);  // and whatever Connection names
}

bool write_request_head(Conn& u, const http::Request& req, const Forwarding& fw) {
  size_t cap = 0;
  char* p = u.out_space(&cap);
  base::Writer w(p, p != nullptr ? cap : 0);
  // Origin-form even when the client sent absolute-form: path and query are
  // the target's tail.
  std::string_view target = req.path == "*" ? req.path
                                            : std::string_view(req.path.data(), static_cast<size_t>(
                                                  req.target.data() + req.target.size() - req.path.data()));
  if (!fw.strip_prefix.empty() && target.substr(0, fw.strip_prefix.size()) == fw.strip_prefix) {
    target.remove_prefix(fw.strip_prefix.size());
  }
  w.put(req.method);
  w.put(' ');
  w.put(fw.add_prefix);
  if (target.empty() || (target.front() != '/' && target != "*")) w.put('/');
  w.put(target);
  w.put(" HTTP/1.1\r\nHost: ");
  w.put(req.host());
  w.put("\r\n");
  std::string_view connection = req.header("connection");
  for (uint16_t i = 0; i < req.head->nheaders; i++) {
    std::string_view name = req.table[i].name.in(req.base);
    if (hop_by_hop(name, connection) || base::ieq(name, "host") || base::ieq(name, "cookie") ||
        base::ieq(name, "x-forwarded-for") || base::ieq(name, "x-forwarded-proto") || base::ieq(name, "x-forwarded-host") ||
        base::ieq(name, "expect")) {
      continue;
    }
    w.put(name);
    w.put(": ");
    w.put(base::trim_ows(req.table[i].value.in(req.base)));
    w.put("\r\n");
  }
  for (uint16_t i = 0; i < req.head->nheaders; i++) {  // every Cookie field, minus portico's own
    if (base::ieq(req.table[i].name.in(req.base), "cookie")) put_cookie_without(w, req.table[i].value.in(req.base), fw.session_cookie);
  }
  w.put("X-Forwarded-For: ");
  w.put(base::strip_port(req.peer));
  w.put(req.tls ? "\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: " : "\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Host: ");
  w.put(req.host());
  w.put("\r\n");
  if (req.head->upgrade) {
    w.put("Connection: Upgrade\r\nUpgrade: ");
    w.put(req.header("upgrade"));
    w.put("\r\n");
  }
  if (req.head->chunked) {
    w.put("Transfer-Encoding: chunked\r\n");
  } else if (req.head->has_body) {
    w.put("Content-Length: ");
    w.put_u64(req.head->content_length);
    w.put("\r\n");
  }
  w.put("\r\n");
  if (!w.ok()) return false;
  u.out_commit(w.size());
  return true;
}

}  // namespace proxy
