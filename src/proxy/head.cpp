// SPDX-License-Identifier: MIT
#include "proxy/head.h"

#include "base/strings.h"
#include "base/writer.h"
#include "http/status.h"

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

// Fields whose meaning portico vouches for, so a client's own never pass:
// who the client is and how it came (an app trusting Forwarded or X-Real-IP
// would believe whatever a client wrote there), plus Host, Cookie (both
// re-stated below) and Expect (answered by the session).
bool said_by_portico(std::string_view name) {
  for (const char* f : {"host", "cookie", "expect", "forwarded", "x-forwarded-for", "x-forwarded-proto",
                        "x-forwarded-host", "x-forwarded-port", "x-forwarded-prefix", "x-real-ip"}) {
    if (base::ieq(name, f)) return true;
  }
  return false;
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
  std::string_view target = req.origin_form();
  if (!fw.strip_prefix.empty() && target.substr(0, fw.strip_prefix.size()) == fw.strip_prefix) {
    target.remove_prefix(fw.strip_prefix.size());
  }
  w.put(req.method);
  w.put(' ');
  w.put(fw.add_prefix);
  if (target.empty() || (target.front() != '/' && target != "*")) w.put('/');
  w.put(target);
  // An HTTP/1.0 client's request goes on as HTTP/1.0 (nginx's default too):
  // the answer then comes without chunked framing, which that client could
  // not read, and without a Host the client did not give.
  bool old = req.head->minor == 0;
  w.put(old ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n");
  if (!old || !req.host().empty()) {
    w.put("Host: ");
    w.put(req.host());
    w.put("\r\n");
  }
  std::string_view connection = req.header("connection");
  for (uint16_t i = 0; i < req.head->nheaders; i++) {
    std::string_view name = req.table[i].name.in(req.base);
    if (hop_by_hop(name, connection) || said_by_portico(name)) continue;
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

bool write_response_head(base::Writer& w, int status, std::string_view head, std::string_view location_prefix) {
  auto next_line = [&head]() {
    size_t nl = head.find('\n');
    std::string_view l = head.substr(0, nl);
    head = nl == std::string_view::npos ? std::string_view() : head.substr(nl + 1);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    return l;
  };
  // llhttp skips CR and LF bytes before the status line.
  size_t start = head.find_first_not_of("\r\n");
  head.remove_prefix(start == std::string_view::npos ? head.size() : start);
  std::string_view status_line = next_line(), line, connection;
  for (std::string_view rest = head; !rest.empty();) {  // Connection names more hop-by-hop fields
    size_t nl = rest.find('\n');
    std::string_view l = rest.substr(0, nl);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (base::ieq(l.substr(0, 11), "connection:")) connection = base::trim_ows(l.substr(11));
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  }
  // The status as llhttp read it ("0200" is 200), then the app's reason.
  size_t sp = status_line.find(' ');
  size_t sp2 = sp == std::string_view::npos ? sp : status_line.find(' ', sp + 1);
  std::string_view why = sp2 == std::string_view::npos ? std::string_view() : base::trim_ows(status_line.substr(sp2 + 1));
  w.put("HTTP/1.1 ");
  w.put_u64(static_cast<uint64_t>(status));
  w.put(' ');
  w.put(why.empty() ? std::string_view(http::reason(status)) : why);
  w.put("\r\n");
  // obs-fold: RFC 9112 §5.2 lets a proxy answer 502 or unfold; unfolding
  // would mean re-deciding what the value is (a Location that starts on the
  // next line) behind llhttp's back, so the head is refused.
  auto folded = [](std::string_view l) { return !l.empty() && (l.front() == ' ' || l.front() == '\t'); };
  for (line = next_line(); !line.empty(); line = next_line()) {
    if (folded(line)) return false;
    size_t colon = line.find(':');
    if (colon == 0 || colon == std::string_view::npos) return false;
    std::string_view name = line.substr(0, colon);
    bool framing = base::ieq(name, "content-length") || base::ieq(name, "transfer-encoding");
    bool keep = framing || !hop_by_hop(name, connection);
    std::string_view value = base::trim_ows(line.substr(colon + 1));
    if (!keep) continue;
    w.put(name);
    w.put(": ");
    // A path the app gave from its own root ("/login", not "//host/x") is
    // under the prefix the client used.
    if (!location_prefix.empty() && base::ieq(name, "location") && value.substr(0, 1) == "/" &&
        value.substr(0, 2) != "//") {
      w.put(location_prefix);
    }
    w.put(value);
    w.put("\r\n");
  }
  return true;
}

}  // namespace proxy
