// SPDX-License-Identifier: MIT
#include "http/error_page.h"

#include "base/writer.h"
#include "http/status.h"
#include "http/template.h"

namespace http {
namespace {

// Error bodies are small by construction: the template is a few hundred
// bytes and messages are short fixed strings or a clipped path.
constexpr size_t kMaxBody = 8192;
constexpr size_t kMaxMessage = 512;

}  // namespace

namespace {

void render(bool html, std::string_view path, Response& resp, const Site& site, int status, std::string_view message,
            std::string_view allow, int retry_s) {
  if (message.size() > kMaxMessage) message = message.substr(0, kMaxMessage);
  char body[kMaxBody];
  base::Writer w(body, sizeof body);
  if (html) {
    char root_buf[256];
    std::string_view root = relative_root(path, root_buf, sizeof root_buf);
    char code[8];
    base::Writer cw(code, sizeof code);
    cw.put_u64(static_cast<uint64_t>(status));
    const Var vars[] = {{"CODE", cw.view()}, {"REASON", reason(status)}, {"MESSAGE", message},
                        {"APP", site.app_name}, {"BASE", root}};
    fill_template(w, site.error_template, vars, sizeof vars / sizeof vars[0]);
  } else {
    w.put("{\"error\":\"");
    w.put_json(message);
    w.put("\"}");
  }
  resp.begin(status);
  if (!allow.empty()) resp.header("Allow", allow);
  if (retry_s > 0) {
    char n[12];
    base::Writer nw(n, sizeof n);
    nw.put_u64(static_cast<uint64_t>(retry_s));
    resp.header("Retry-After", nw.view());
    if (html) resp.header("Refresh", nw.view());
  }
  if (html) {
    // The page loads nothing but its stylesheet from /_static.
    resp.header("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:");
  }
  resp.header("Cache-Control", "no-store");
  resp.send(html ? "text/html; charset=utf-8" : "application/json", w.ok() ? w.view() : std::string_view());
}

}  // namespace

void render_error(const Request* req, Response& resp, const Site& site, int status, std::string_view message,
                  std::string_view allow, int retry_s) {
  render(req != nullptr && req->wants_html(), req != nullptr ? req->path : "/", resp, site, status, message, allow, retry_s);
}

void render_error(bool html, std::string_view path, Response& resp, const Site& site, int status,
                  std::string_view message) {
  render(html, path, resp, site, status, message, {}, 0);
}

}  // namespace http
