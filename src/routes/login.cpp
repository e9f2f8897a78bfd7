// SPDX-License-Identifier: MIT
#include "routes/login.h"

#include <arpa/inet.h>
#include <cstring>
#include <netinet/in.h>

#include "auth/ct.h"
#include "auth/origin.h"
#include "base/log.h"
#include "base/strings.h"
#include "base/writer.h"
#include "http/request.h"
#include "http/template.h"
#include "routes/form.h"

namespace routes {
namespace {

constexpr std::string_view kCsp =
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; manifest-src 'self'; "
    "form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'";
constexpr size_t kMaxPassword = 1024;

int64_t now_s(const Login& l) { return l.clock->wall_ms() / 1000; }

bool at(std::string_view path, std::string_view route) { return path == route || (path.size() == route.size() + 1 && path.substr(0, route.size()) == route && path.back() == '/'); }

bool same_ip(std::string_view a, std::string_view b) {
  char x[64], y[64];
  if (a.size() >= sizeof x || b.size() >= sizeof y) return false;
  a.copy(x, a.size());
  x[a.size()] = '\0';
  b.copy(y, b.size());
  y[b.size()] = '\0';
  unsigned char p[16], q[16];
  int fam = strchr(x, ':') ? AF_INET6 : AF_INET;
  return inet_pton(fam, x, p) == 1 && inet_pton(fam, y, q) == 1 && memcmp(p, q, fam == AF_INET6 ? 16 : 4) == 0;
}

bool trusted(const Login& l, std::string_view ip) {
  for (const std::string& t : *l.trusted_proxies) {
    if (same_ip(base::strip_port(t), ip)) return true;
  }
  return false;
}

// The cookie's Domain: for a login on "ide.example" or "3000.ide.example"
// with --proxy-domain ide.example, "ide.example" (code-server's intent; its
// code ends up using the request host).  Nothing otherwise: a cookie then
// stays on the host that set it.
void put_domain(const Login& l, const http::Request& req, base::Writer& c) {
  char buf[256];
  std::string_view host;
  if (l.proxy_domains == nullptr || !auth::request_hostname(req, buf, &host)) return;
  for (const std::string& t : *l.proxy_domains) {
    std::string_view rest = std::string_view(t).substr(0, 9) == "{{port}}." ? std::string_view(t).substr(9) : "";
    if (rest.empty() || rest.find("{{") != std::string_view::npos || rest.find('.') == std::string_view::npos) continue;
    bool under = host.size() > rest.size() && host.substr(host.size() - rest.size()) == rest &&
                 host[host.size() - rest.size() - 1] == '.';
    if (host == rest || under) {
      c.put("; Domain=");
      c.put(rest);
      return;
    }
  }
}

// Back to ?to= (default "/"), relative to where this request came in, with
// the rest of the query (a ?folder= survives the login).
// `drop`: the query's pairs the target does not keep (code-server's
// override with undefined).
Outcome redirect_to(Exchange& ex, std::string_view cookie, std::initializer_list<std::string_view> drop) {
  char to[2048], loc[4096], out[6144];
  size_t n = 0;
  std::string_view target = form_value(ex.req.query, "to", to, sizeof to, &n) && n > 0 ? std::string_view(to, n) : "/";
  size_t len = relative_location(ex.req.path, target, loc, sizeof loc);
  base::Writer w(out, sizeof out);
  w.put(len > 0 ? std::string_view(loc, len) : "./");
  put_query(w, ex.req.query, drop);
  return redirect(ex, w.ok() ? w.view() : "./", cookie);
}

// With --auth none, /login and /logout lead home, keeping the query.
Outcome home(Exchange& ex) {
  char loc[4096];
  base::Writer w(loc, sizeof loc);
  w.put("./");
  put_query(w, ex.req.query, {});
  return redirect(ex, w.ok() ? w.view() : "./");
}

// A page of VS Code's without a session: to the login page, with the query
// kept and ?to= where it was (code-server: redirect(req, res, "login",
// {to: self(req)}), none for "/").
Outcome to_login(Exchange& ex) {
  char loc[512], out[6144];
  size_t len = relative_location(ex.req.path, "/login", loc, sizeof loc);
  base::Writer w(out, sizeof out);
  w.put(len > 0 ? std::string_view(loc, len) : "./login");
  put_query(w, ex.req.query, {"to"});
  if (ex.req.path != "/") {
    w.put(w.view().find('?') == std::string_view::npos ? "?to=" : "&to=");
    w.put(ex.req.path);   // "/vscode" or "/vscode/": nothing to encode
  }
  return redirect(ex, w.ok() ? w.view() : "./login");
}

constexpr size_t kPageMax = 16384;
constexpr size_t kRootMax = 256;

Outcome page(const Login& l, Exchange& ex, int status, std::string_view error, int64_t retry_s = 0) {
  char root[kRootMax], body[kPageMax];
  const LoginText& t = l.text;
  const http::Var vars[] = {{"APP", l.app_name},
                            {"TITLE", t[LoginText::Title]},
                            {"WELCOME", t[LoginText::Welcome]},
                            {"BELOW", t[LoginText::Below]},
                            {"HINT", t[l.hint]},
                            {"PLACEHOLDER", t[LoginText::Placeholder]},
                            {"SUBMIT", t[LoginText::Submit]},
                            {"ERROR", error},
                            {"BASE", http::relative_root(ex.req.path, root, sizeof root)}};
  base::Writer w(body, sizeof body);
  http::fill_template(w, l.page, vars, sizeof vars / sizeof vars[0]);
  ex.resp.begin(status);
  ex.resp.header("Content-Security-Policy", kCsp);
  ex.resp.header("Cache-Control", "no-store");
  ex.resp.header("Referrer-Policy", "no-referrer");
  char retry[24];
  base::Writer rw(retry, sizeof retry);
  rw.put_i64(retry_s);
  if (retry_s > 0) ex.resp.header("Retry-After", rw.view());
  ex.resp.send("text/html; charset=utf-8", w.ok() ? w.view() : "login page too large");
  return Outcome::Done;
}

// The user agent, clipped and with control bytes replaced, for one log line.
void log_failure(const Login& l, const http::Request& req) {
  char ua[160];
  std::string_view raw = req.header("user-agent");
  size_t n = raw.size() < sizeof ua ? raw.size() : sizeof ua;
  for (size_t i = 0; i < n; i++) ua[i] = (raw[i] >= 0x20 && raw[i] < 0x7f && raw[i] != '"') ? raw[i] : '?';
  std::string_view who = l.client(req);
  base::logf(base::Level::Warn, "login: wrong password from %.*s (peer %.*s), user agent \"%.*s\"",
             static_cast<int>(who.size()), who.data(), static_cast<int>(req.peer.size()), req.peer.data(),
             static_cast<int>(n), ua);
}

// Queues the check and holds the answer, or says why not.
Outcome submit(const Login& l, Exchange& ex, const auth::Limiter::Client& who, std::string_view pw) {
  switch (l.checks->submit(ex.conn, who, l.client(ex.req), pw)) {
    case auth::CheckQueue::Submit::Queued:
      ex.resp.hold(l);
      return Outcome::Done;
    case auth::CheckQueue::Submit::Busy:  // its try in flight is not counted yet
      return page(l, ex, 429, l.text[LoginText::RateLimited], 1);
    case auth::CheckQueue::Submit::Full:
      break;
  }
  // About how long the queue takes to drain with code-server's parameters.
  return page(l, ex, 503, "Too many logins at once; try again in a few seconds.", 5);
}

Outcome post_login(const Login& l, Exchange& ex) {
  int64_t retry_s = 0;
  auth::Limiter::Client who = auth::Limiter::client_of(l.client(ex.req));
  // Checked before the password, so a refused try costs no hashing.  Tries
  // still being checked count against the global budget.
  size_t pending = l.checks != nullptr ? l.checks->in_flight() : 0;
  if (ex.verdict == Verdict::None && !l.limiter->allowed(who, l.clock->now_ms(), &retry_s, pending)) {
    return page(l, ex, 429, l.text[LoginText::RateLimited], retry_s);
  }
  bool is_json = base::icontains(ex.req.header("content-type"), "application/json");
  auto field = [&](std::string_view key, char* out, size_t cap, size_t* n) {
    return is_json ? json_value(ex.req.body, key, out, cap, n) : form_value(ex.req.body, key, out, cap, n);
  };
  bool ok = ex.verdict == Verdict::Match;
  bool failed = ex.verdict == Verdict::Failed;
  if (ex.verdict == Verdict::None) {
    char pw[kMaxPassword];
    size_t pw_len = 0;
    if (!field("password", pw, sizeof pw, &pw_len) || pw_len == 0) return page(l, ex, 400, l.text[LoginText::Missing]);
    bool offload = l.checks != nullptr && l.password->kind() == auth::Password::Kind::Argon2;
    Outcome queued = offload ? submit(l, ex, who, std::string_view(pw, pw_len)) : Outcome::Next;
    auth::Password::Check c = offload ? auth::Password::Check::Mismatch : l.password->check(std::string_view(pw, pw_len));
    // The submitted password does not outlive the check (the queue has its own copy).
    auth::wipe(pw, pw_len);
    if (offload) return queued;
    ok = c == auth::Password::Check::Match;
    failed = c == auth::Password::Check::Failed;
    if (!failed) l.checked(who, ok);
  }
  // Not a wrong password: the hash's memory could not be had.  Not counted.
  if (failed) return page(l, ex, 503, "The password could not be checked (out of memory); try again.", 5);
  if (!ok) {
    log_failure(l, ex.req);
    return page(l, ex, 401, l.text[LoginText::Incorrect]);
  }
  char token[auth::Sessions::kTokenChars];
  if (!l.sessions->issue(now_s(l), token)) return fail(ex, 500, "no randomness for a session");
  char base_buf[512], href[2048], path[2048], cookie[3072];
  size_t bn = 0, hn = 0;
  std::string_view b = field("base", base_buf, sizeof base_buf, &bn) ? std::string_view(base_buf, bn) : ".";
  std::string_view h = field("href", href, sizeof href, &hn) ? std::string_view(href, hn) : "";
  base::Writer c(cookie, sizeof cookie);
  c.put(l.cookie);
  c.put('=');
  c.put(std::string_view(token, sizeof token));
  c.put("; Path=");
  c.put(std::string_view(path, cookie_path(b, h, path, sizeof path)));
  c.put("; Max-Age=");
  c.put_u64(l.sessions->lifetime());
  c.put("; HttpOnly; SameSite=Lax");
  put_domain(l, ex.req, c);
  if (ex.req.tls) c.put("; Secure");
  return redirect_to(ex, c.ok() ? c.view() : std::string_view(), {"to"});
}

}  // namespace

std::string_view Login::client(const http::Request& req) const {
  std::string_view ip = base::strip_port(req.peer);
  if (trusted_proxies == nullptr || trusted_proxies->empty() || !trusted(*this, ip)) return req.peer;
  std::string_view xff = req.header("x-forwarded-for");
  while (!xff.empty()) {  // right to left: the hops our proxies added
    size_t comma = xff.rfind(',');
    std::string_view hop = base::trim_ows(comma == std::string_view::npos ? xff : xff.substr(comma + 1));
    if (!trusted(*this, hop)) return hop.empty() ? req.peer : hop;
    if (comma == std::string_view::npos) break;
    xff = xff.substr(0, comma);
  }
  return req.peer;
}

bool Login::page_fits(size_t* need, size_t* room) const {
  size_t words = 2 * app_name.size() + kRootMax + 96;   // the app name twice, the root, the longest fixed error
  for (const std::string& w : text.words) words += w.size();
  *need = page.size() + 6 * words;   // "&quot;" for each byte at worst
  *room = kPageMax;
  return *need <= *room;
}

void Login::checked(const auth::Limiter::Client& who, bool match) const {
  if (match) limiter->succeeded(who);
  else limiter->failed(who, clock->now_ms());
}

bool Login::authenticated(const http::Request& req) const {
  if (!enabled) return true;
  std::string_view token;
  return cookie_value(req.header("cookie"), cookie, &token) && sessions->valid(token, now_s(*this));
}

size_t login_body_limit(const Login&, const http::Request& req) {
  return req.method == "POST" && at(req.path, "/login") ? kMaxLoginBody : 0;
}

Outcome login(const Login& l, Exchange& ex) {
  if (!at(ex.req.path, "/login")) return Outcome::Next;
  if (!l.enabled) return home(ex);
  if (ex.req.method != "POST" && !method_is_get(ex)) {
    ex.allow = "GET, HEAD, POST";
    return fail(ex, 405, "Method Not Allowed");
  }
  if (l.authenticated(ex.req)) return redirect_to(ex, {}, {"to"});
  return ex.req.method == "POST" ? post_login(l, ex) : page(l, ex, 200, "");
}

Outcome logout(const Login& l, Exchange& ex) {
  if (!at(ex.req.path, "/logout")) return Outcome::Next;
  if (!l.enabled) return home(ex);
  if (!method_is_get(ex)) return fail(ex, 405, "Method Not Allowed");
  std::string_view token;
  if (cookie_value(ex.req.header("cookie"), l.cookie, &token) && !l.sessions->revoke(token, now_s(l))) {
    return fail(ex, 500, "the logout could not be recorded");
  }
  char base_buf[512], href[2048], path[2048], cookie[2560];
  size_t bn = 0, hn = 0;
  std::string_view b = form_value(ex.req.query, "base", base_buf, sizeof base_buf, &bn) ? std::string_view(base_buf, bn) : ".";
  std::string_view h = form_value(ex.req.query, "href", href, sizeof href, &hn) ? std::string_view(href, hn) : "";
  base::Writer c(cookie, sizeof cookie);
  c.put(l.cookie);
  c.put("=; Path=");
  c.put(std::string_view(path, cookie_path(b, h, path, sizeof path)));
  c.put("; Max-Age=0; HttpOnly; SameSite=Lax");
  put_domain(l, ex.req, c);
  // As code-server's: the logout's own fields do not follow the user.
  return redirect_to(ex, c.ok() ? c.view() : std::string_view(), {"to", "base", "href"});
}

Outcome guard(const Login& l, Exchange& ex) {
  if (l.authenticated(ex.req)) return Outcome::Next;
  std::string_view p = ex.req.path;
  bool page = p == "/" || p == "/vscode" || p == "/vscode/";
  if (page && (ex.req.method == "GET" || ex.req.method == "HEAD")) return to_login(ex);
  return fail(ex, 401, "Unauthorized");
}

}  // namespace routes
