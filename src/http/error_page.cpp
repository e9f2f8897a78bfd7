// SPDX-License-Identifier: MIT
#include "http/error_page.h"

#include "base/writer.h"
#include "http/status.h"

namespace http {
namespace {

// Error bodies are small by construction: the template is a few hundred
// bytes and messages are short fixed strings or a clipped path.
constexpr size_t kMaxBody = 8192;
constexpr size_t kMaxMessage = 512;

void fill_template(base::Writer& w, std::string_view tpl, int status, std::string_view message,
                   const Site& site, std::string_view root) {
  while (!tpl.empty()) {
    size_t open = tpl.find("{{");
    w.put(tpl.substr(0, open));
    if (open == std::string_view::npos) return;
    tpl.remove_prefix(open);
    size_t close = tpl.find("}}");
    if (close == std::string_view::npos) {
      w.put(tpl);
      return;
    }
    std::string_view key = tpl.substr(2, close - 2);
    tpl.remove_prefix(close + 2);
    if (key == "CODE") w.put_u64(static_cast<uint64_t>(status));
    else if (key == "REASON") w.put(reason(status));
    else if (key == "MESSAGE") w.put_html(message);
    else if (key == "APP") w.put_html(site.app_name);
    else if (key == "BASE") w.put_html(root);
  }
}

}  // namespace

void render_error(const Request* req, Response& resp, const Site& site, int status,
                  std::string_view message, std::string_view allow) {
  if (message.size() > kMaxMessage) message = message.substr(0, kMaxMessage);
  char body[kMaxBody];
  base::Writer w(body, sizeof body);
  bool html = req != nullptr && req->wants_html();
  if (html) {
    char root_buf[256];
    std::string_view root = relative_root(req->path, root_buf, sizeof root_buf);
    fill_template(w, site.error_template, status, message, site, root);
  } else {
    w.put("{\"error\":\"");
    w.put_json(message);
    w.put("\"}");
  }
  resp.begin(status);
  if (!allow.empty()) resp.header("Allow", allow);
  if (html) {
    // The page loads nothing but its stylesheet from /_static.
    resp.header("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'");
  }
  resp.header("Cache-Control", "no-store");
  resp.send(html ? "text/html; charset=utf-8" : "application/json", w.ok() ? w.view() : std::string_view());
}

}  // namespace http
