// SPDX-License-Identifier: MIT
#include "http/request.h"

#include "base/strings.h"

namespace http {

bool Request::find(std::string_view name, std::string_view* value) const {
  if (head == nullptr) return false;
  for (uint16_t i = 0; i < head->nheaders; i++) {
    if (base::ieq(table[i].name.in(base), name)) {
      *value = base::trim_ows(table[i].value.in(base));
      return true;
    }
  }
  return false;
}

bool Request::find_list(std::string_view name, char* out, size_t cap, std::string_view* value) const {
  if (head == nullptr) return false;
  size_t n = 0;
  bool found = false;
  for (uint16_t i = 0; i < head->nheaders; i++) {
    if (!base::ieq(table[i].name.in(base), name)) continue;
    std::string_view v = base::trim_ows(table[i].value.in(base));
    size_t need = (found ? 2 : 0) + v.size();
    if (n + need > cap) return false;
    if (found) out[n++] = ',', out[n++] = ' ';
    v.copy(out + n, v.size());
    n += v.size();
    found = true;
  }
  if (found) *value = std::string_view(out, n);
  return found;
}

size_t Request::count(std::string_view name) const {
  size_t n = 0;
  for (uint16_t i = 0; head != nullptr && i < head->nheaders; i++) n += base::ieq(table[i].name.in(base), name) ? 1 : 0;
  return n;
}

std::string_view Request::header(std::string_view name) const {
  std::string_view v;
  return find(name, &v) ? v : std::string_view();
}

bool Request::wants_html() const { return base::icontains(header("accept"), "text/html"); }

int make_request(const char* base, const Head* head, const Header* table, std::string_view peer,
                 Request* req) {
  req->base = base;
  req->head = head;
  req->table = table;
  req->peer = peer;
  req->method = llhttp_method_name(static_cast<llhttp_method_t>(head->method));
  req->head_only = head->method == HTTP_HEAD;
  std::string_view t = head->url.in(base);
  req->target = t;
  // A fragment is the client's own business (RFC 9110 §4.2.5): it is
  // neither routed on nor passed on.
  t = t.substr(0, t.find('#'));
  if (t == "*") {
    if (head->method != HTTP_OPTIONS) return 400;
    req->path = req->origin = t;
    return 0;
  }
  if (!t.empty() && t.front() != '/') {
    // absolute-form: scheme "://" authority path
    size_t sep = t.find("://");
    if (sep == std::string_view::npos || !(base::ieq(t.substr(0, sep), "http") || base::ieq(t.substr(0, sep), "https"))) {
      return 400;
    }
    std::string_view rest = t.substr(sep + 3);
    size_t slash = rest.find_first_of("/?");
    std::string_view authority = rest.substr(0, slash);
    if (!base::ieq(authority, req->host())) return 400;
    // "http://host" means "/" (RFC 9112 §3.2.1); "http://host?x" has no
    // path for its query to follow, so it is refused rather than guessed.
    t = slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
    if (t.front() == '?') return 400;
  }
  if (t.empty()) return 400;
  req->origin = t;
  size_t q = t.find('?');
  req->path = t.substr(0, q);
  req->query = q == std::string_view::npos ? std::string_view() : t.substr(q + 1);
  return 0;
}

std::string_view relative_root(std::string_view path, char* buf, size_t cap) {
  size_t depth = 0;
  for (char c : path) depth += c == '/';
  if (depth <= 1 || cap < 2) return ".";
  size_t n = 0;
  buf[n++] = '.';
  for (size_t i = 1; i < depth && n + 3 <= cap; i++) {
    buf[n++] = '/';
    buf[n++] = '.';
    buf[n++] = '.';
  }
  return {buf, n};
}

}  // namespace http
